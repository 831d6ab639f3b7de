import nock from "nock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AbortError, TimeoutError, isRestError } from "../../src/index.js";
import { capture } from "../support/capture.js";
import { advance, advanceUntil, fakeClock, until } from "../support/time.js";
import { API, ARM, SUB, fastClient, vmBody, vmPath } from "../support/fakes.js";
import { useNock } from "../support/nock.js";

useNock();

afterEach(() => {
  vi.useRealTimers();
  nock.cleanAll();
});



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
    fakeClock();
    const scope = patchFlow({ "azure-asyncoperation": opUrl })
      .get(opPath).query(true).reply(200, { status: "InProgress" }, { "retry-after": "1" })
      .get(opPath).query(true).reply(200, { status: "Succeeded" })
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, system));
    const seen = capture(scope);
    const polls = () => seen.filter((r) => r.path.startsWith(opPath)).length;
    // Retry-After: 1 wins over a 60 s default interval.
    const done = fastClient({ updateIntervalInMs: 60_000 }).vm("rg", "vm1").enableSystemAssigned();
    await until(() => polls() === 1, "the first poll");
    await advance(900);
    expect(polls()).toBe(1);
    await advance(300);
    expect(polls()).toBe(2);
    expect((await done).changed).toBe(true);
  });

  it("Retry-After: 0 means 'use your interval', never a burst of polls", async () => {
    fakeClock();
    const scope = patchFlow({ "azure-asyncoperation": opUrl })
      .get(opPath).query(true).reply(200, { status: "InProgress" }, { "retry-after": "0" })
      .get(opPath).query(true).reply(200, { status: "InProgress" }, { "retry-after": "0" })
      .get(opPath).query(true).reply(200, { status: "Succeeded" })
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, system));
    const seen = capture(scope);
    const polls = () => seen.filter((r) => r.path.startsWith(opPath)).length;
    const done = fastClient({ updateIntervalInMs: 5000 }).vm("rg", "vm1").enableSystemAssigned();
    // Each Retry-After: 0 is followed by the 5 s interval: one poll in each 5 s, none at once.
    await until(() => polls() === 1, "the first poll");
    await advance(4000);
    expect(polls()).toBe(1);
    await advance(2000);
    expect(polls()).toBe(2);
    await advance(3000);
    expect(polls()).toBe(2);
    await advance(2000);
    expect((await done).changed).toBe(true);
    expect(polls()).toBe(3);
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
      .get(extPath).query(true).reply(200, body("Succeeded"));
    const seen = capture(scope);
    const ext = await fastClient().vm("rg", "vm1").msiExtension.install({ os: "Linux", location: "westus" });
    expect(ext.properties?.provisioningState).toBe("Succeeded");
    // core-lro follows the PUT's body; the read that shows Succeeded is the final state.
    expect(seen.map((r) => r.method)).toEqual(["PUT", "GET", "GET"]);
  });

  it("stop promptly with AbortError when aborted mid-poll, saying the write may still land", async () => {
    fakeClock();
    patchFlow({ "azure-asyncoperation": opUrl }).get(opPath).query(true).times(100).reply(200, { status: "InProgress" }, { "retry-after": "30" });
    const controller = new AbortController();
    const done = fastClient().vm("rg", "vm1").enableSystemAssigned({ abortSignal: controller.signal }).catch((err: unknown) => err);
    await advance(100);
    controller.abort();
    const e = await done;
    expect(e).toBeInstanceOf(AbortError);
    expect((e as Error).name).toBe("AbortError");
    expect((e as Error).message).toMatch(/was aborted\. A write was sent/);
  });

  it("stop an operation that never ends at timeoutInMs, with a TimeoutError (not an abort)", async () => {
    fakeClock();
    const scope = patchFlow({ "azure-asyncoperation": opUrl }).get(opPath).query(true).times(1000).reply(200, { status: "InProgress" }, { "retry-after": "1" });
    const seen = capture(scope);
    const polls = () => seen.filter((r) => r.path.startsWith(opPath)).length;
    const done = fastClient().vm("rg", "vm1").enableSystemAssigned({ timeoutInMs: 3500 }).catch((err: unknown) => err);
    // The clock moves on until each poll is seen (a reply that arrives late on a busy machine sets the next
    // poll's timer later on the fake clock), and each poll's fake time is kept.
    const start = Date.now();
    const at: number[] = [];
    await until(() => polls() === 1, "the first poll");
    at.push(Date.now() - start);
    for (const n of [2, 3, 4]) {
      await advanceUntil(() => polls() === n, `poll ${n}`, 1500);
      at.push(Date.now() - start);
    }
    let ended = false;
    void done.then(() => (ended = true));
    await advanceUntil(() => ended, "the deadline", 3500 - at[3]! + 100);
    const e = await done;
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e).not.toBeInstanceOf(AbortError);
    expect((e as Error).name).toBe("TimeoutError");
    expect((e as Error).message).toContain("did not finish within 3500 ms");
    // Retry-After: 1 paced the polls: about 0, 1, 2 and 3 s, never sooner than a second apart; the deadline
    // (3.5 s) came before a fifth.
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - start).toBeGreaterThanOrEqual(3500);
    expect(seen.filter((r) => r.path.startsWith(opPath))).toHaveLength(4);
  });

  it("timeoutInMs: 0 means no deadline: no timer is set for it", async () => {
    fakeClock();
    nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1));
    const client = fastClient({ requestTimeoutInMs: 0 });
    const done = client.vm("rg", "vm1").getIdentity({ timeoutInMs: 0 });
    expect(vi.getTimerCount()).toBe(0);
    await until(() => nock.isDone(), "the read");
    expect((await done).type).toBe("None");
    // A read that does not answer (for a minute of real time): only the deadline can end it.
    nock(ARM).get(vmPath("rg", "vm1")).query(true).delay(60_000).reply(200, vmBody("rg", "vm1", 1));
    const bounded = client.vm("rg", "vm1").getIdentity({ timeoutInMs: 10 }).catch((e: unknown) => e);
    expect(vi.getTimerCount()).toBe(1);
    await advance(10);
    expect(await bounded).toBeInstanceOf(TimeoutError);
  });

  it("refuse to start when already aborted, sending nothing", async () => {
    const scope = nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1));
    const e = await fastClient().vm("rg", "vm1").getIdentity({ abortSignal: AbortSignal.abort() }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AbortError);
    expect(scope.isDone()).toBe(false);
  });
});
