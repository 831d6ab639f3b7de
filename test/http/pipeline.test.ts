import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { SDK_VERSION, VmIdentityClient } from "../../src/index.js";
import { capture } from "../support/capture.js";
import { API, ARM, SECRET_TOKEN, SUB, fakeCredential, fastClient, vmBody, vmPath } from "../support/fakes.js";
import pkg from "../../package.json" with { type: "json" };
import { useNock } from "../support/nock.js";

useNock();

afterEach(() => nock.cleanAll());

describe("pipeline", () => {
  it("signs with a bearer token for <endpoint>/.default and sends the user agent prefix", async () => {
    const credential = fakeCredential();
    const client = new VmIdentityClient(credential, SUB);
    const scope = nock(ARM).get(vmPath("rg", "vm1")).query({ "api-version": API }).reply(200, vmBody("rg", "vm1", 1));
    const seen = capture(scope);
    await client.vm("rg", "vm1").getIdentity();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers["authorization"]).toBe(`Bearer ${SECRET_TOKEN}`);
    expect(seen[0]!.headers["user-agent"]).toMatch(new RegExp(`^azure-vm-identity/${SDK_VERSION.replace(/\./g, "\\.")} `));
    expect(credential.scopes).toEqual([["https://management.azure.com/.default"]]);
    expect(scope.isDone()).toBe(true);
  });

  it("keeps SDK_VERSION equal to package.json", () => {
    expect(SDK_VERSION).toBe(pkg.version);
  });

  it("derives the scope from a sovereign endpoint and honours credentialScopes", async () => {
    const china = fakeCredential();
    nock("https://management.chinacloudapi.cn").get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1));
    await new VmIdentityClient(china, SUB, { endpoint: "https://management.chinacloudapi.cn" }).vm("rg", "vm1").getIdentity();
    expect(china.scopes).toEqual([["https://management.chinacloudapi.cn/.default"]]);

    const custom = fakeCredential();
    nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1));
    await new VmIdentityClient(custom, SUB, { credentialScopes: ["api://custom/.default"] }).vm("rg", "vm1").getIdentity();
    expect(custom.scopes).toEqual([["api://custom/.default"]]);
  });

  it("puts the caller's user agent prefix first", async () => {
    const scope = nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1));
    const seen = capture(scope);
    await fastClient({ userAgentOptions: { userAgentPrefix: "my-tool/2.0" } }).vm("rg", "vm1").getIdentity();
    expect(seen[0]!.headers["user-agent"]).toMatch(/^my-tool\/2\.0 azure-vm-identity\//);
  });

  it("shares one correlation id across every request of an operation, and a new one per operation", async () => {
    const op = `${ARM}/subscriptions/${SUB}/providers/Microsoft.Compute/locations/westus/operations/op1?api-version=${API}`;
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, undefined, "Updating"), { "azure-asyncoperation": op })
      .get(`/subscriptions/${SUB}/providers/Microsoft.Compute/locations/westus/operations/op1`).query(true).reply(200, { status: "InProgress" })
      .get(`/subscriptions/${SUB}/providers/Microsoft.Compute/locations/westus/operations/op1`).query(true).reply(200, { status: "Succeeded" })
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "SystemAssigned", principalId: "p", tenantId: "t" }))
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2));
    const seen = capture(scope);
    const client = fastClient();
    const result = await client.vm("rg", "vm1").enableSystemAssigned();
    await client.vm("rg", "vm1").getIdentity();
    expect(seen.map((r) => r.method)).toEqual(["GET", "PATCH", "GET", "GET", "GET", "GET"]);
    const ids = seen.map((r) => r.headers["x-ms-correlation-request-id"]);
    expect(new Set(ids.slice(0, 5)).size).toBe(1);
    expect(ids[0]).toBe(result.correlationId);
    expect(ids[5]).not.toBe(ids[0]);
    expect(scope.isDone()).toBe(true);
  });

  it("runs additionalPolicies per call and per retry", async () => {
    const calls: string[] = [];
    const tag = (name: string): PipelinePolicy => ({
      name,
      sendRequest: (request, next) => {
        calls.push(name);
        return next(request);
      },
    });
    nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(503, "").get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1));
    await fastClient({
      additionalPolicies: [
        { policy: tag("perCall"), position: "perCall" },
        { policy: tag("perRetry"), position: "perRetry" },
      ],
    })
      .vm("rg", "vm1")
      .getIdentity();
    expect(calls.filter((c) => c === "perCall")).toHaveLength(1);
    expect(calls.filter((c) => c === "perRetry")).toHaveLength(2);
  });

  it("sends through a custom httpClient", async () => {
    const urls: string[] = [];
    const client = fastClient({
      httpClient: {
        async sendRequest(request) {
          urls.push(request.url);
          return { request, status: 200, headers: (await import("@azure/core-rest-pipeline")).createHttpHeaders(), bodyAsText: JSON.stringify(vmBody("rg", "vm1", 1)) };
        },
      },
    });
    const identity = await client.vm("rg", "vm1").getIdentity();
    expect(identity).toEqual({ type: "None", userAssigned: [] });
    expect(urls).toEqual([`${ARM}${vmPath("rg", "vm1")}?api-version=${API}`]);
  });
});
