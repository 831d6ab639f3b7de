/** Asynchronous operations: status URLs, polling, Retry-After, 409 while a write runs. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { startFakeArm, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import { call, GUID, pollToEnd, vmPath } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm.close());

/** Operations finish only when polled (or completed) unless a test says otherwise: no timing in assertions. */
async function withVm(options: FakeArmOptions = {}, location = "westeurope"): Promise<void> {
  arm = await startFakeArm({ autoCompleteAfterMs: Infinity, ...options });
  arm.addVm({ resourceGroup: "rg", name: "vm", location, osType: "Linux" });
}

const enableSystem = (headers?: Record<string, string>) =>
  call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: { identity: { type: "SystemAssigned" } }, headers });

describe("status URL", () => {
  it("is an absolute URL on the emulator, per location, with the request's api-version", async () => {
    await withVm({}, "West Europe");
    const reply = await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: {}, apiVersion: "2025-04-01" });
    const url = reply.headers.get("azure-asyncoperation")!;
    const pattern = new RegExp(
      `^${arm.endpoint}/subscriptions/${arm.subscriptionId}/providers/Microsoft\\.Compute/locations/westeurope/operations/` +
        "([0-9a-f-]{36})\\?api-version=2025-04-01$",
    );
    expect(url).toMatch(pattern);
  });

  it("answers InProgress once by default, then Succeeded, with no Retry-After (as ARM on VM operations)", async () => {
    await withVm();
    const url = (await enableSystem()).headers.get("azure-asyncoperation")!;
    const opId = /operations\/([^?]+)/.exec(url)![1];

    const first = await call(arm, "GET", url);
    expect(first.status).toBe(200);
    expect(first.headers.get("retry-after")).toBeNull();
    expect(first.body).toEqual({ name: opId, status: "InProgress", startTime: expect.any(String) });
    expect(Date.parse(first.body.startTime)).not.toBeNaN();

    const second = await call(arm, "GET", url);
    expect(second.headers.get("retry-after")).toBeNull();
    expect(second.body).toEqual({
      name: opId,
      status: "Succeeded",
      startTime: first.body.startTime,
      endTime: expect.any(String),
    });
    expect(Date.parse(second.body.endTime)).toBeGreaterThanOrEqual(Date.parse(first.body.startTime));

    const third = await call(arm, "GET", url);
    expect(third.body).toEqual(second.body);
  });

  it.each([0, 3])("answers InProgress pollsUntilDone (%i) times", async (pollsUntilDone) => {
    await withVm({ pollsUntilDone });
    const url = (await enableSystem()).headers.get("azure-asyncoperation")!;
    const statuses = (await pollToEnd(arm, url)).map((b) => b.status);
    expect(statuses).toEqual([...Array<string>(pollsUntilDone).fill("InProgress"), "Succeeded"]);
  });

  it("sends the configured Retry-After, 0 included", async () => {
    await withVm({ retryAfterSeconds: 7 });
    const url = (await enableSystem()).headers.get("azure-asyncoperation")!;
    expect((await call(arm, "GET", url)).headers.get("retry-after")).toBe("7");
    await arm.close();
    await withVm({ retryAfterSeconds: 0 });
    const again = (await enableSystem()).headers.get("azure-asyncoperation")!;
    const reply = await call(arm, "GET", again);
    expect(reply.headers.get("retry-after")).toBe("0");
    expect(reply.headers.get("retry-after-ms")).toBeNull();
  });

  it("needs authentication like any request", async () => {
    await withVm();
    const url = (await enableSystem()).headers.get("azure-asyncoperation")!;
    expect((await call(arm, "GET", url, { anonymous: true })).status).toBe(401);
  });

  it("answers 404 for an unknown operation", async () => {
    await withVm();
    const url = `/subscriptions/${arm.subscriptionId}/providers/Microsoft.Compute/locations/westeurope/operations/00000000-0000-0000-0000-000000000000`;
    const reply = await call(arm, "GET", url);
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("OperationNotFound");
  });
});

