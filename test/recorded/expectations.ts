/**
 * Assertions shared by the recorded tests: what the library put on the wire,
 * and what the fixtures must look like to be faithful to ARM
 * (docs/arm.md §3, §4, §6, §7).
 */
import { expect } from "vitest";
import { SDK_VERSION } from "../../src/index.js";
import type { RecordedDefinition } from "../recordings/sanitize.js";
import { ARM_ORIGIN, COMPUTE_API_VERSION, type Exchange, FAKE_TOKEN, type RecordedRun } from "./harness.js";

export const GUID_SOURCE = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
export const GUID = new RegExp(`^${GUID_SOURCE}$`, "i");

/** One request the library must send, in order. */
export interface ExpectedRequest {
  method: "GET" | "PUT" | "PATCH" | "DELETE";
  /** Path and query, exactly. */
  path: string;
  ifMatch?: string;
  ifNoneMatch?: string;
  /** The JSON body; omit for none. */
  body?: unknown;
}

/** One or more GETs of an operation status URL (used verbatim). */
export interface ExpectedPolls {
  polls: string;
}

function pathOf(absoluteUrl: string): string {
  const url = new URL(absoluteUrl);
  return url.pathname + url.search;
}

function describeSent(e: Exchange): Record<string, unknown> {
  return {
    method: e.method,
    path: e.path,
    apiVersion: new URL(e.path, ARM_ORIGIN).searchParams.get("api-version"),
    ifMatch: e.headers["if-match"],
    ifNoneMatch: e.headers["if-none-match"],
    contentType: e.headers["content-type"],
    body: e.body,
  };
}

function describeExpected(r: ExpectedRequest): Record<string, unknown> {
  return {
    method: r.method,
    path: r.path,
    apiVersion: new URL(r.path, ARM_ORIGIN).searchParams.get("api-version"),
    ifMatch: r.ifMatch,
    ifNoneMatch: r.ifNoneMatch,
    contentType: r.body === undefined ? undefined : "application/json",
    body: r.body,
  };
}

/**
 * The exact sequence of requests: method, path with query (so api-version),
 * If-Match / If-None-Match (absent unless expected), Content-Type (only with a
 * body) and the JSON body. A status URL is polled at least once, verbatim; how
 * many times is the fixture's business (replay also checks every interceptor
 * was used exactly once).
 */
export function expectRequests(exchanges: readonly Exchange[], expected: readonly (ExpectedRequest | ExpectedPolls)[]): void {
  const actual = exchanges.map(describeSent);
  const want: Record<string, unknown>[] = [];
  for (const item of expected) {
    if ("polls" in item) {
      const poll: ExpectedRequest = { method: "GET", path: pathOf(item.polls) };
      let n = 0;
      while (exchanges[want.length + n]?.method === "GET" && exchanges[want.length + n]?.path === poll.path) n++;
      for (let i = 0; i < Math.max(1, n); i++) want.push(describeExpected(poll));
    } else {
      want.push(describeExpected(item));
    }
  }
  expect(actual).toEqual(want);
}

/**
 * The headers every request of one call carries: the bearer token, the SDK's
 * user agent, `Accept: application/json`, one correlation id shared by all of
 * them (the call's), and a distinct client request id each.
 */
export function expectCallHeaders(run: RecordedRun<unknown>, correlationId?: string): void {
  const { exchanges } = run;
  expect(exchanges.length).toBeGreaterThan(0);
  for (const e of exchanges) {
    if (run.recorded) expect(e.headers["authorization"]).toMatch(/^Bearer \S+$/);
    else expect(e.headers["authorization"]).toBe(`Bearer ${FAKE_TOKEN}`);
    expect(e.headers["user-agent"]?.startsWith(`azure-vm-identity/${SDK_VERSION}`), `user-agent ${e.headers["user-agent"]}`).toBe(true);
    expect(e.headers["accept"]).toBe("application/json");
    expect(e.headers["x-ms-client-request-id"]).toMatch(GUID);
    if (!run.recorded) expect(e.headers["host"]).toBe("management.azure.com");
  }
  const correlationIds = new Set(exchanges.map((e) => e.headers["x-ms-correlation-request-id"]));
  expect([...correlationIds]).toHaveLength(1);
  const [shared] = correlationIds;
  expect(shared).toMatch(GUID);
  if (correlationId !== undefined) expect(shared).toBe(correlationId);
  expect(new Set(exchanges.map((e) => e.headers["x-ms-client-request-id"])).size).toBe(exchanges.length);
  if (!run.recorded) {
    expect(run.tokenScopes.length).toBeGreaterThan(0);
    for (const scopes of run.tokenScopes) expect(scopes).toEqual([`${ARM_ORIGIN}/.default`]);
  }
}

/** `x-ms-request-id` of every response, in order: what `requestIds` must hold. */
export function requestIdsOf(exchanges: readonly Exchange[]): string[] {
  return exchanges.map((e) => e.responseHeaders["x-ms-request-id"]!);
}

