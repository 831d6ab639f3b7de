/**
 * Runs one walkthrough step against its nock.back fixture and hands back what
 * went over the wire.
 *
 * Replay (the default): nock.back `lockdown` mode loads
 * `test/recordings/<step>.json`, every other connection is refused, and each
 * request is captured as nock saw it on the socket (`scope.on("request")`),
 * paired with the recorded response that answered it. Afterwards every
 * interceptor must have been used exactly once and nothing may have gone
 * unmatched.
 *
 * Recording (`VM_IDENTITY_RECORD=1` or `=update`, with `AZURE_SUBSCRIPTION_ID`):
 * nock.back `record`/`update` mode with a real `DefaultAzureCredential`; the
 * recording is written through the sanitizer, and the requests are captured by
 * a pipeline policy placed after authentication, then passed through the same
 * id mapping so the tests' expectations (written with fake ids) hold for both.
 * See test/recordings/README.md.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";
import nock from "nock";
import { expect, vi } from "vitest";
import { VmIdentityClient } from "../../src/index.js";
import { FAKE_SUBSCRIPTION_ID, type RecordedDefinition, RecordingSanitizer } from "../recordings/sanitize.js";

export { FAKE_SUBSCRIPTION_ID, FAKE_TENANT_ID } from "../recordings/sanitize.js";

export const RECORDINGS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../recordings");

/** `record` (only missing fixtures), `update` (re-record all), or undefined: replay in lockdown. */
export const RECORD_MODE: "record" | "update" | undefined = (() => {
  const flag = (process.env["VM_IDENTITY_RECORD"] ?? "").trim().toLowerCase();
  if (flag === "" || flag === "0" || flag === "false") return undefined;
  return flag === "update" ? "update" : "record";
})();

/** The live subscription recordings are made in (the fake one when not recording). */
const LIVE_SUBSCRIPTION_ID: string = (() => {
  if (!RECORD_MODE) return FAKE_SUBSCRIPTION_ID;
  const sub = process.env["AZURE_SUBSCRIPTION_ID"];
  if (!sub) throw new Error("VM_IDENTITY_RECORD is set: set AZURE_SUBSCRIPTION_ID to the subscription to record against.");
  return sub;
})();

// A live create runs for minutes: give recording runs an hour per test.
if (RECORD_MODE) vi.setConfig({ testTimeout: 60 * 60_000 });

/** The SSH public key the create-VM fixtures hold. */
export const FAKE_SSH_PUBLIC_KEY =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDfakefakefakefakefakefakefakefakefakefakefakefakefakefakefakefake azureuser@example";

/**
 * The key a live VM create sends: ARM validates it, so a recording needs a
 * real one (`VM_IDENTITY_RECORD_SSH_PUBLIC_KEY`); the sanitizer writes it to
 * the fixture as the fake.
 */
const LIVE_SSH_PUBLIC_KEY: string = (RECORD_MODE && process.env["VM_IDENTITY_RECORD_SSH_PUBLIC_KEY"]?.trim()) || FAKE_SSH_PUBLIC_KEY;

/**
 * What a step sends that differs between recording and replay: the live
 * values while recording, the fixture's fakes when replaying (including a
 * `record` run that finds its fixture already there).
 */
export interface StepInputs {
  subscriptionId: string;
  sshPublicKey: string;
}

export const FAKE_TOKEN = "fake-token";
export const ARM_ORIGIN = "https://management.azure.com";
export const COMPUTE_API_VERSION = "2024-11-01";
export const MANAGED_IDENTITY_API_VERSION = "2024-11-30";
export const RESOURCE_GROUP = "myResourceGroup";

/** A VM's resource path in the fixtures (always the fake subscription). */
export const vmPath = (name: string): string =>
  `/subscriptions/${FAKE_SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Compute/virtualMachines/${name}`;

