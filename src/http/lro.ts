import type { CancelOnProgress, OperationResponse, OperationState, PollerLike, RunningOperation } from "@azure/core-lro";
import type { AbortSignalLike } from "@azure/abort-controller";
import { isRestError, newRestError, pollingModule } from "./lazyDependencies.js";
import { armRequest, withoutQuery } from "../core/request.js";
import { logger } from "../logger.js";
import type { ArmResponse, Operation } from "./operation.js";
import { restErrorFromOperation } from "./restError.js";
import { retryAfterInMs } from "./retryAfter.js";

/** A long-running ARM operation: `@azure/core-lro`'s poller. */
export type ArmPoller<T> = PollerLike<OperationState<T>, T>;

/** What {@link createArmPoller} needs to know about one operation. */
export interface ArmPollerSpec<T> {
  /**
   * Send the request that starts the operation (after any reads it needs)
   * and return its response, from which the poller learns how to follow it:
   * `Azure-AsyncOperation`, else `Location`, else (for a PUT) the resource's
   * `provisioningState`. A response that starts nothing (a GET for a no-op, a
   * 204) ends the operation at once.
   */
  start(): Promise<ArmResponse>;
  /** The result from the final response: the resource read back, or the last status (and any step that follows it, in the same operation). */
  result(final: ArmResponse): T | Promise<T>;
}

const TERMINAL = new Set(["succeeded", "failed", "canceled", "cancelled"]);

/** `properties.provisioningState` (or a top-level one) of a resource body. */
export function provisioningStateOf(body: unknown): string | undefined {
  const b = body as { provisioningState?: unknown; properties?: { provisioningState?: unknown } } | undefined;
  const state = b?.properties?.provisioningState ?? b?.provisioningState;
  return typeof state === "string" ? state : undefined;
}

/** Whether a provisioning state is final (an absent one is). */
export function isTerminalState(state: string | undefined): boolean {
  return state === undefined || TERMINAL.has(state.toLowerCase());
}

function endedAs(state: string | undefined): "Failed" | "Canceled" | undefined {
  const lower = state?.toLowerCase();
  if (lower === "failed") return "Failed";
  if (lower === "canceled" || lower === "cancelled") return "Canceled";
  return undefined;
}

function toOperationResponse(response: ArmResponse): OperationResponse<unknown> {
  return {
    flatResponse: response.body,
    rawResponse: {
      statusCode: response.status,
      headers: { ...response.headers },
      body: response.body,
      request: { method: response.request.method, url: response.request.url },
    },
  };
}

function what(response: ArmResponse | undefined): string {
  return response ? `${response.request.method} ${withoutQuery(response.request.url)}` : "the operation";
}

/**
 * The one long-running-operation abstraction: `@azure/core-lro`'s
 * `createHttpPoller` over the operation's own requests, so polls carry its
 * correlation id, signal and budgets. Adaptations, each for something
 * core-lro does not do by itself:
 *
 * - an operation that ends `Failed` or `Canceled` rejects with a `RestError`
 *   carrying the operation's code (core-lro's own error has neither), and
 *   every later `pollUntilDone()` rejects with it again;
 * - status URLs are polled only on the origin the operation was sent to (the
 *   token goes with every poll);
 * - a failure to read the status says that the operation itself may still
 *   succeed;
 * - `pollUntilDone()` also stops at the call's deadline and abort signal,
 *   rejecting with `TimeoutError` / `AbortError`, and ends the call's span.
 *
 * A `Retry-After` header sets the next wait; `Retry-After: 0` or none means
 * the operation's `updateIntervalInMs` (never a burst of polls).
 */
export function createArmPoller<T>(op: Operation, spec: ArmPollerSpec<T>): ArmPoller<T> {
  const lro = pollingModule.loaded();
  if (lro) return createCoreLroPoller(lro.createHttpPoller, op, spec);
  // Boxed: a poller is itself a promise, which a promise resolved with it would follow.
  return deferredPoller(pollingModule.load().then((loaded) => ({ poller: createCoreLroPoller(loaded.createHttpPoller, op, spec) })));
}

/**
 * The poller `createArmPoller` returns while `@azure/core-lro` is still
 * loading: it forwards to core-lro's poller once that is made (which starts
 * the operation then), so that the first `begin*` of a process can return at
 * once. Until then it is not done and has no state; progress callbacks
 * registered meanwhile are handed on.
 */
