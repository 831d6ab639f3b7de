/**
 * What happens to every request, in order: it is logged, then answered by an
 * injected fault if one matches, else checked for authentication, api-version
 * and (writes) throttling before it is routed. Every response gets ARM's
 * request-id headers.
 */
import { randomUUID } from "node:crypto";
import type { FakeAuth } from "./auth.js";
import type { RouteRequest } from "./context.js";
import { errorResponse } from "./errors.js";
import { isConnectionFault, type FaultRegistry } from "./faults.js";
import { isWrite, type RequestLog } from "./requestLog.js";
import type { ArmResponse, Outcome } from "./response.js";
import type { Throttle } from "./throttle.js";

/** A request as read off the socket. */
export interface RawRequest {
  method: string;
  url: URL;
  /** Lower-case names. */
  headers: Record<string, string>;
  rawBody: string;
}

/** What the pipeline is made of. */
export interface PipelineDeps {
  log: RequestLog;
  faults: FaultRegistry;
  auth: FakeAuth;
  throttle: Throttle;
  route(req: RouteRequest): ArmResponse;
}

const REMAINING_WRITES = "x-ms-ratelimit-remaining-subscription-writes";

/** Creates the request pipeline. */
export function createPipeline(deps: PipelineDeps): (raw: RawRequest) => Outcome {
  function process(raw: RawRequest, body: unknown, bodyIsInvalid: boolean): ArmResponse {
    const denied = deps.auth.check(raw.headers.authorization);
    if (denied) return denied;

    const apiVersion = raw.url.searchParams.get("api-version");
    if (!apiVersion) {
      return errorResponse(
        400,
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.",
      );
    }

    let throttleHeaders: Record<string, string> = {};
    if (isWrite(raw.method)) {
      const verdict = deps.throttle.take(subscriptionOf(raw.url.pathname));
      if (verdict && !verdict.allowed) {
        return errorResponse(
          429,
          "TooManyRequests",
          `The request is throttled: too many writes for this subscription. Retry after ${verdict.retryAfterSeconds} second(s).`,
          undefined,
          { "Retry-After": String(verdict.retryAfterSeconds), [REMAINING_WRITES]: "0" },
        );
      }
      if (verdict) throttleHeaders = { [REMAINING_WRITES]: String(verdict.remaining) };
    }

    const response = deps.route({ method: raw.method, url: raw.url, headers: raw.headers, body, bodyIsInvalid, apiVersion });
    return { ...response, headers: { ...response.headers, ...throttleHeaders } };
  }

  return (raw) => {
    const parsed = parseBody(raw.rawBody);
    const entry = deps.log.record({
      method: raw.method,
      url: raw.url.href,
      headers: raw.headers,
      body: parsed.ok ? parsed.value : raw.rawBody,
      receivedAt: Date.now(),
    });

    const fault = deps.faults.take(raw.method, raw.url.pathname + raw.url.search);
    let response: ArmResponse;
    if (fault) {
      entry.faulted = true;
      if (isConnectionFault(fault)) return { kind: fault.kind };
      response = { status: fault.status, headers: fault.headers, body: fault.body };
    } else {
      try {
        response = process(raw, parsed.ok ? parsed.value : undefined, !parsed.ok);
      } catch (err) {
        response = errorResponse(500, "InternalServerError", `The ARM emulator failed: ${String(err)}`);
      }
    }
    entry.status = response.status;
    return { kind: "respond", response: { ...response, headers: finalHeaders(raw.headers, response.headers) } };
  };
}

function parseBody(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The subscription a path addresses (the throttle's bucket), or "" for none. */
function subscriptionOf(pathname: string): string {
  const [, first, second] = pathname.split("/");
  return first?.toLowerCase() === "subscriptions" && second ? second.toLowerCase() : "";
}

/** ARM's tracing headers, then the response's own; names lower-cased so later values win. */
function finalHeaders(request: Record<string, string>, own: Record<string, string> | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    "x-ms-request-id": randomUUID(),
    "x-ms-correlation-request-id": request["x-ms-correlation-request-id"] ?? randomUUID(),
  };
  const clientRequestId = request["x-ms-client-request-id"];
  if (clientRequestId !== undefined) headers["x-ms-client-request-id"] = clientRequestId;
  for (const [name, value] of Object.entries(own ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}
