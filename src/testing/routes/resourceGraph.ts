/**
 * `POST /providers/Microsoft.ResourceGraph/resources`: Resource Graph queries
 * over every subscription the emulator serves, paged with `$skipToken`.
 */
import { randomUUID } from "node:crypto";
import type { EmulatorState, RouteHandler, RouteRequest } from "../context.js";
import { isPlainObject } from "../json.js";
import { KqlError, parseKql } from "../kql.js";
import { createResultCache, renderRow, runQuery, type QueryResult } from "../resourceGraph.js";
import type { ArmResponse } from "../response.js";
import { json } from "../response.js";

/** Rows per page when the request names no `$top`, and the most it may name. */
const DEFAULT_TOP = 100;
const MAX_TOP = 1000;

/** Resource Graph's own error shape: a support stamp, then the details that say what is wrong. */
function graphError(status: number, code: string, details: Array<Record<string, unknown>>, headers?: Record<string, string>): ArmResponse {
  const stamp = `Please provide below info when asking for support: timestamp = ${new Date().toISOString()}, correlationId = ${randomUUID()}.`;
  return { status, headers, body: { error: { code, message: stamp, details } } };
}

const INVALID_QUERY = {
  code: "InvalidQuery",
  message: "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.",
};

function badRequest(message: string, extra: Record<string, unknown> = {}): ArmResponse {
  return graphError(400, "BadRequest", [INVALID_QUERY, { code: "ParserFailure", message, ...extra }]);
}

function badOption(message: string): ArmResponse {
  return graphError(400, "BadRequest", [{ code: "InvalidRequestContent", message }]);
}

interface GraphRequest {
  query: string;
  subscriptions: string[] | undefined;
  top: number;
  skip: number;
  skipToken: string | undefined;
}

/** The request's parts, or the 400 that refuses it. */
function readRequest(req: RouteRequest, pageCap: number): GraphRequest | ArmResponse {
  const body = req.body;
  if (req.bodyIsInvalid || !isPlainObject(body)) return badOption("The request content must be a JSON object with a 'query'.");
  const { query, subscriptions, options = {}, managementGroups } = body;
  if (typeof query !== "string" || query.trim() === "") return badOption("The request content must have a non-empty string 'query'.");
  if (managementGroups !== undefined) return badOption("The ARM emulator answers queries over 'subscriptions' only, not 'managementGroups'.");
  if (subscriptions !== undefined && !(Array.isArray(subscriptions) && subscriptions.every((s) => typeof s === "string"))) {
    return badOption("'subscriptions' must be an array of subscription ids.");
  }
  if (!isPlainObject(options)) return badOption("'options' must be an object.");
  const { $top, $skip, $skipToken, resultFormat } = options;
  if ($top !== undefined && !(Number.isInteger($top) && ($top as number) >= 1 && ($top as number) <= MAX_TOP)) {
    return badOption(`options.$top must be an integer from 1 to ${MAX_TOP}.`);
  }
  if ($skip !== undefined && !(Number.isInteger($skip) && ($skip as number) >= 0)) return badOption("options.$skip must be an integer >= 0.");
  if ($skipToken !== undefined && typeof $skipToken !== "string") return badOption("options.$skipToken must be a string.");
  if (resultFormat !== undefined && resultFormat !== "objectArray") {
    return badOption("The ARM emulator answers options.resultFormat 'objectArray' only.");
  }
  return {
    query,
    subscriptions: subscriptions as string[] | undefined,
    top: Math.min(($top as number | undefined) ?? DEFAULT_TOP, pageCap),
    skip: ($skip as number | undefined) ?? 0,
    skipToken: $skipToken as string | undefined,
  };
}

function encodeToken(result: string, offset: number): string {
  return Buffer.from(JSON.stringify({ result, offset })).toString("base64url");
}

function decodeToken(token: string): { result: string; offset: number } | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { result?: unknown; offset?: unknown };
    return typeof value.result === "string" && Number.isInteger(value.offset) ? { result: value.result, offset: value.offset as number } : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the Resource Graph handler over the states of every subscription served. */
export function createResourceGraphRoute(subscriptions: ReadonlyMap<string, EmulatorState>): RouteHandler {
  const first = subscriptions.values().next().value as EmulatorState;
  const { limits, config, clock } = first;
  const results = createResultCache();

  function select(request: GraphRequest): QueryResult | ArmResponse {
    try {
      const query = parseKql(request.query);
      const states =
        request.subscriptions === undefined
          ? [...subscriptions.values()]
          : [...new Set(request.subscriptions.map((s) => s.toLowerCase()))].flatMap((s) => subscriptions.get(s) ?? []);
      return runQuery(query, states);
    } catch (err) {
      if (!(err instanceof KqlError)) throw err;
      return badRequest(err.message, { line: err.line, characterPositionInLine: err.characterPositionInLine, token: err.token });
    }
  }

  return (req) => {
    const quota = limits.graph.charge(req.principal.objectId);
    if (!quota.allowed) {
      return graphError(
        429,
        "RateLimiting",
        [
          {
            code: "RateLimiting",
            message: "Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed.",
          },
        ],
        { ...quota.headers, ...clock.retryAfter(quota.retryAfterSeconds) },
      );
    }
    const answer = (response: ArmResponse): ArmResponse => ({ ...response, headers: { ...response.headers, ...quota.headers } });

    const request = readRequest(req, config.listPageSize);
    if ("status" in request) return answer(request);
    let result: QueryResult;
    let resultId: string;
    let offset: number;
    if (request.skipToken !== undefined) {
      const token = decodeToken(request.skipToken);
      const found = token && results.find(token.result);
      if (!token || !found) return answer(badOption("options.$skipToken is not one this emulator issued, or its results have expired."));
      [result, resultId, offset] = [found, token.result, token.offset];
    } else {
      const selected = select(request);
      if ("status" in selected) return answer(selected);
      [result, resultId, offset] = [selected, results.store(selected), request.skip];
    }

    const end = offset + request.top;
    const more = end < result.rows.length;
    // Resource Graph pages only results that carry `id`; others are cut at the first page.
    const pageable = result.columns.includes("id");
    const data = result.rows.slice(offset, end).map((row) => renderRow(row, result.columns));
    return answer(
      json({
        totalRecords: result.rows.length,
        count: data.length,
        resultTruncated: more && !pageable ? "true" : "false",
        ...(more && pageable && { $skipToken: encodeToken(resultId, end) }),
        facets: [],
        data,
      }),
    );
  };
}