export function deferredPoller<T>(making: Promise<{ poller: ArmPoller<T> }>): ArmPoller<T> {
  type State = OperationState<T>;
  let real: ArmPoller<T> | undefined;
  const early = new Map<symbol, { callback: (state: State) => void; cancel?: CancelOnProgress }>();
  const ready = making.then((box) => {
    real = box.poller;
    for (const entry of early.values()) entry.cancel = box.poller.onProgress(entry.callback);
    return box;
  });
  // A failure to load reaches whoever polls; nobody polling must not crash the process.
  ready.catch(() => undefined);
  const poller = {
    get operationState() {
      return real?.operationState;
    },
    get result() {
      return real?.result;
    },
    get isDone() {
      return real?.isDone ?? false;
    },
    onProgress(callback: (state: State) => void): CancelOnProgress {
      if (real) return real.onProgress(callback);
      const key = Symbol("onProgress");
      early.set(key, { callback });
      return () => {
        early.get(key)?.cancel?.();
        early.delete(key);
      };
    },
    poll: async (options?: { abortSignal?: AbortSignalLike }) => (await ready).poller.poll(options),
    pollUntilDone: async (options?: { abortSignal?: AbortSignalLike }) => (await ready).poller.pollUntilDone(options),
    serialize: async () => (await ready).poller.serialize(),
    submitted: async () => (await ready).poller.submitted(),
    then: <R1 = T, R2 = never>(onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null) =>
      poller.pollUntilDone().then(onfulfilled, onrejected),
    catch: <R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null) => poller.pollUntilDone().catch(onrejected),
    finally: (onfinally?: (() => void) | null) => poller.pollUntilDone().finally(onfinally),
    [Symbol.toStringTag]: "Poller",
  };
  return poller as ArmPoller<T>;
}

function createCoreLroPoller<T>(createHttpPoller: typeof import("@azure/core-lro").createHttpPoller, op: Operation, spec: ArmPollerSpec<T>): ArmPoller<T> {
  const origin = new URL(op.target.endpoint).origin;
  let started: ArmResponse | undefined;
  let last: ArmResponse | undefined;
  const lro: RunningOperation = {
    async sendInitialRequest() {
      started = await spec.start();
      last = started;
      return toOperationResponse(started);
    },
    async sendPollRequest(url) {
      const target = new URL(url, origin);
      if (target.origin !== origin) {
        throw newRestError(`Refusing to poll ${withoutQuery(url)}: it is not on ${origin}, where ${what(started)} was sent`, {
          code: "UntrustedPollingUrl",
        });
      }
      try {
        last = await op.send(armRequest("GET", target.href));
      } catch (e) {
        throw statusReadFailure(started, e);
      }
      logger.verbose(`${op.name}: polled ${withoutQuery(url)}: ${last.status} ${String((last.body as { status?: unknown } | undefined)?.status ?? provisioningStateOf(last.body) ?? "")}`.trim());
      return toOperationResponse(last);
    },
  };
  const poller = createHttpPoller<T, OperationState<T>>(lro, {
    intervalInMs: op.updateIntervalInMs,
    resolveOnUnsuccessful: true,
    processResult: async (_flat, state) => {
      const final = last!;
      if (state.status === "failed" || state.status === "canceled") {
        op.settle();
        const reported = (final.body as { status?: unknown } | undefined)?.status ?? provisioningStateOf(final.body);
        throw restErrorFromOperation(
          what(started),
          endedAs(typeof reported === "string" ? reported : undefined) ?? (state.status === "failed" ? "Failed" : "Canceled"),
          final.raw,
          final.body,
        );
      }
      op.settle();
      return spec.result(final);
    },
  });
  // A poller nobody awaits must not crash the process with an unhandled rejection;
  // its error still reaches whoever polls it.
  poller.submitted().catch(() => undefined);

  const pollUntilDone = poller.pollUntilDone;
  let failure: { error: unknown } | undefined;
  poller.pollUntilDone = async (pollOptions) => {
    if (failure) throw failure.error;
    const signals = [op.signal, ...(pollOptions?.abortSignal instanceof AbortSignal ? [pollOptions.abortSignal] : [])];
    try {
      const result = await pollUntilDone({ abortSignal: signals.length > 1 ? AbortSignal.any(signals) : op.signal });
      op.finish();
      return result;
    } catch (e) {
      const error = op.translate(e);
      // A final failure (the operation's, or the deadline's) is the same on every later poll.
      if (poller.isDone || op.signal.aborted || !(e instanceof Error && e.name === "AbortError")) {
        failure = { error };
        op.finish(error);
      }
      throw error;
    }
  };
  return poller;
}

