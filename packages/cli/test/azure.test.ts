/** The Azure CLI's profile, subscription names, clouds, and the request log and other pipeline policies of the command. */
import { describe, expect, it } from "vitest";
import { RestError } from "@azure/core-rest-pipeline";
import { type CliProfile, cliProfilePath, readCliProfile } from "../src/azure/cliProfile.js";
import { cloudNamed, cloudOfEndpoint } from "../src/azure/clouds.js";
import { chooseSubscription, subscriptionNote } from "../src/azure/subscription.js";
import { armTargetOf } from "../src/azure/target.js";
import { UsageError, isConnectionFailure } from "../src/errors.js";
import { loopbackFailFastPolicy } from "../src/http/loopbackFailFastPolicy.js";
import { requestLogPolicy } from "../src/http/requestLogPolicy.js";
import { safeUrl } from "../src/http/safeUrl.js";
import type { PipelineRequest, PipelineResponse } from "../src/http/types.js";
import { CHINA, DEV, PROD, profileDir, profileJson } from "./helpers.js";

describe("the Azure CLI's profile", () => {
  it("is $AZURE_CONFIG_DIR/azureProfile.json, else ~/.azure/azureProfile.json", () => {
    expect(cliProfilePath({ AZURE_CONFIG_DIR: "/cfg" })).toBe("/cfg/azureProfile.json");
    expect(cliProfilePath({})).toMatch(/[/\\]\.azure[/\\]azureProfile\.json$/);
  });

  it("is read past its byte order mark", async () => {
    const profile = await readCliProfile({ AZURE_CONFIG_DIR: await profileDir(profileJson()) });
    expect(profile.problem).toBeUndefined();
    expect(profile.subscriptions?.map((s) => s.name)).toEqual(["Production", "Dev", "China Sub", "Dev"]);
    expect(profile.subscriptions?.[0]).toMatchObject({ id: PROD, isDefault: true, tenantId: "tenant-of-Production", environmentName: "AzureCloud" });
  });

  it("says why it cannot be used: missing, not JSON", async () => {
    expect((await readCliProfile({ AZURE_CONFIG_DIR: "/no/such/dir" })).problem).toMatch(/there is no \/no\/such\/dir\/azureProfile\.json \(run "az login"\)/);
    expect((await readCliProfile({ AZURE_CONFIG_DIR: await profileDir("{ nope") })).problem).toMatch(/is not valid JSON/);
  });
});

