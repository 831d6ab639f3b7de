/** Plain-HTTP helpers for the emulator tests (no client library on purpose). */
import type { TokenCredential } from "@azure/core-auth";
import { type FakeArm, startFakeArm } from "../../src/testing/index.js";

export const COMPUTE_API = "2024-11-01";
export const MSI_API = "2024-11-30";

/** A response read in full. */
export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: any;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Send no Authorization header. */
  anonymous?: boolean;
  /** Override the api-version; null sends none. */
  apiVersion?: string | null;
  /** Call as another principal (default `arm.credential`). */
  credential?: TokenCredential;
}

/** The bearer token the emulator's credential (or another principal's) hands out. */
export async function tokenOf(arm: FakeArm, credential: TokenCredential = arm.credential): Promise<string> {
  const token = await credential.getToken(`${arm.endpoint}/.default`);
  if (!token) throw new Error("no token");
  return token.token;
}

/** Sends one request to a path (or absolute URL) of the emulator. */
export async function call(arm: FakeArm, method: string, pathOrUrl: string, options: CallOptions = {}): Promise<Reply> {
  const url = new URL(pathOrUrl.startsWith("http") ? pathOrUrl : arm.endpoint + pathOrUrl);
  const apiVersion = options.apiVersion === undefined ? COMPUTE_API : options.apiVersion;
  if (apiVersion !== null && !url.searchParams.has("api-version")) url.searchParams.set("api-version", apiVersion);
  const headers: Record<string, string> = { ...options.headers };
  if (!options.anonymous) headers.authorization ??= `Bearer ${await tokenOf(arm, options.credential)}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(url, {
    method,
    headers,
    body: options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === "" ? undefined : JSON.parse(text) };
}

export function vmPath(arm: FakeArm, resourceGroup: string, name: string): string {
  return `/subscriptions/${arm.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${name}`;
}

export function uaiPath(arm: FakeArm, resourceGroup: string, name: string): string {
  return `/subscriptions/${arm.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
}

/** Polls an Azure-AsyncOperation URL until its status is final; returns the status bodies seen. */
export async function pollToEnd(arm: FakeArm, statusUrl: string, maxPolls = 20): Promise<any[]> {
  const seen: any[] = [];
  for (let i = 0; i < maxPolls; i++) {
    const reply = await call(arm, "GET", statusUrl);
    seen.push(reply.body);
    if (reply.body?.status !== "InProgress") return seen;
  }
  throw new Error(`operation still running after ${maxPolls} polls`);
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A real-time source the test moves by hand: pass `clock: time.now` to startFakeArm. */
export function manualClock(start = Date.UTC(2026, 0, 1)): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

export function subscriptionPath(arm: FakeArm, subscriptionId = arm.subscriptionId): string {
  return `/subscriptions/${subscriptionId}`;
}

/**
 * An emulator whose operations finish only when polled, holding two
 * user-assigned identities, `ids/x` and `ids/y`: what the identity-rule tests
 * start from.
 */
export async function startWithIdentitiesXY(): Promise<{ arm: FakeArm; X: string; Y: string }> {
  const arm = await startFakeArm({ pollsUntilDone: 0, autoCompleteAfterMs: Infinity });
  const X = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "x", location: "westeurope" });
  const Y = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "y", location: "westeurope" });
  return { arm, X, Y };
}
