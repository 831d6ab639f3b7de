/**
 * `@azure/core-rest-pipeline`, loaded when a call first sends, not when the
 * SDK is imported: it is the heaviest module the SDK uses (about 80 ms of a
 * cold start, most of it `@typespec/ts-http-runtime`), and importing the SDK
 * or making a client sends nothing. It comes with http/pipeline.ts (the
 * pipeline's own chunk), which re-exports the few of its names the SDK uses.
 * Every call loads it before its first request (`Operation.run` and
 * `Operation.send` await {@link whenCoreRestPipelineLoaded}), so the code
 * that runs inside a call may use {@link coreRestPipeline} and
 * {@link newRestError} synchronously.
 */
import type * as CoreRestPipeline from "@azure/core-rest-pipeline";
import type { RestErrorOptions } from "@azure/core-rest-pipeline";
import { lazyModule } from "./lazyModule.js";

/** http/pipeline.ts: the pipeline's factory and what the SDK uses of `@azure/core-rest-pipeline`. */
type PipelineModule = typeof import("./pipeline.js");

/**
 * The error of every HTTP and operation failure: `@azure/core-rest-pipeline`'s
 * `RestError`, here as a type only. The SDK loads that package when a call
 * first sends, not when it is imported; for `instanceof` or `new`, import the
 * class from `@azure/core-rest-pipeline`, or test with {@link isRestError}.
 */
export type RestError = CoreRestPipeline.RestError;

const pipelineModule = lazyModule(() => import("./pipeline.js"));

/** Load http/pipeline.ts, and with it `@azure/core-rest-pipeline` (once). */
export function loadPipelineModule(): Promise<PipelineModule> {
  return pipelineModule.load();
}

/** `undefined` once `@azure/core-rest-pipeline` is loaded; else the promise of its loading. */
export function whenCoreRestPipelineLoaded(): Promise<unknown> | undefined {
  return pipelineModule.whenLoaded();
}

/** The loaded module; only inside a call, after {@link whenCoreRestPipelineLoaded}. */
export function coreRestPipeline(): PipelineModule {
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
