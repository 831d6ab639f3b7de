import type { PipelineRequest, PipelineResponse, RestError } from "@azure/core-rest-pipeline";
import { coreRestPipeline, newRestError } from "./lazyDependencies.js";
import { withoutQuery } from "../core/request.js";

/** An ARM error body: `{ error: { code, message, target?, details? } }`. */
export interface ArmErrorBody {
  code?: string;
  message?: string;
  target?: string;
  details?: { code?: string; message?: string; target?: string }[];
}

/** Read `error` from an ARM response or operation-status body. */
export function armErrorOf(body: unknown): ArmErrorBody | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  return error && typeof error === "object" ? (error as ArmErrorBody) : undefined;
}

/**
 * A copy of the request that is safe to keep on an error: no Authorization
 * header and no body (bodies are ours, and a caller may log the error).
 */
export function redactedRequest(request: PipelineRequest): PipelineRequest {
  const { createHttpHeaders, createPipelineRequest } = coreRestPipeline();
  const headers = createHttpHeaders();
  for (const [name, value] of request.headers) {
    if (name.toLowerCase() !== "authorization") headers.set(name, value);
  }
  return createPipelineRequest({ url: request.url, method: request.method, headers, requestId: request.requestId });
}

/** A copy of the response whose request is {@link redactedRequest}. */
export function redactedResponse(response: PipelineResponse): PipelineResponse {
  return { ...response, request: redactedRequest(response.request) };
}

/** Remove the Authorization header from the request an error carries, in place. */
export function scrubError(e: unknown): unknown {
  const request = (e as { request?: PipelineRequest } | undefined)?.request;
  if (request?.headers?.has?.("authorization")) request.headers.delete("authorization");
  const response = (e as { response?: PipelineResponse } | undefined)?.response;
  if (response?.request?.headers?.has?.("authorization")) response.request.headers.delete("authorization");
  return e;
}

function requestIdNote(response: PipelineResponse): string {
  const requestId = response.headers.get("x-ms-request-id");
  return requestId ? ` (x-ms-request-id: ${requestId})` : "";
}

/**
 * Turn a non-2xx ARM response into a `RestError` whose `code` is ARM's error
 * code and whose message names the method, URL, status, ARM's message and the
 * `x-ms-request-id`.
 */
export function restErrorFromResponse(response: PipelineResponse, body: unknown): RestError {
  const safe = redactedResponse(response);
  const error = armErrorOf(body);
  const code = error?.code ?? `HttpStatus${response.status}`;
  const detail = error?.message ?? (response.bodyAsText ? response.bodyAsText.slice(0, 500) : "no error message");
  const message =
    `${safe.request.method} ${withoutQuery(safe.request.url)} failed with ${response.status} ${code}: ${detail}` + requestIdNote(response);
  return newRestError(message, { code, statusCode: response.status, request: safe.request, response: safe });
}

/**
 * A `RestError` for a long-running operation that ended `Failed` or
 * `Canceled`: its `code` is the operation's own error code (else
 * `OperationFailed` / `OperationCanceled`), it has no `statusCode` (the HTTP
 * exchanges succeeded; the operation did not), and `response` is the status
 * response that reported the end.
 */
export function restErrorFromOperation(what: string, status: "Failed" | "Canceled", statusResponse: PipelineResponse, body: unknown): RestError {
  const safe = redactedResponse(statusResponse);
  const error = armErrorOf(body);
  const code = error?.code ?? (status === "Canceled" ? "OperationCanceled" : "OperationFailed");
  const message = `${what} ended ${status}: ${code}: ${error?.message ?? "the service gave no reason"}` + requestIdNote(statusResponse);
  return newRestError(message, { code, request: safe.request, response: safe });
}
