import { randomUUID } from "node:crypto";
import { AbortError } from "@azure/abort-controller";
import type { AbortSignalLike } from "@azure/abort-controller";
import type { PipelineResponse } from "@azure/core-rest-pipeline";
import { coreRestPipeline, newRestError, pollingModule, whenCallReady } from "./lazyDependencies.js";
import type { TracingContext, TracingSpan } from "@azure/core-tracing";
import type { ArmTarget } from "../core/armRequests.js";
import { TimeoutError } from "../core/errors.js";
import { type RawArmRequest, isWriteMethod, withoutQuery } from "../core/request.js";
import { logger } from "../logger.js";
import type { OperationOptions } from "../options.js";
import { type ArmConnection, checkDurationInMs } from "./connection.js";
import { type RequestGate, requestFacts } from "./requestFacts.js";
import { redactedResponse, restErrorFromResponse, scrubError } from "./restError.js";

/** A response from ARM with its JSON body parsed. */
export interface ArmResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly requestId?: string;
  /** The request this answers. */
  readonly request: RawArmRequest;
  /** How many times the pipeline sent the request (1 unless it retried). */
  readonly attempts: number;
  /**
   * Attempts that ended without any response (reset, timeout). A write with
   * one may have reached ARM before the attempt that was answered.
   */
  readonly unansweredAttempts: number;
  /** The pipeline's response, its request without Authorization. */
  readonly raw: PipelineResponse;
}

/** Options of {@link Operation.send}. */
export interface SendOptions {
  /** Non-2xx statuses to return instead of throwing (e.g. 404 for "absent", 412 for a lost race). */
  accept?: readonly number[];
  /**
   * Whether the request may change something (default: every method but
   * GET). A request with effects that got no final answer leaves the
   * operation's outcome in doubt.
   */
  effects?: boolean;
  /** Budgets the request spends that no response header reports (see `RequestFacts.budgets`). */
  budgets?: readonly string[];
}

/**
 * Everything one public call needs, made once per call by
 * {@link createOperation}: where requests go, one correlation id, one abort
 * signal (the caller's and the deadline's), the request ids seen, and how to
 * send a request, wait and finish.
 */
export interface Operation {
  /** The span name, `VmIdentityClient.<operation>`, also used in logs. */
  readonly name: string;
  readonly target: ArmTarget;
  readonly correlationId: string;
  /** Aborts when the caller aborts or the deadline passes. */
  readonly signal: AbortSignal;
  /** Poll interval when the service sends no Retry-After. */
  readonly updateIntervalInMs: number;
  /** `x-ms-request-id` of every response, in order. */
  readonly requestIds: readonly string[];
  /** The tracing context of this call's span: its requests', and any sub-operation's, parent. */
  readonly tracingOptions: { tracingContext?: TracingContext };
  /**
   * True while a request with effects was sent and its outcome not seen: no
   * answer yet, an answer that started an operation still running, or an
   * error answer after an attempt that got no response.
   */
  readonly inDoubt: boolean;
  /** Send one request; a non-2xx status not in `accept` rejects with a `RestError`. */
  send(request: RawArmRequest, options?: SendOptions): Promise<ArmResponse>;
  /** Wait `ms` (no Retry-After advice means `updateIntervalInMs`); rejects when the signal aborts. */
  delay(ms: number): Promise<void>;
  /** The outcome of the writes sent so far is known (an operation reached a final state). */
  settle(): void;
  /**
   * Map an error to what the caller should see: a `TimeoutError` when the
   * deadline passed, an `AbortError` when the caller aborted, else itself.
   */
  translate(error: unknown): unknown;
  /** End the call: clear the deadline and end its span (with `error`, if it failed). Idempotent. */
  finish(error?: unknown): void;
  /** Run `fn` as the whole call: translate its error and finish. */
  run<T>(fn: () => Promise<T>): Promise<T>;
}

