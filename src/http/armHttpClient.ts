import type { PipelineResponse } from "@azure/core-rest-pipeline";
import { RestError, createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { type RawArmRequest, withoutQuery } from "../core/request.js";
import { logger } from "../logger.js";
import type { ArmPipeline } from "./pipeline.js";
import type { OperationContext } from "./operationContext.js";
import { restErrorFromResponse, scrubError } from "./restError.js";
import { bindWritePacer } from "./writePacingPolicy.js";
import { attemptsOf } from "./attemptCounterPolicy.js";

const replayed = new WeakSet<object>();

/**
 * Whether the request that failed with `error` was sent more than once: a
 * 412 or 409 on a replayed write may answer a replay of a write that landed.
 */
export function wasReplayed(error: unknown): boolean {
  return typeof error === "object" && error !== null && replayed.has(error);
}

/** A response from ARM with its JSON body parsed. */
export interface ArmResponse {
  status: number;
  /** How many times the request was sent (1 unless the pipeline retried it). */
  attempts?: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: unknown;
  requestId?: string;
}

/** Options for {@link ArmHttpClient.send}. */
export interface SendOptions {
  /** Non-2xx statuses to return instead of throwing (e.g. 404 for "absent"). */
  allowStatuses?: readonly number[];
}

function parseBody(response: PipelineResponse): unknown {
  const text = response.bodyAsText;
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new RestError(
      `${response.request.method} ${withoutQuery(response.request.url)} returned ${response.status} with a body that is not JSON` +
        ` (x-ms-request-id: ${response.headers.get("x-ms-request-id") ?? "none"})`,
      { code: "InvalidResponseBody", statusCode: response.status },
    );
  }
}

/**
 * The thin HTTP layer: sends a {@link RawArmRequest} through the pipeline with
 * the operation's correlation id and abort signal, parses the JSON reply and
 * turns any non-2xx status into a `RestError`.
 */
export class ArmHttpClient {
  constructor(private readonly transport: ArmPipeline) {}

  /** Send one request on behalf of the operation `ctx`. */
  async send(raw: RawArmRequest, ctx: OperationContext, options: SendOptions = {}): Promise<ArmResponse> {
    const request = createPipelineRequest({
      url: raw.url,
      method: raw.method,
      headers: createHttpHeaders(raw.headers),
      body: raw.body === undefined ? undefined : JSON.stringify(raw.body),
      abortSignal: ctx.abortSignal,
    });
    request.headers.set("x-ms-correlation-request-id", ctx.correlationId);
    bindWritePacer(request, ctx.pacer);
    let response: PipelineResponse;
    try {
      response = await this.transport.pipeline.sendRequest(this.transport.httpClient, request);
    } catch (e) {
      throw scrubError(e);
    }
    const requestId = response.headers.get("x-ms-request-id");
    if (requestId) ctx.requestIds.push(requestId);
    logger.verbose(`${ctx.name}: ${raw.method} ${withoutQuery(raw.url)} -> ${response.status} (x-ms-request-id: ${requestId ?? "none"})`);
    const ok = response.status >= 200 && response.status < 300;
    if (!ok && !options.allowStatuses?.includes(response.status)) {
      let body: unknown;
      try {
        body = parseBody(response);
      } catch {
        body = undefined;
      }
      const error = restErrorFromResponse(response, body);
      if (attemptsOf(request) > 1) replayed.add(error);
      throw error;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of response.headers) headers[name.toLowerCase()] = value;
    return { status: response.status, headers, body: parseBody(response), requestId, attempts: attemptsOf(request) };
  }
}
