import type { OperationResponse, RunningOperation } from "@azure/core-lro";
import { createHttpPoller } from "@azure/core-lro";
import { isRestError } from "@azure/core-rest-pipeline";
import { armRequest, type RawArmRequest } from "../core/request.js";
import { logger } from "../logger.js";
import type { ArmHttpClient, ArmResponse } from "./armHttpClient.js";
import type { OperationContext } from "./operationContext.js";
import { restErrorFromOperation } from "./restError.js";

function toOperationResponse(response: ArmResponse, method: string, url: string): OperationResponse<unknown> {
  return {
    flatResponse: response.body,
    rawResponse: { statusCode: response.status, headers: response.headers, body: response.body, request: { method, url } },
  };
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
  let last: ArmResponse = initial;
  const operation: RunningOperation<unknown> = {
    sendInitialRequest: async () => toOperationResponse(initial, request.method, request.url),
    sendPollRequest: async (url) => {
      // A DELETE polled through its Location (not a status URL) is done once the resource is gone.
      const goneMeansDone = request.method === "DELETE" && url !== statusUrl;
      let response = await http.send(armRequest("GET", url), ctx, { allowStatuses: goneMeansDone ? [404] : [] });
      if (response.status === 404) response = { ...response, status: 204, body: undefined };
      logger.verbose(
        `${ctx.name}: polled ${url.split("?")[0]}: ${response.status} ${String((response.body as { status?: unknown } | undefined)?.status ?? "")}`.trim(),
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
    // A failure to read the status is not a failure of the operation: say so.
    if (isRestError(e) && !ctx.abortSignal.aborted) {
      e.message =
        `Could not read the status of ${request.method} ${request.url.split("?")[0]}; ` +
        `the operation itself may still succeed, so read the resource before retrying. ${e.message}`;
    }
    throw e;
  }
  const { status } = poller.operationState ?? {};
  if (status === "failed" || status === "canceled") {
    const reported = (last.body as { status?: unknown } | undefined)?.status;
    throw restErrorFromOperation(
      `${request.method} ${request.url.split("?")[0]}`,
      typeof reported === "string" ? reported : status === "failed" ? "Failed" : "Canceled",
      last.body,
      last.requestId,
      last.status,
    );
  }
}
