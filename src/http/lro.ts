import type { OperationResponse, RunningOperation } from "@azure/core-lro";
import { createHttpPoller } from "@azure/core-lro";
import { RestError, isRestError } from "@azure/core-rest-pipeline";
import { armRequest, type RawArmRequest, withoutQuery } from "../core/request.js";
import { logger } from "../logger.js";
import type { ArmHttpClient, ArmResponse } from "./armHttpClient.js";
import type { OperationContext } from "./operationContext.js";
import { restErrorFromOperation } from "./restError.js";

const TERMINAL = new Set(["succeeded", "failed", "canceled", "cancelled"]);

/** `properties.provisioningState` (or a top-level one) of a resource body. */
export function provisioningStateOf(body: unknown): string | undefined {
  const b = body as { provisioningState?: unknown; properties?: { provisioningState?: unknown } } | undefined;
  const state = b?.properties?.provisioningState ?? b?.provisioningState;
  return typeof state === "string" ? state : undefined;
}

function isTerminal(state: string | undefined): boolean {
  return state === undefined || TERMINAL.has(state.toLowerCase());
}

function toOperationResponse(response: ArmResponse, method: string, url: string): OperationResponse<unknown> {
  return {
    flatResponse: response.body,
    rawResponse: { statusCode: response.status, headers: response.headers, body: response.body, request: { method, url } },
  };
}

const MAX_IMMEDIATE_POLLS = 5;

/** Whether a poll response says the operation is still going (202, or a non-final status). */
function isRunning(response: ArmResponse): boolean {
  if (response.status === 202) return true;
  const status = (response.body as { status?: unknown } | undefined)?.status ?? provisioningStateOf(response.body);
  return typeof status === "string" && !TERMINAL.has(status.toLowerCase());
}

/**
 * Wait for the long-running operation that `initial` (the response to `request`)
 * started, with `@azure/core-lro`: the `Azure-AsyncOperation` URL first, then
 * `Location`, then the resource's `provisioningState`, honouring `Retry-After`.
 * Resolves when it succeeded; a `Failed` or `Canceled` operation rejects with
 * a `RestError` carrying the operation's own error code and message.
 *
 * The resource itself is not read here: callers read it back themselves.
 */
export async function waitForOperation(
  http: ArmHttpClient,
  request: RawArmRequest,
  initial: ArmResponse,
  ctx: OperationContext,
): Promise<void> {
  const statusUrl = initial.headers["azure-asyncoperation"];
  const origin = new URL(request.url).origin;
  // core-lro follows a resource's provisioningState only for a PUT; a PATCH that
  // names no status URL but is still running is followed the same way.
  const followBody =
    request.method !== "DELETE" && !statusUrl && !initial.headers["location"] && !isTerminal(provisioningStateOf(initial.body));
  const lroMethod = followBody ? "PUT" : request.method;
  let last: ArmResponse = initial;
  const operation: RunningOperation<unknown> = {
    sendInitialRequest: async () => toOperationResponse(initial, lroMethod, request.url),
    sendPollRequest: async (url) => {
      // The token goes with every poll: never to a host other than the one asked.
      if (new URL(url, origin).origin !== origin) {
        throw new RestError(`Refusing to poll ${withoutQuery(url)}: it is not on ${origin}, where ${request.method} ${withoutQuery(request.url)} was sent`, {
          code: "UntrustedPollingUrl",
        });
      }
      // A DELETE polled through its Location (not a status URL) is done once the resource is gone.
      const goneMeansDone = request.method === "DELETE" && url !== statusUrl;
      const poll = async (): Promise<ArmResponse> => {
        const answer = await http.send(armRequest("GET", new URL(url, origin).href), ctx, { allowStatuses: goneMeansDone ? [404] : [] });
        return answer.status === 404 ? { ...answer, status: 204, body: undefined } : answer;
      };
      let response = await poll();
      // core-lro reads `Retry-After: 0` as "no advice" and waits its own interval;
      // the service meant "now", so poll again at once (a few times at most).
      for (let again = 0; again < MAX_IMMEDIATE_POLLS && response.headers["retry-after"]?.trim() === "0" && isRunning(response); again++) {
        await new Promise((resolve) => setImmediate(resolve));
        response = await poll();
      }
      logger.verbose(
        `${ctx.name}: polled ${withoutQuery(url)}: ${response.status} ${String((response.body as { status?: unknown } | undefined)?.status ?? provisioningStateOf(response.body) ?? "")}`.trim(),
      );
      last = response;
      return toOperationResponse(response, "GET", url);
    },
  };
  const poller = createHttpPoller(operation, {
    intervalInMs: ctx.updateIntervalInMs,
    skipFinalGet: true,
    resolveOnUnsuccessful: true,
  });
  try {
    await poller.pollUntilDone({ abortSignal: ctx.abortSignal });
  } catch (e) {
    if (ctx.abortSignal.aborted) throw e;
    // A failure to read the status is not a failure of the operation: say so.
    const why = `Could not read the status of ${request.method} ${withoutQuery(request.url)}; the operation itself may still succeed, so read the resource before retrying.`;
    if (isRestError(e)) {
      e.message = `${why} ${e.message}`;
      throw e;
    }
    throw new RestError(`${why} ${(e as Error).message}`, { code: "InvalidOperationStatus", statusCode: last.status });
  }
  const { status } = poller.operationState ?? {};
  if (status === "failed" || status === "canceled") {
    const reported = (last.body as { status?: unknown } | undefined)?.status ?? provisioningStateOf(last.body);
    throw restErrorFromOperation(
      `${request.method} ${withoutQuery(request.url)}`,
      typeof reported === "string" ? reported : status === "failed" ? "Failed" : "Canceled",
      last.body,
      last.requestId,
      last.status,
    );
  }
}

/**
 * Wait until the resource at `url` is no longer in a running provisioning
 * state: for a write this call may have made already (a replay answered 412 or
 * 409), so that what is read back afterwards is final.
 */
export async function waitForProvisioning(http: ArmHttpClient, url: string, ctx: OperationContext): Promise<void> {
  const current = await http.send(armRequest("GET", url), ctx);
  if (isTerminal(provisioningStateOf(current.body))) return;
  await waitForOperation(http, armRequest("PUT", url), { ...current, headers: {} }, ctx);
}
