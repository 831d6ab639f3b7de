/**
 * The dependencies a call needs and an import does not, loaded when a call
 * first needs them (see http/lazyModule.ts):
 *
 * - http/pipeline.ts, and with it `@azure/core-rest-pipeline`: the heaviest
 *   module the SDK uses (about 80 ms of a cold start, most of it
 *   `@typespec/ts-http-runtime`). It re-exports the few names of the package
 *   the SDK uses.
 * - http/polling.ts: `@azure/core-lro` and `@azure/core-util`.
 *
 * Every call loads both before its first request (`Operation.run` and
 * `Operation.send` await {@link whenCallReady}), so the code that runs inside
 * a call may use {@link coreRestPipeline} and {@link newRestError}
 * synchronously.
 */
import type * as CoreRestPipeline from "@azure/core-rest-pipeline";
import type { RestErrorOptions } from "@azure/core-rest-pipeline";
import { lazyModule } from "./lazyModule.js";

/**
 * The error of every HTTP and operation failure: `@azure/core-rest-pipeline`'s
 * `RestError`, here as a type only. The SDK loads that package when a call
 * first sends, not when it is imported; for `instanceof` or `new`, import the
 * class from `@azure/core-rest-pipeline`, or test with {@link isRestError}.
 */
export type RestError = CoreRestPipeline.RestError;

/** http/pipeline.ts: the pipeline's factory and what the SDK uses of `@azure/core-rest-pipeline`. */
export const pipelineModule = lazyModule(() => import("./pipeline.js"));

/** http/polling.ts: what the SDK uses of `@azure/core-lro` and `@azure/core-util`. */
export const pollingModule = lazyModule(() => import("./polling.js"));

/** `undefined` when both are loaded; else the promise of their loading. */
export function whenCallReady(): Promise<unknown> | undefined {
  if (pipelineModule.loaded() && pollingModule.loaded()) return undefined;
  return Promise.all([pipelineModule.load(), pollingModule.load()]);
}

/** The loaded http/pipeline.ts; only inside a call, after {@link whenCallReady}. */
export function coreRestPipeline(): typeof import("./pipeline.js") {
  const module = pipelineModule.loaded();
  if (!module) throw new Error("azure-vm-identity: @azure/core-rest-pipeline was used before a call loaded it (a bug in azure-vm-identity).");
  return module;
}

/** `new RestError(message, options)` of the loaded pipeline (see {@link coreRestPipeline}). */
export function newRestError(message: string, options?: RestErrorOptions): RestError {
  return new (coreRestPipeline().RestError)(message, options);
}

/**
 * Whether `e` is a `RestError`: an instance of the pipeline's class, or an
 * `Error` named `"RestError"`, as `@azure/core-rest-pipeline`'s own
 * `isRestError` decides (so a `RestError` from another copy of the pipeline
 * counts too). Usable before the pipeline is loaded.
 */
export function isRestError(e: unknown): e is RestError {
  const module = pipelineModule.loaded();
  if (module) return module.isRestError(e);
  return e instanceof Error && e.name === "RestError";
}