describe("a running write", () => {
  it("shows Updating until it completes", async () => {
    await withVm({ pollsUntilDone: 2 });
    const url = (await enableSystem()).headers.get("azure-asyncoperation")!;
    expect(arm.getVm("rg", "vm")!.properties.provisioningState).toBe("Updating");
    await call(arm, "GET", url);
    expect(arm.getVm("rg", "vm")!.properties.provisioningState).toBe("Updating");
    await pollToEnd(arm, url);
    expect(arm.getVm("rg", "vm")!.properties.provisioningState).toBe("Succeeded");
  });

  it("makes another PUT or PATCH answer 409 ConflictingConcurrentWriteNotAllowed, changing nothing", async () => {
    await withVm();
    const first = await enableSystem();
    const before = arm.getVm("rg", "vm");

    const patch = await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: { identity: { type: "None" } } });
    expect(patch.status).toBe(409);
    expect(patch.body.error.code).toBe("ConflictingConcurrentWriteNotAllowed");
    const put = await call(arm, "PUT", vmPath(arm, "rg", "vm"), { body: { location: "westeurope" } });
    expect(put.status).toBe(409);
    expect(arm.getVm("rg", "vm")).toEqual(before);

    await pollToEnd(arm, first.headers.get("azure-asyncoperation")!);
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: { identity: { type: "None" } } })).status).toBe(200);
  });

  it("does not block writes to another VM or reads", async () => {
    await withVm();
    arm.addVm({ resourceGroup: "rg", name: "other", location: "westeurope", osType: "Linux" });
    await enableSystem();
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "other"), { body: {} })).status).toBe(200);
    expect((await call(arm, "GET", vmPath(arm, "rg", "vm"))).status).toBe(200);
  });

  it("completes by itself after autoCompleteAfterMs when nobody polls", async () => {
    await withVm({ autoCompleteAfterMs: 10 });
    await enableSystem();
    await vi.waitFor(() => expect(arm.getVm("rg", "vm")!.properties.provisioningState).toBe("Succeeded"), {
      timeout: 2000,
      interval: 5,
    });
    expect((await enableSystem()).status).toBe(200);
  });

  it("completes on completeOperations() when auto-completion is off", async () => {
    await withVm({ autoCompleteAfterMs: Infinity });
    const url = (await enableSystem()).headers.get("azure-asyncoperation")!;
    arm.completeOperations();
    expect(arm.getVm("rg", "vm")!.properties.provisioningState).toBe("Succeeded");
    expect((await call(arm, "GET", url)).body.status).toBe("Succeeded");
  });
});

describe("failOperations", () => {
  it("ends the next operation Failed with an error; the VM shows Failed and accepts writes again", async () => {
    await withVm({ pollsUntilDone: 0 });
    arm.failOperations({ code: "AllocationFailed", message: "no capacity" });
    const url = (await enableSystem()).headers.get("azure-asyncoperation")!;
    const [status] = await pollToEnd(arm, url);
    expect(status).toEqual({
      name: expect.stringMatching(GUID),
      status: "Failed",
      startTime: expect.any(String),
      endTime: expect.any(String),
      error: { code: "AllocationFailed", message: "no capacity" },
    });
    expect(arm.getVm("rg", "vm")!.properties.provisioningState).toBe("Failed");

    const next = await enableSystem();
    expect(next.status).toBe(200);
    expect((await pollToEnd(arm, next.headers.get("azure-asyncoperation")!)).at(-1).status).toBe("Succeeded");
  });

  it("uses a default code and message", async () => {
    await withVm({ pollsUntilDone: 0 });
    arm.failOperations();
    const [status] = await pollToEnd(arm, (await enableSystem()).headers.get("azure-asyncoperation")!);
    expect(status.error).toEqual({ code: "InternalExecutionError", message: expect.any(String) });
  });
});