/** A failure to read an operation's status is not a failure of the operation: say so. */
function statusReadFailure(started: ArmResponse | undefined, e: unknown): unknown {
  if (e instanceof Error && e.name === "AbortError") return e;
  const why = `Could not read the status of ${what(started)}; the operation itself may still succeed, so read the resource before retrying.`;
  if (isRestError(e)) {
    e.message = `${why} ${e.message}`;
    return e;
  }
  return newRestError(`${why} ${(e as Error)?.message ?? String(e)}`, { code: "InvalidOperationStatus" });
}

/**
 * Follow a resource's `provisioningState` until it is final, by reading the
 * resource, and return the last read. For what core-lro cannot follow: a
 * write answered without a status URL while it still runs (core-lro follows
 * a body only after a PUT), and a write of this call that landed although its
 * answer was lost (found running by a replay, so no status URL is known).
 * Rejects like an operation when the state ends `Failed` or `Canceled`.
 */
export async function followProvisioningState(op: Operation, url: string, first?: ArmResponse): Promise<ArmResponse> {
  let response = first ?? (await op.send(armRequest("GET", url)));
  while (!isTerminalState(provisioningStateOf(response.body))) {
    // No advice, or Retry-After: 0, means the usual interval: never a burst of reads.
    await op.delay(retryAfterInMs((name) => response.headers[name]) || op.updateIntervalInMs);
    response = await op.send(armRequest("GET", url));
  }
  op.settle();
  const ended = endedAs(provisioningStateOf(response.body));
  if (ended) {
    throw restErrorFromOperation(`The write to ${withoutQuery(url)}`, ended, response.raw, response.body);
  }
  return response;
}

/** Wait for the operation `response` started (if any) and return the final response. */
export function waitForOperation(op: Operation, response: ArmResponse): Promise<ArmResponse> {
  return createArmPoller(op, { start: async () => response, result: (final) => final }).pollUntilDone();
}

/**
 * Follow a DELETE that answered 202 with a `Location` and no status URL:
 * read the `Location` until it answers anything but 202. A 2xx, or a 404 (the
 * resource, or its operation, is gone), means done. core-lro would read the
 * 404 as a failure; this is the one place that reads it as ARM means it.
 */
export async function followDeleteLocation(op: Operation, response: ArmResponse): Promise<ArmResponse> {
  const origin = new URL(op.target.endpoint).origin;
  const location = new URL(response.headers["location"]!, origin);
  if (location.origin !== origin) {
    throw newRestError(`Refusing to poll ${withoutQuery(location.href)}: it is not on ${origin}, where ${what(response)} was sent`, {
      code: "UntrustedPollingUrl",
    });
  }
  let last = response;
  for (;;) {
    await op.delay(retryAfterInMs((name) => last.headers[name]) || op.updateIntervalInMs);
    try {
      last = await op.send(armRequest("GET", location.href), { accept: [404] });
    } catch (e) {
      throw statusReadFailure(response, e);
    }
    if (last.status !== 202) {
      op.settle();
      return last;
    }
  }
}

/** Wait for a DELETE's operation: its status URL through core-lro, else its `Location`; a 204 or 200 is done already. */
export function waitForDeletion(op: Operation, response: ArmResponse): Promise<ArmResponse> {
  const viaLocation = response.status === 202 && !response.headers["azure-asyncoperation"] && response.headers["location"] !== undefined;
  return viaLocation ? followDeleteLocation(op, response) : waitForOperation(op, response);
}

/**
 * Follow a DELETE of this call that landed although its answer was lost
 * (its replay found the resource still being deleted): read the resource
 * until it is gone. Rejects like an operation if its state ends `Failed`.
 */
export async function followDeletion(op: Operation, url: string): Promise<void> {
  for (;;) {
    const response = await op.send(armRequest("GET", url), { accept: [404] });
    if (response.status === 404) {
      op.settle();
      return;
    }
    const state = provisioningStateOf(response.body);
    const ended = endedAs(state);
    if (ended) {
      op.settle();
      throw restErrorFromOperation(`The deletion of ${withoutQuery(url)}`, ended, response.raw, response.body);
    }
    if (isTerminalState(state)) {
      // Still there and not being deleted: the deletion ended without removing it (a failure rolled back).
      op.settle();
      throw newRestError(
        `The deletion of ${withoutQuery(url)} ended and the resource is still there (provisioningState ${state ?? "none"}): it was not deleted.` +
          (response.requestId ? ` (x-ms-request-id: ${response.requestId})` : ""),
        { code: "DeletionNotCompleted", response: response.raw },
      );
    }
    await op.delay(retryAfterInMs((name) => response.headers[name]) || op.updateIntervalInMs);
  }
}