/** A user-assigned identity id as the identity service returns it (`/resourcegroups/`, lower case). */
export const uaiIdFromIdentityService = (name: string, subscriptionId: string = FAKE_SUBSCRIPTION_ID): string =>
  `/subscriptions/${subscriptionId}/resourcegroups/${RESOURCE_GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;

/** The same id as VM responses spell it (`/resourceGroups/`). */
export const uaiIdOnVm = (name: string): string =>
  `/subscriptions/${FAKE_SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;

/** One request as sent, with the response that answered it. Header names are lower case. */
export interface Exchange {
  method: string;
  /** Path and query, as on the request line. */
  path: string;
  headers: Record<string, string>;
  /** The request body, parsed as JSON; undefined when there was none. */
  body: unknown;
  /** The raw request body text ("" when none). */
  bodyText: string;
  status: number;
  responseHeaders: Record<string, string>;
  response: unknown;
}

export interface RecordedRun<T> {
  result: T;
  exchanges: Exchange[];
  /** The scopes each getToken call asked for. */
  tokenScopes: string[][];
  /** True when this run recorded live traffic rather than replaying. */
  recorded: boolean;
  /** The fixture's definitions (after the run, so also after a recording). */
  fixture: RecordedDefinition[];
}

export function fixturePath(step: string): string {
  return path.join(RECORDINGS_DIR, `${step}.json`);
}

export function loadFixture(step: string): RecordedDefinition[] {
  return JSON.parse(readFileSync(fixturePath(step), "utf8")) as RecordedDefinition[];
}

function lowerCaseHeaders(headers: Record<string, unknown> | Iterable<[string, string]>): Record<string, string> {
  const entries = Symbol.iterator in headers ? [...(headers as Iterable<[string, string]>)] : Object.entries(headers);
  const out: Record<string, string> = {};
  for (const [name, value] of entries) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  return out;
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function fakeCredential(tokenScopes: string[][]): TokenCredential {
  return {
    async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
      tokenScopes.push(typeof scopes === "string" ? [scopes] : [...scopes]);
      return { token: FAKE_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

/** Captures requests and responses inside the pipeline, after authentication (recording mode only). */
function capturePolicy(exchanges: Exchange[]): PipelinePolicy {
  return {
    name: "recordedTestCapture",
    async sendRequest(request: PipelineRequest, next) {
      const response = await next(request);
      const url = new URL(request.url);
      const bodyText = typeof request.body === "string" ? request.body : "";
      exchanges.push({
        method: request.method,
        path: url.pathname + url.search,
        headers: lowerCaseHeaders(request.headers),
        body: parseJson(bodyText),
        bodyText,
        status: response.status,
        responseHeaders: lowerCaseHeaders(response.headers),
        response: parseJson(response.bodyAsText ?? "") ?? "",
      });
      return response;
    },
  };
}

type BackContext = nock.BackContext & { isRecording?: boolean };

const LOOPBACK = /^(127\.0\.0\.1|localhost)(:\d+)?$/;

/** Put nock back as test/setup.ts leaves it: no interceptors, loopback only. */
export function restoreNetwork(): void {
  nock.cleanAll();
  nock.disableNetConnect();
  nock.enableNetConnect(LOOPBACK);
}

/**
 * Replay (or record) `test/recordings/<step>.json` around `run`, which drives
 * the public API through the client it is given.
 */
export async function runRecorded<T>(step: string, run: (client: VmIdentityClient, inputs: StepInputs) => Promise<T>): Promise<RecordedRun<T>> {
  nock.back.fixtures = RECORDINGS_DIR;
  nock.back.setMode(RECORD_MODE ?? "lockdown");
  const sanitizer = new RecordingSanitizer({
    subscriptionIds: [LIVE_SUBSCRIPTION_ID],
    replacements: [[LIVE_SSH_PUBLIC_KEY, FAKE_SSH_PUBLIC_KEY]],
  });
  const { nockDone, context } = (await nock.back(`${step}.json`, {
    afterRecord: (defs: nock.Definition[]) => sanitizer.definitions(defs as unknown as RecordedDefinition[]) as unknown as nock.Definition[],
    // Request headers are recorded so the sanitizer can keep If-Match / If-None-Match / Content-Type for replay matching.
    recorder: { enable_reqheaders_recording: true },
  })) as { nockDone: () => void; context: BackContext };
  const recorded = context.isRecording === true;
  if (recorded) nock.enableNetConnect();
  const inputs: StepInputs = recorded
    ? { subscriptionId: LIVE_SUBSCRIPTION_ID, sshPublicKey: LIVE_SSH_PUBLIC_KEY }
    : { subscriptionId: FAKE_SUBSCRIPTION_ID, sshPublicKey: FAKE_SSH_PUBLIC_KEY };

  const exchanges: Exchange[] = [];
  const unmatched: string[] = [];
  const tokenScopes: string[][] = [];
  const definitions = recorded ? [] : loadFixture(step);
  if (!recorded) {
    expect(context.scopes, `one nock scope per definition of ${step}.json`).toHaveLength(definitions.length);
    context.scopes.forEach((scope, index) => {
      const def = definitions[index]!;
      scope.on("request", (req: { method: string; path: string; headers: Record<string, unknown> }, _interceptor: unknown, bodyText: string) => {
        exchanges.push({
          method: req.method,
          path: req.path,
          headers: lowerCaseHeaders(req.headers),
          body: parseJson(bodyText ?? ""),
          bodyText: bodyText ?? "",
          status: def.status ?? 200,
          responseHeaders: lowerCaseHeaders((def.rawHeaders ?? {}) as Record<string, unknown>),
          response: def.response ?? "",
        });
      });
    });
  }
  const onNoMatch = (req: { method?: string; path?: string; href?: string }): void => {
    unmatched.push(`${req.method ?? "?"} ${req.path ?? req.href ?? "?"}`);
  };
  nock.emitter.on("no match", onNoMatch);

  let credential: TokenCredential;
  if (recorded) {
    const { DefaultAzureCredential } = await import("@azure/identity");
    credential = new DefaultAzureCredential();
  } else {
    credential = fakeCredential(tokenScopes);
  }
  const client = new VmIdentityClient(credential, inputs.subscriptionId, {
    // Replay answers at once; live ARM is polled at its own pace.
    updateIntervalInMs: recorded ? 5_000 : 0,
    additionalPolicies: recorded ? [{ policy: capturePolicy(exchanges), position: "perRetry" }] : [],
  });

  let result: T;
  try {
    result = await run(client, inputs);
  } finally {
    nock.emitter.removeListener("no match", onNoMatch);
    nockDone();
  }
  expect(unmatched, `requests that matched nothing in ${step}.json`).toEqual([]);
  if (!recorded) {
    context.assertScopesFinished();
    expect(context.scopes.every((scope) => scope.isDone())).toBe(true);
    expect(exchanges).toHaveLength(definitions.length);
    return { result, exchanges, tokenScopes, recorded, fixture: definitions };
  }
  // Recording: express what was captured with the fixture's fake ids, leaving the
  // request headers (and the live token) out of the mapping.
  const headers = exchanges.map((e) => e.headers);
  const mapped = sanitizer.value(exchanges.map(({ headers: _h, ...rest }) => rest));
  return {
    result: sanitizer.value(result),
    exchanges: mapped.map((e, i) => ({ ...e, headers: headers[i]! })),
    tokenScopes,
    recorded,
    fixture: loadFixture(step),
  };
}