/** What a fleet adds to each of its VMs' operations. */
export interface OperationExtras {
  /** Admits each attempt of each request (the fleet's budgets). */
  gate?: RequestGate;
}


function toAbortSignal(signal: AbortSignalLike | undefined, cleanups: (() => void)[]): AbortSignal | undefined {
  if (!signal) return undefined;
  if (signal instanceof AbortSignal) return signal;
  // An AbortSignalLike from another implementation: bridge it with one listener, removed at the end.
  const bridge = new AbortController();
  if (signal.aborted) bridge.abort();
  const onAbort = (): void => bridge.abort();
  signal.addEventListener("abort", onAbort);
  cleanups.push(() => signal.removeEventListener("abort", onAbort));
  return bridge.signal;
}

function parseBody(response: PipelineResponse): unknown {
  const text = response.bodyAsText;
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw newRestError(
      `${response.request.method} ${withoutQuery(response.request.url)} returned ${response.status} with a body that is not JSON` +
        ` (x-ms-request-id: ${response.headers.get("x-ms-request-id") ?? "none"})`,
      { code: "InvalidResponseBody", statusCode: response.status, response: redactedResponse(response) },
    );
  }
}

/** Whether a 2xx answer to a write means the write is still running. */
function startsOperation(status: number, headers: Record<string, string>): boolean {
  return status === 202 || headers["azure-asyncoperation"] !== undefined || headers["operation-location"] !== undefined || headers["location"] !== undefined;
}

/**
 * Start one public call: a fresh correlation id, the combined signal
 * (`AbortSignal.any` of the caller's and the deadline's, so that calls
 * sharing a signal add no listener to it), the call's span and its deadline.
 * Options are checked first (`InvalidOption`), before any request.
 */
