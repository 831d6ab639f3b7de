/**
 * What happens to every request, in order: operations whose time has come
 * finish, the request is counted and logged, then answered by an injected
 * fault if one matches, else checked for authentication, api-version, ARM's
 * budgets and (writes) the throttle before it is routed. Every response gets
 * ARM's request-id headers.
 */
import { randomUUID } from "node:crypto";
import type { ArmLimits } from "./armLimits.js";
import type { FakeAuth } from "./auth.js";
import type { RouteRequest } from "./context.js";
import { errorResponse } from "./errors.js";
import { isConnectionFault, isLostResponseFault, type FaultRegistry } from "./faults.js";
import { loggedHeaders, type RequestLog } from "./requestLog.js";
import type { ArmResponse, Outcome } from "./response.js";
import { isWrite, type StatsCounter } from "./stats.js";
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
  stats: StatsCounter;
  faults: FaultRegistry;
  auth: FakeAuth;
  throttle: Throttle;
  arm: ArmLimits;
  /** Whether the emulator serves the subscription (only those are charged to ARM's budgets). */
  servesSubscription(id: string): boolean;
  /** Finishes the operations whose time has come. */
  settle(): void;
  route(req: RouteRequest): ArmResponse;
}

const REMAINING_WRITES = "x-ms-ratelimit-remaining-subscription-writes";

/** Creates the request pipeline. */
export function createPipeline(deps: PipelineDeps): (raw: RawRequest) => Outcome {
  function process(raw: RawRequest, body: unknown, bodyIsInvalid: boolean): ArmResponse {
    const auth = deps.auth.check(raw.headers.authorization);
    if ("denied" in auth) return auth.denied;

    const apiVersion = raw.url.searchParams.get("api-version");
    if (!apiVersion) {
      return errorResponse(
        400,
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.",
      );
    }

    const subscription = subscriptionOf(raw.url.pathname);
    let budgetHeaders: Record<string, string> = {};
    if (subscription && deps.servesSubscription(subscription)) {
      const charge = deps.arm.charge(subscription, auth.principal, raw.method);
      if ("throttled" in charge) return charge.throttled;
      budgetHeaders = charge.headers;
    }

    let throttleHeaders: Record<string, string> = {};
    if (isThrottledWrite(raw.method)) {
      const verdict = deps.throttle.take(subscription);
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

    const responseHeaders: Record<string, string> = {};
    const response = deps.route({
      method: raw.method,
      url: raw.url,
      headers: raw.headers,
      body,
      bodyIsInvalid,
      apiVersion,
      principal: auth.principal,
      responseHeaders,
    });
    return { ...response, headers: { ...response.headers, ...responseHeaders, ...throttleHeaders, ...budgetHeaders } };
  }

  function handle(raw: RawRequest, parsed: ParsedBody): ArmResponse {
    try {
      return process(raw, parsed.ok ? parsed.value : undefined, !parsed.ok);
    } catch (err) {
      return errorResponse(500, "InternalServerError", `The ARM emulator failed: ${String(err)}`);
    }
  }

  return (raw) => {
    deps.settle();
    deps.stats.received(raw.method);
    const parsed = parseBody(raw.rawBody);
    const entry = deps.log.record({
      method: raw.method,
      url: raw.url.href,
      headers: loggedHeaders(raw.headers),
      body: parsed.ok ? parsed.value : raw.rawBody,
      receivedAt: Date.now(),
    });

    const fault = deps.faults.take(raw.method, raw.url.pathname + raw.url.search);
    let response: ArmResponse;
    if (fault && isConnectionFault(fault)) {
      entry.faulted = true;
      deps.stats.answered(raw.method, { status: undefined, faulted: true });
      return { kind: fault.kind };
    } else if (fault && isLostResponseFault(fault)) {
      response = handle(raw, parsed);
      entry.faulted = true;
      entry.status = response.status;
      entry.responseLost = true;
      deps.stats.answered(raw.method, { status: response.status, faulted: true, responseLost: true });
      return { kind: "reset" };
    } else if (fault) {
      entry.faulted = true;
      response = { status: fault.status, headers: fault.headers, body: fault.body };
    } else {
      response = handle(raw, parsed);
    }
    entry.status = response.status;
    deps.stats.answered(raw.method, { status: response.status, faulted: entry.faulted });
    return { kind: "respond", response: { ...response, headers: finalHeaders(raw.headers, response.headers) } };
  };
}

/** The legacy throttle (`setThrottle`) counts PUT, PATCH and DELETE, as it always has. */
function isThrottledWrite(method: string): boolean {
  return isWrite(method) && method !== "POST";
}

type ParsedBody = { ok: true; value: unknown } | { ok: false };

function parseBody(text: string): ParsedBody {
  if (text === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

const SUBSCRIPTION_PATH = /^\/subscriptions\/([^/]+)/i;

/** The subscription a path addresses, or "" for none. */
function subscriptionOf(pathname: string): string {
  const match = SUBSCRIPTION_PATH.exec(pathname);
  if (!match) return "";
  try {
    return decodeURIComponent(match[1] as string).toLowerCase();
  } catch {
    return "";
  }
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
