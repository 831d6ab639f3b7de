/**
 * What the SDK uses of `@azure/core-lro` and `@azure/core-util`, loaded by
 * a call before its first request (see http/lazyDependencies.ts): neither is
 * needed to import the SDK or make a client. Named, so that a bundler keeps only
 * these of the two packages.
 */
export { createHttpPoller } from "@azure/core-lro";
export { delay } from "@azure/core-util";