export function createOperation(
  connection: ArmConnection,
  name: string,
  options: OperationOptions = {},
  extras: OperationExtras = {},
): Operation {
  checkDurationInMs("timeoutInMs", options.timeoutInMs);
  checkDurationInMs("updateIntervalInMs", options.updateIntervalInMs);
  const cleanups: (() => void)[] = [];
  const deadline = new AbortController();
  const timeoutInMs = options.timeoutInMs ?? 0;
  const caller = toAbortSignal(options.abortSignal, cleanups);
  const signal = caller ? AbortSignal.any([caller, deadline.signal]) : deadline.signal;
  if (timeoutInMs > 0) {
    const timer = setTimeout(() => deadline.abort(), timeoutInMs);
    // A forgotten poller must not keep the process alive.
    timer.unref?.();
    cleanups.push(() => clearTimeout(timer));
  }
  const { span, updatedOptions } = connection.tracing.startSpan(name, options, { spanKind: "internal" });
  const tracingContext: TracingContext | undefined = updatedOptions.tracingOptions?.tracingContext;
  const requestIds: string[] = [];
  const correlationId = randomUUID();
  let inDoubt = false;
  // Writes of this operation being sent right now: one that fails unsent may clear the doubt only when it is alone.
  let writesInFlight = 0;
  let finished = false;
  const translated = new WeakSet<object>();

  const op: Operation = {
    name,
    target: connection.target,
    correlationId,
    signal,
    updateIntervalInMs: options.updateIntervalInMs ?? connection.updateIntervalInMs,
    requestIds,
    tracingOptions: tracingContext ? { tracingContext } : {},
    get inDoubt() {
      return inDoubt;
    },

    async send(raw, sendOptions = {}) {
      const loading = whenCallReady();
      if (loading) await loading;
      const { createPipelineRequest, createHttpHeaders } = coreRestPipeline();
      const request = createPipelineRequest({
        url: raw.url,
        method: raw.method,
        headers: createHttpHeaders(raw.headers),
        body: raw.body === undefined ? undefined : JSON.stringify(raw.body),
        abortSignal: signal,
      });
      // Set after creation, as the Azure SDK's own clients do: createPipelineRequest does not copy it.
      if (tracingContext) request.tracingOptions = { tracingContext };
      request.headers.set("x-ms-correlation-request-id", correlationId);
      const facts = requestFacts(request);
      if (extras.gate) facts.gate = extras.gate;
      if (sendOptions.budgets?.length) facts.budgets = sendOptions.budgets;
      const effects = sendOptions.effects ?? isWriteMethod(raw.method);
      const doubtedBefore = inDoubt;
      if (effects) {
        inDoubt = true;
        writesInFlight++;
      }
      let response: PipelineResponse;
      try {
        response = await connection.transport.sendRequest(request);
      } catch (e) {
        // A write none of whose attempts went out without an answer (it was aborted while it
        // waited for its budget, say) cannot have landed: it leaves the outcome as it was,
        // unless another write of this operation is on its way meanwhile.
        if (effects && facts.unanswered === 0 && writesInFlight === 1) inDoubt = doubtedBefore;
        throw scrubError(e);
      } finally {
        if (effects) writesInFlight--;
      }
      const requestId = response.headers.get("x-ms-request-id");
      if (requestId) requestIds.push(requestId);
      logger.verbose(`${name}: ${raw.method} ${withoutQuery(raw.url)} -> ${response.status} (x-ms-request-id: ${requestId ?? "none"})`);
      const headers: Record<string, string> = {};
      for (const [key, value] of response.headers) headers[key.toLowerCase()] = value;
      const ok = response.status >= 200 && response.status < 300;
      if (effects) {
        // Refused outright, or done at once: the outcome is seen. An error
        // answer after an unanswered attempt is not: that attempt may have landed.
        if ((!ok && facts.unanswered === 0) || (ok && !startsOperation(response.status, headers))) inDoubt = false;
      }
      if (!ok && !sendOptions.accept?.includes(response.status)) {
        let body: unknown;
        try {
          body = parseBody(response);
        } catch {
          body = undefined;
        }
        throw restErrorFromResponse(response, body);
      }
      return {
        status: response.status,
        headers,
        body: parseBody(response),
        ...(requestId ? { requestId } : {}),
        request: raw,
        attempts: facts.attempts,
        unansweredAttempts: facts.unanswered,
        raw: redactedResponse(response),
      };
    },

    async delay(ms) {
      const { delay } = pollingModule.loaded() ?? (await pollingModule.load());
      return delay(ms, { abortSignal: signal });
    },

    settle() {
      inDoubt = false;
    },

    translate(error) {
      if (typeof error === "object" && error !== null && translated.has(error)) return error;
      const pending = inDoubt ? " A write was sent and its outcome was not seen: it may still complete on the server." : "";
      if (deadline.signal.aborted) {
        const timeout = new TimeoutError(`${name} did not finish within ${timeoutInMs} ms (timeoutInMs).${pending}`, timeoutInMs, { cause: error });
        translated.add(timeout);
        return timeout;
      }
      if (caller?.aborted) {
        const aborted = new AbortError(`${name} was aborted.${pending}`);
        (aborted as Error & { cause?: unknown }).cause = error;
        translated.add(aborted);
        return aborted;
      }
      return error;
    },

    finish(error) {
      if (finished) return;
      finished = true;
      for (const cleanup of cleanups.splice(0)) cleanup();
      endSpan(span, error);
    },

    async run(fn) {
      try {
        if (signal.aborted) throw signal.reason;
        // Code inside a call may make a RestError before its first request.
        const loading = whenCallReady();
        if (loading) await loading;
        const result = await fn();
        op.finish();
        return result;
      } catch (e) {
        const error = op.translate(e);
        op.finish(error);
        throw error;
      }
    },
  };
  return op;
}

function endSpan(span: TracingSpan, error: unknown): void {
  if (error === undefined) span.setStatus({ status: "success" });
  else span.setStatus({ status: "error", error: error instanceof Error ? error : String(error) });
  span.end();
}
