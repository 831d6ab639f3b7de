import { randomUUID } from "node:crypto";
import type { AbortSignalLike } from "@azure/abort-controller";
import { AbortError } from "@azure/abort-controller";
import { InvalidInputError, describeValue } from "../errors.js";
import type { WritePacer } from "./writePacer.js";

/** Options accepted by every operation. */
export interface OperationOptions {
  /** Stops waiting (never the operation on the server). */
  abortSignal?: AbortSignalLike;
  /** Poll interval for long-running operations when the service sends no Retry-After. */
  updateIntervalInMs?: number;
  /** Bounds the whole call, polling included. */
  timeoutInMs?: number;
}

/**
 * The state one public operation carries through all of its requests: a
 * single correlation id, one abort signal (the caller's and the deadline's),
 * and the request ids and attempts it has seen.
 */
export interface OperationContext {
  readonly name: string;
  readonly correlationId: string;
  readonly abortSignal: AbortSignal;
  readonly updateIntervalInMs: number;
  /** `x-ms-request-id` of every response, in order. */
  readonly requestIds: string[];
  /** Paces this operation's writes, when it is part of a fleet. */
  readonly pacer?: WritePacer;
  /** Calls `fn`, turning an abort or deadline into an `AbortError` naming the operation. */
  run<T>(fn: () => Promise<T>): Promise<T>;
}

function checkNonNegative(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value < 0)) {
    throw new InvalidInputError("InvalidOption", `Invalid ${name} ${describeValue(value)}: expected a non-negative number of milliseconds.`, value);
  }
}

/** Start the context of one public operation. */
export function createOperationContext(
  name: string,
  options: OperationOptions = {},
  defaults: { updateIntervalInMs: number },
  pacer?: WritePacer,
): OperationContext {
  checkNonNegative("timeoutInMs", options.timeoutInMs);
  checkNonNegative("updateIntervalInMs", options.updateIntervalInMs);
  const controller = new AbortController();
  const caller = options.abortSignal;
  const { timeoutInMs } = options;
  let timedOut = false;
  const onAbort = (): void => controller.abort();
  return {
    name,
    correlationId: randomUUID(),
    abortSignal: controller.signal,
    updateIntervalInMs: options.updateIntervalInMs ?? defaults.updateIntervalInMs,
    requestIds: [],
    ...(pacer ? { pacer } : {}),
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (caller?.aborted) throw new AbortError(`${name} was aborted before it started.`);
      caller?.addEventListener("abort", onAbort);
      const timer =
        timeoutInMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              controller.abort();
            }, timeoutInMs);
      try {
        return await fn();
      } catch (e) {
        if (controller.signal.aborted) {
          const error = new AbortError(
            timedOut ? `${name} did not finish within ${timeoutInMs} ms (timeoutInMs).` : `${name} was aborted.`,
          );
          (error as Error & { cause?: unknown }).cause = e;
          throw error;
        }
        throw e;
      } finally {
        if (timer) clearTimeout(timer);
        caller?.removeEventListener("abort", onAbort);
      }
    },
  };
}