// ---------------------------------------------------------------------------
// Fixture shape: the recorded wire behaviour of ARM.

export function headersOf(def: RecordedDefinition): Record<string, string> {
  const raw = def.rawHeaders ?? def.headers ?? {};
  const out: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) out[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
  } else {
    for (const [name, value] of Object.entries(raw)) out[name.toLowerCase()] = String(value);
  }
  return out;
}

const STATUS_URL = (location: string): RegExp =>
  new RegExp(
    `^https://management\\.azure\\.com/subscriptions/${GUID_SOURCE}/providers/Microsoft\\.Compute/locations/${location}/operations/${GUID_SOURCE}\\?p=${GUID_SOURCE}&api-version=${COMPUTE_API_VERSION}$`,
    "i",
  );

/** Every ARM response carries its request and correlation ids. */
export function expectArmResponseHeaders(def: RecordedDefinition): Record<string, string> {
  const headers = headersOf(def);
  expect(headers["x-ms-request-id"]).toMatch(GUID);
  expect(headers["x-ms-correlation-request-id"]).toMatch(GUID);
  return headers;
}

/** The Azure-AsyncOperation URL: absolute, signed (`p=`), with the Compute api-version. */
export function expectStatusUrl(url: string | undefined, location = "westus"): string {
  expect(url).toMatch(STATUS_URL(location));
  return url!;
}

/** The polls of a status URL: `{name, startTime, status: "InProgress"}` until `{..., endTime, status: "Succeeded"}`. */
export function expectStatusPolls(polls: readonly RecordedDefinition[], statusUrl: string): void {
  expect(polls.length).toBeGreaterThanOrEqual(2);
  polls.forEach((def, i) => {
    expect(def.method).toBe("GET");
    expect(def.path).toBe(pathOf(statusUrl));
    expect(def.status).toBe(200);
    const headers = expectArmResponseHeaders(def);
    expect(headers["retry-after"] ?? "0").toBe("0");
    const body = def.response as Record<string, unknown>;
    expect(body["name"]).toMatch(GUID);
    expect(typeof body["startTime"]).toBe("string");
    if (i < polls.length - 1) {
      expect(Object.keys(body).sort()).toEqual(["name", "startTime", "status"]);
      expect(body["status"]).toBe("InProgress");
    } else {
      expect(Object.keys(body).sort()).toEqual(["endTime", "name", "startTime", "status"]);
      expect(body["status"]).toBe("Succeeded");
    }
  });
}

/** A full VM body as ARM returns it. */
export function expectFullVmBody(body: unknown, name: string, provisioningState: string): Record<string, unknown> {
  const vm = body as Record<string, unknown>;
  expect(vm).toMatchObject({
    name,
    id: expect.stringMatching(new RegExp(`^/subscriptions/${GUID_SOURCE}/resourceGroups/[^/]+/providers/Microsoft\\.Compute/virtualMachines/${name}$`, "i")),
    type: "Microsoft.Compute/virtualMachines",
    location: "westus",
    properties: {
      provisioningState,
      vmId: expect.stringMatching(GUID),
      hardwareProfile: { vmSize: expect.any(String) },
      storageProfile: { osDisk: { osType: expect.stringMatching(/^(Windows|Linux)$/) } },
      osProfile: expect.any(Object),
      networkProfile: expect.any(Object),
    },
    etag: expect.stringMatching(/^"\d+"$/),
  });
  return vm;
}

/** GET of a VM: 200, full body, `ETag` header equal to the body's etag. */
export function expectVmGet(def: RecordedDefinition, name: string): Record<string, unknown> {
  expect(def.method).toBe("GET");
  expect(def.status).toBe(200);
  const headers = expectArmResponseHeaders(def);
  const vm = expectFullVmBody(def.response, name, "Succeeded");
  expect(headers["etag"]).toBe(vm["etag"]);
  return vm;
}

/**
 * VM PATCH, as recorded: 200 with the full VM body showing `Updating`,
 * `Azure-AsyncOperation` and `ETag` headers, and no `Location` or `Retry-After`.
 */
export function expectVmPatchResponse(def: RecordedDefinition, name: string): { statusUrl: string; vm: Record<string, unknown> } {
  expect(def.method).toBe("PATCH");
  expect(def.status).toBe(200);
  const headers = expectArmResponseHeaders(def);
  const vm = expectFullVmBody(def.response, name, "Updating");
  expect(headers["etag"]).toMatch(/^"\d+"$/);
  expect(headers["etag"]).toBe(vm["etag"]);
  expect(headers["location"]).toBeUndefined();
  expect(headers["retry-after"]).toBeUndefined();
  return { statusUrl: expectStatusUrl(headers["azure-asyncoperation"]), vm };
}

/** The identity section of a VM body, exactly (`undefined` when absent). */
export function identityOf(vm: unknown): unknown {
  return (vm as { identity?: unknown }).identity;
}
