import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { AbortError, isRestError } from "../../src/index.js";
import { capture } from "../support/capture.js";
import { API, ARM, SUB, fastClient, vmBody, vmPath } from "../support/fakes.js";

afterEach(() => nock.cleanAll());

const opPath = `/subscriptions/${SUB}/providers/Microsoft.Compute/locations/westus/operations/op1`;
const opUrl = `${ARM}${opPath}?p=signed&api-version=${API}`;
const extPath = `${vmPath("rg", "vm1")}/extensions/ManagedIdentityExtensionForLinux`;
const system = { type: "SystemAssigned", principalId: "p1", tenantId: "t1" };

/** GET the VM, then PATCH answered with the given headers. */
function patchFlow(patchHeaders: Record<string, string>) {
  return nock(ARM)
    .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
    .patch(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "SystemAssigned" }, "Updating"), patchHeaders);
}

describe("long-running operations", () => {
  it("poll Azure-AsyncOperation until Succeeded, then read the VM back", async () => {
    const scope = patchFlow({ "azure-asyncoperation": opUrl })
      .get(opPath).query({ p: "signed", "api-version": API }).reply(200, { name: "op1", status: "InProgress" })
      .get(opPath).query({ p: "signed", "api-version": API }).reply(200, { name: "op1", status: "InProgress" })
      .get(opPath).query({ p: "signed", "api-version": API }).reply(200, { name: "op1", status: "Succeeded" })
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, system));
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").enableSystemAssigned();
    expect(result.identity.systemAssigned).toEqual({ principalId: "p1", tenantId: "t1" });
    expect(seen.map((r) => `${r.method} ${r.path.split("?")[0]}`)).toEqual([
      `GET ${vmPath("rg", "vm1")}`,
      `PATCH ${vmPath("rg", "vm1")}`,
      `GET ${opPath}`,
      `GET ${opPath}`,
      `GET ${opPath}`,
      `GET ${vmPath("rg", "vm1")}`,
    ]);
    // The status URL is used verbatim: its signature survives.
    expect(seen[2]!.path).toBe(`${opPath}?p=signed&api-version=${API}`);
  });

  it("honour Retry-After over the default interval", async () => {
    patchFlow({ "azure-asyncoperation": opUrl })
      .get(opPath).query(true).reply(200, { status: "InProgress" }, { "retry-after": "1" })
      .get(opPath).query(true).reply(200, { status: "Succeeded" })
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, system));
    // A 60 s default interval would time this test out; Retry-After: 1 must win.
    // (Retry-After: 0 is treated by @azure/core-lro as absent: the default interval applies.)
    const result = await fastClient({ updateIntervalInMs: 60_000 }).vm("rg", "vm1").enableSystemAssigned({ timeoutInMs: 5000 });
    expect(result.changed).toBe(true);
  });

  it("poll again at once on Retry-After: 0, which core-lro alone would read as 'use your interval'", async () => {
    patchFlow({ "azure-asyncoperation": opUrl })
      .get(opPath).query(true).reply(200, { status: "InProgress" }, { "retry-after": "0" })
      .get(opPath).query(true).reply(200, { status: "InProgress" }, { "retry-after": "0" })
      .get(opPath).query(true).reply(200, { status: "Succeeded" })
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, system));
    const started = Date.now();
    await fastClient({ updateIntervalInMs: 60_000 }).vm("rg", "vm1").enableSystemAssigned({ timeoutInMs: 5000 });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("finish a PATCH that completed synchronously without polling", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, system))
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, system));
    const seen = capture(scope);
    await fastClient().vm("rg", "vm1").enableSystemAssigned();
    expect(seen.map((r) => r.method)).toEqual(["GET", "PATCH", "GET"]);
  });

  it("reject a Failed operation with its own code and message, without reading back or retrying", async () => {
    const scope = patchFlow({ "azure-asyncoperation": opUrl })
      .get(opPath).query(true)
      .reply(200, { status: "Failed", error: { code: "InternalExecutionError", message: "An internal execution error occurred." } }, { "x-ms-request-id": "req-op" });
    const seen = capture(scope);
    const e = await fastClient().vm("rg", "vm1").enableSystemAssigned().catch((err: unknown) => err);
    expect(isRestError(e)).toBe(true);
    expect((e as { code: string }).code).toBe("InternalExecutionError");
    expect((e as Error).message).toContain("ended Failed");
    expect((e as Error).message).toContain("An internal execution error occurred.");
    expect((e as Error).message).toContain("req-op");
    expect(seen).toHaveLength(3);
  });

  it("reject a Canceled operation", async () => {
    patchFlow({ "azure-asyncoperation": opUrl }).get(opPath).query(true).reply(200, { status: "Canceled" });
    const e = await fastClient().vm("rg", "vm1").enableSystemAssigned().catch((err: unknown) => err);
    expect((e as { code: string }).code).toBe("OperationCanceled");
    expect((e as Error).message).toContain("ended Canceled");
  });

  it("poll a DELETE through Location until the resource is gone (202, 202, 404)", async () => {
    const loc = `${ARM}/subscriptions/${SUB}/providers/Microsoft.Compute/locations/westus/operations/del1?monitor=true&api-version=${API}`;
    const locPath = `/subscriptions/${SUB}/providers/Microsoft.Compute/locations/westus/operations/del1`;
    const scope = nock(ARM)
      .delete(extPath).query(true).reply(202, "", { location: loc })
      .get(locPath).query(true).reply(202, "")
      .get(locPath).query(true).reply(404, { error: { code: "NotFound", message: "gone" } });
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").msiExtension.remove({ name: "ManagedIdentityExtensionForLinux" });
    expect(result).toEqual({ removed: true, name: "ManagedIdentityExtensionForLinux" });
    expect(seen.map((r) => r.method)).toEqual(["DELETE", "GET", "GET"]);
  });

  it("poll a DELETE through Azure-AsyncOperation in preference to Location", async () => {
    const scope = nock(ARM)
      .delete(extPath).query(true).reply(202, "", { "azure-asyncoperation": opUrl, location: `${ARM}/elsewhere?api-version=${API}` })
      .get(opPath).query(true).reply(200, { status: "InProgress" })
      .get(opPath).query(true).reply(200, { status: "Succeeded" });
    const seen = capture(scope);
    await fastClient().vm("rg", "vm1").msiExtension.remove({ name: "ManagedIdentityExtensionForLinux" });
    expect(seen.map((r) => r.path.split("?")[0])).toEqual([extPath, opPath, opPath]);
  });

  it("treat a DELETE of an absent extension (204) as done, with removed false", async () => {
    nock(ARM).delete(extPath).query(true).reply(204);
    const result = await fastClient().vm("rg", "vm1").msiExtension.remove({ name: "ManagedIdentityExtensionForLinux" });
    expect(result.removed).toBe(false);
  });

  it("follow provisioningState when a PUT returns no operation header", async () => {
    const body = (state: string) => ({ name: "ManagedIdentityExtensionForLinux", properties: { provisioningState: state } });
    const scope = nock(ARM)
      .put(extPath).query(true).reply(201, body("Creating"))
      .get(extPath).query(true).reply(200, body("Creating"))
      .get(extPath).query(true).reply(200, body("Succeeded"))
      .get(extPath).query(true).reply(200, body("Succeeded"));
    const seen = capture(scope);
    const ext = await fastClient().vm("rg", "vm1").msiExtension.install({ os: "Linux", location: "westus" });
    expect(ext.properties?.provisioningState).toBe("Succeeded");
    expect(seen.map((r) => r.method)).toEqual(["PUT", "GET", "GET", "GET"]);
  });

  it("stop promptly with AbortError when aborted mid-poll", async () => {
    patchFlow({ "azure-asyncoperation": opUrl }).get(opPath).query(true).times(100).reply(200, { status: "InProgress" }, { "retry-after": "30" });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const e = await fastClient().vm("rg", "vm1").enableSystemAssigned({ abortSignal: controller.signal }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AbortError);
    expect((e as Error).message).toMatch(/aborted/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("stop an operation that never ends at timeoutInMs", async () => {
    patchFlow({ "azure-asyncoperation": opUrl }).get(opPath).query(true).times(1000).reply(200, { status: "InProgress" }, { "retry-after": "1" });
    const started = Date.now();
    const e = await fastClient().vm("rg", "vm1").enableSystemAssigned({ timeoutInMs: 300 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AbortError);
    expect((e as Error).message).toContain("did not finish within 300 ms");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuse to start when already aborted, sending nothing", async () => {
    const scope = nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1));
    const e = await fastClient().vm("rg", "vm1").getIdentity({ abortSignal: AbortSignal.abort() }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AbortError);
    expect(scope.isDone()).toBe(false);
  });
});