describe("choosing the subscription", () => {
  const profile: CliProfile = {
    path: "/cfg/azureProfile.json",
    subscriptions: [
      { id: PROD, name: "Production", isDefault: true, tenantId: "t-prod", environmentName: "AzureCloud" },
      { id: DEV, name: "Dev", isDefault: false },
      { id: "dddddddd-0000-4000-8000-000000000004", name: "Dev", isDefault: false },
    ],
  };

  it("takes an id as given, with its entry when the profile has one", () => {
    expect(chooseSubscription({ value: PROD, source: "--subscription" }, profile)).toMatchObject({ id: PROD, how: "given", entry: { name: "Production" } });
    expect(chooseSubscription({ value: DEV, source: "AZURE_SUBSCRIPTION_ID" }, { path: "p", problem: "none" })).toEqual({ id: DEV, how: "given" });
  });

  it("finds a name, in any casing, and says so", () => {
    const chosen = chooseSubscription({ value: "production", source: "--subscription" }, profile);
    expect(chosen).toMatchObject({ id: PROD, how: "name" });
    expect(subscriptionNote(chosen, profile)).toBe(`Using subscription "Production" (${PROD}), found by name in the Azure CLI's profile (/cfg/azureProfile.json).\n`);
  });

  it("falls back to the profile's default subscription, and says which on stderr", () => {
    const chosen = chooseSubscription(undefined, profile);
    expect(chosen).toMatchObject({ id: PROD, how: "default" });
    expect(subscriptionNote(chosen, profile)).toBe(`Using subscription "Production" (${PROD}), the Azure CLI's default subscription (/cfg/azureProfile.json).\n`);
  });

  it.each([
    [{ value: "Staging", source: "--subscription" as const }, profile, /^Unknown subscription --subscription "Staging": no subscription has that name or id in the Azure CLI's profile \(\/cfg\/azureProfile.json\)/],
    [{ value: "dev", source: "AZURE_SUBSCRIPTION_ID" as const }, profile, /^Ambiguous subscription name AZURE_SUBSCRIPTION_ID "dev": 2 subscriptions .* \(bbbbbbbb-.*, dddddddd-.*\); pass the id/],
    [{ value: "Staging", source: "--subscription" as const }, { path: "p", problem: "there is no p" }, /^Unknown subscription --subscription "Staging": it is not a subscription id .* but there is no p\.$/],
    [undefined, { path: "p", problem: 'there is no p (run "az login")' }, /^No subscription: pass --subscription <name or id>, set AZURE_SUBSCRIPTION_ID, or sign in with "az login"/],
    [undefined, { path: "/cfg/azureProfile.json", subscriptions: [] }, /has no default subscription/],
  ])("refuses %j with a usage error that names it", (asked, from, message) => {
    expect(() => chooseSubscription(asked, from as CliProfile)).toThrow(UsageError);
    expect(() => chooseSubscription(asked, from as CliProfile)).toThrow(message);
  });
});

describe("clouds", () => {
  it("are known by ARM endpoint and by the Azure CLI's environmentName, each with its authority host", () => {
    expect(cloudOfEndpoint("https://management.chinacloudapi.cn")?.authorityHost).toBe("https://login.chinacloudapi.cn");
    expect(cloudOfEndpoint("https://management.usgovcloudapi.net/")?.authorityHost).toBe("https://login.microsoftonline.us");
    expect(cloudOfEndpoint("https://management.azure.com")?.authorityHost).toBe("https://login.microsoftonline.com");
    expect(cloudOfEndpoint("http://127.0.0.1:8443")).toBeUndefined();
    expect(cloudNamed("azureusgovernment")?.armEndpoint).toBe("https://management.usgovcloudapi.net");
    expect(cloudNamed("AzureChinaCloud")?.armEndpoint).toBe("https://management.chinacloudapi.cn");
    expect(cloudNamed("AzureStackHub")).toBeUndefined();
  });
});

describe("where a subscription's requests go, and where its credential signs in", () => {
  const china = { id: CHINA, name: "China Sub", isDefault: false, tenantId: "t-cn", environmentName: "AzureChinaCloud" };

  it("follows the cloud of the subscription in the Azure CLI's profile, in its tenant", () => {
    expect(armTargetOf(undefined, china, {})).toEqual({
      endpoint: "https://management.chinacloudapi.cn",
      authorityHost: "https://login.chinacloudapi.cn",
      tenantId: "t-cn",
    });
    expect(armTargetOf(undefined, undefined, {})).toEqual({ endpoint: "https://management.azure.com", authorityHost: "https://login.microsoftonline.com" });
  });

  it("follows --endpoint when given: a sovereign endpoint gets its authority host", () => {
    expect(armTargetOf("https://management.usgovcloudapi.net", undefined, {})).toEqual({
      endpoint: "https://management.usgovcloudapi.net",
      authorityHost: "https://login.microsoftonline.us",
    });
    expect(armTargetOf("http://127.0.0.1:8443", china, {})).toMatchObject({ endpoint: "http://127.0.0.1:8443", authorityHost: "https://login.microsoftonline.com" });
  });

  it("leaves the tenant to AZURE_TENANT_ID when it is set, and says when the cloud is unknown", () => {
    expect(armTargetOf(undefined, china, { AZURE_TENANT_ID: "t-env" })).not.toHaveProperty("tenantId");
    expect(armTargetOf(undefined, { ...china, environmentName: "AzureStackHub" }, {})).toMatchObject({
      endpoint: "https://management.azure.com",
      unknownCloud: "AzureStackHub",
    });
  });
});

/** A request and the `next` of a pipeline that answers it (or fails). */
function fakeHop(
  method: string,
  url: string,
  outcome: { status: number; headers?: Record<string, string>; body?: string } | Error,
  body?: string,
): { request: PipelineRequest; next: (r: PipelineRequest) => Promise<PipelineResponse> } {
  const requestHeaders = new Map<string, string>([
    ["accept", "application/json"],
    ["authorization", "Bearer secret-token-value-0123456789"],
  ]);
  const request = { method, url, body, headers: { get: (n: string) => requestHeaders.get(n), [Symbol.iterator]: () => requestHeaders.entries() } } as unknown as PipelineRequest;
  const next = async (): Promise<PipelineResponse> => {
    if (outcome instanceof Error) throw outcome;
    const headers = new Map(Object.entries(outcome.headers ?? {}));
    return { status: outcome.status, bodyAsText: outcome.body, headers: { get: (n: string) => headers.get(n), [Symbol.iterator]: () => headers.entries() }, request } as unknown as PipelineResponse;
  };
  return { request, next };
}

describe("the request log (--verbose, --debug)", () => {
  const clock = (): (() => number) => {
    let t = 1000;
    return () => (t += 17);
  };

  it("is one line per request: method, URL with secret query values redacted, status, duration, request id; the body of writes below", async () => {
    const lines: string[] = [];
    const policy = requestLogPolicy({ write: (t) => lines.push(t), debug: false, now: clock() });
    const url = "https://management.azure.com/subscriptions/s/providers/Microsoft.Compute/locations/westus/operations/op?p=abc&api-version=2024-11-01&t=1&c=2&s=SIG&h=HASH";
    const get = fakeHop("GET", url, { status: 200, headers: { "x-ms-request-id": "req-1" } });
    await policy.sendRequest(get.request, get.next);
    const patch = fakeHop("PATCH", "https://management.azure.com/vm?api-version=2024-11-01", { status: 200 }, '{"identity":{"type":"SystemAssigned"}}');
    await policy.sendRequest(patch.request, patch.next);
    expect(lines).toEqual([
      "GET https://management.azure.com/subscriptions/s/providers/Microsoft.Compute/locations/westus/operations/op?p=REDACTED&api-version=2024-11-01&t=REDACTED&c=REDACTED&s=REDACTED&h=REDACTED -> 200 in 17 ms (x-ms-request-id: req-1)\n",
      'PATCH https://management.azure.com/vm?api-version=2024-11-01 -> 200 in 17 ms\n  {\n    "identity": {\n      "type": "SystemAssigned"\n    }\n  }\n',
    ]);
    expect(lines.join("")).not.toContain("secret-token-value");
    expect(lines.join("")).not.toContain("SIG");
  });

  it("with --debug adds the headers of the request and the response, the token redacted, and the response body", async () => {
    const lines: string[] = [];
    const policy = requestLogPolicy({ write: (t) => lines.push(t), debug: true, now: clock() });
    const hop = fakeHop("GET", "https://management.azure.com/vm?api-version=1", { status: 404, headers: { etag: '"1"' }, body: '{"error":{}}' });
    await policy.sendRequest(hop.request, hop.next);
    expect(lines[0]).toContain("  > accept: application/json\n  > authorization: REDACTED\n");
    expect(lines[0]).toContain('  < etag: "1"\n');
    expect(lines[0]).toContain('  < {\n  <   "error": {}\n  < }\n');
    expect(lines[0]).not.toContain("secret-token-value");
  });

  it("logs a request that got no response, and lets the error through", async () => {
    const lines: string[] = [];
    const policy = requestLogPolicy({ write: (t) => lines.push(t), debug: false, now: clock() });
    const hop = fakeHop("GET", "http://127.0.0.1:9/x", new Error("connect ECONNREFUSED 127.0.0.1:9"));
    await expect(policy.sendRequest(hop.request, hop.next)).rejects.toThrow("ECONNREFUSED");
    expect(lines).toEqual(["GET http://127.0.0.1:9/x -> no response after 17 ms: connect ECONNREFUSED 127.0.0.1:9\n"]);
  });

  it("redacts every query value but the safe ones", () => {
    expect(safeUrl("https://h/p?api-version=1&sig=abc&$filter=x")).toBe("https://h/p?api-version=1&sig=REDACTED&$filter=x");
    expect(safeUrl("https://h/p")).toBe("https://h/p");
  });
});

describe("a refused connection to a loopback host", () => {
  const refused = (): RestError => new RestError("connect ECONNREFUSED 127.0.0.1:9", { code: "ECONNREFUSED" });

  it("is not retried: nothing listens there", async () => {
    const hop = fakeHop("GET", "http://127.0.0.1:9/x", refused());
    const error = await loopbackFailFastPolicy().sendRequest(hop.request, hop.next).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestError);
    expect((error as RestError).code).toBe(RestError.REQUEST_SEND_ERROR);
    expect((error as RestError).message).toBe("connect ECONNREFUSED 127.0.0.1:9");
    expect(isConnectionFailure(error)).toBe(true);
  });

  it("elsewhere is left to the retry policy", async () => {
    const hop = fakeHop("GET", "https://management.azure.com/x", refused());
    const error = await loopbackFailFastPolicy().sendRequest(hop.request, hop.next).catch((e: unknown) => e);
    expect((error as RestError).code).toBe("ECONNREFUSED");
    expect(isConnectionFailure(error)).toBe(true);
    expect(isConnectionFailure(new RestError("x", { code: "ResourceNotFound", statusCode: 404 }))).toBe(false);
  });
});
