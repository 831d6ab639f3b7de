/** Faults for honest-outcome tests: lost responses, cancelled and rolled-back operations, the 412 code. */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import { call, pollToEnd, vmPath } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm?.close());

async function start(options: FakeArmOptions = {}): Promise<FakeArm> {
  arm = await startFakeArm({ pollsUntilDone: 0, autoCompleteAfterMs: Infinity, ...options });
  arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
  return arm;
}

const vm = () => vmPath(arm, "rg", "vm");
const enableSystem = (headers?: Record<string, string>) => call(arm, "PATCH", vm(), { body: { identity: { type: "SystemAssigned" } }, headers });
const ext = () => `${vm()}/extensions/ManagedIdentityExtensionForLinux`;
const EXTENSION = {
  location: "westeurope",
  properties: { publisher: "Microsoft.ManagedIdentity", type: "ManagedIdentityExtensionForLinux", typeHandlerVersion: "1.0", settings: { port: 50342 } },
};

describe("injectFault({ kind: 'lose-response' })", () => {
  it("applies the write and starts its operation, then resets the connection instead of answering", async () => {
    await start();
    arm.injectFault({ method: "PATCH", kind: "lose-response" });
    await expect(enableSystem()).rejects.toThrow();

    const held = arm.getVm("rg", "vm")!;
    expect(held.identity?.type).toBe("SystemAssigned");
    expect(held.etag).toBe('"2"');
    expect(held.properties.provisioningState).toBe("Updating");
    // The lost write's operation runs: a replay meets it.
    expect((await enableSystem()).status).toBe(409);

    const lost = arm.requests[0]!;
    expect(lost).toMatchObject({ method: "PATCH", status: 200, faulted: true, responseLost: true });
    expect(arm.requests[1]).not.toHaveProperty("responseLost");
    expect(arm.stats).toMatchObject({ faulted: 1, appliedWrites: 1, conflicts: 1 });
  });

  it("loses whatever the emulator answered, errors included, and is used up like other faults", async () => {
    await start();
    arm.injectFault({ method: "PATCH", kind: "lose-response", times: 2 });
    await expect(call(arm, "PATCH", vm(), { body: { identity: { type: "Bogus" } } })).rejects.toThrow();
    expect(arm.requests[0]).toMatchObject({ status: 400, responseLost: true });
    await expect(enableSystem()).rejects.toThrow();
    arm.completeOperations();
    expect((await call(arm, "PATCH", vm(), { body: { identity: { type: "None" } } })).status).toBe(200);
    expect(arm.stats.appliedWrites).toBe(2);
  });

  it("on a DELETE leaves the deletion running", async () => {
    await start();
    expect((await call(arm, "PUT", ext(), { body: EXTENSION })).status).toBe(201);
    arm.completeOperations();
    arm.injectFault({ method: "DELETE", pathIncludes: "/extensions/", kind: "lose-response" });
    await expect(call(arm, "DELETE", ext())).rejects.toThrow();
    expect(arm.getExtension("rg", "vm", "ManagedIdentityExtensionForLinux")!.properties.provisioningState).toBe("Deleting");
    arm.completeOperations();
    expect(arm.getExtension("rg", "vm", "ManagedIdentityExtensionForLinux")).toBeUndefined();
  });
});

describe("failOperations({ status: 'Canceled' })", () => {
  it("ends the operation Canceled with an error; the change stays applied by default", async () => {
    await start();
    arm.failOperations({ status: "Canceled" });
    const [status] = await pollToEnd(arm, (await enableSystem()).headers.get("azure-asyncoperation")!);
    expect(status).toMatchObject({ status: "Canceled", error: { code: "OperationCanceled", message: expect.any(String) } });
    const held = arm.getVm("rg", "vm")!;
    expect(held.identity?.type).toBe("SystemAssigned");
    expect(held.properties.provisioningState).toBe("Canceled");
  });

  it("answers a cancelled operation's Location with its error", async () => {
    await start();
    expect((await call(arm, "PUT", ext(), { body: EXTENSION })).status).toBe(201);
    arm.completeOperations();
    arm.failOperations({ status: "Canceled", code: "Preempted", message: "stopped" });
    const location = (await call(arm, "DELETE", ext())).headers.get("location")!;
    const reply = await call(arm, "GET", location);
    expect(reply.status).toBe(500);
    expect(reply.body.error).toEqual({ code: "Preempted", message: "stopped" });
    expect(arm.getExtension("rg", "vm", "ManagedIdentityExtensionForLinux")!.properties.provisioningState).toBe("Canceled");
  });

  it("rejects unknown statuses and switches", async () => {
    await start();
    expect(() => arm.failOperations({ status: "Succeeded" as never })).toThrow(/status/);
    expect(() => arm.failOperations({ changes: "kept" as never })).toThrow(/changes/);
    await expect(startFakeArm({ failedOperationChanges: "undone" as never })).rejects.toThrow(/failedOperationChanges/);
  });
});

describe("rolled-back failures", () => {
  it("restore the identity, tags and properties held before the write, and move the ETag on", async () => {
    await start();
    expect((await call(arm, "PATCH", vm(), { body: { tags: { team: "a" } } })).status).toBe(200);
    arm.completeOperations();
    const before = arm.getVm("rg", "vm")!;

    arm.failOperations({ code: "AllocationFailed", changes: "rolledBack" });
    const patch = await call(arm, "PATCH", vm(), { body: { identity: { type: "SystemAssigned" }, tags: { team: "b" } } });
    expect(patch.headers.get("etag")).toBe('"3"');
    expect(patch.body.identity.type).toBe("SystemAssigned");
    const [status] = await pollToEnd(arm, patch.headers.get("azure-asyncoperation")!);
    expect(status).toMatchObject({ status: "Failed", error: { code: "AllocationFailed" } });

    const after = arm.getVm("rg", "vm")!;
    expect(after).not.toHaveProperty("identity");
    expect(after.tags).toEqual({ team: "a" });
    expect(after.properties).toEqual(before.properties);
    expect(after.etag).toBe('"4"');
    // An If-Match with the PATCH response's ETag now fails.
    expect((await enableSystem({ "If-Match": '"3"' })).status).toBe(412);
  });

  it("apply to every failure when failedOperationChanges is 'rolledBack', unless a failure says otherwise", async () => {
    await start({ failedOperationChanges: "rolledBack" });
    arm.failOperations({ times: 2 });
    await pollToEnd(arm, (await enableSystem()).headers.get("azure-asyncoperation")!);
    expect(arm.getVm("rg", "vm")).not.toHaveProperty("identity");

    arm.failOperations({ changes: "applied" });
    arm.failOperations(); // the second of the two above comes first
    await pollToEnd(arm, (await enableSystem()).headers.get("azure-asyncoperation")!);
    expect(arm.getVm("rg", "vm")).not.toHaveProperty("identity");
    await pollToEnd(arm, (await enableSystem()).headers.get("azure-asyncoperation")!);
    expect(arm.getVm("rg", "vm")!.identity?.type).toBe("SystemAssigned");
  });

  it("undo an extension install, an extension update and a VM create", async () => {
    await start({ failedOperationChanges: "rolledBack" });
    arm.failOperations();
    await pollToEnd(arm, (await call(arm, "PUT", ext(), { body: EXTENSION })).headers.get("azure-asyncoperation")!);
    expect(arm.getExtension("rg", "vm", "ManagedIdentityExtensionForLinux")).toBeUndefined();

    await pollToEnd(arm, (await call(arm, "PUT", ext(), { body: EXTENSION })).headers.get("azure-asyncoperation")!);
    arm.failOperations();
    const update = { ...EXTENSION, properties: { ...EXTENSION.properties, settings: { port: 1 } } };
    await pollToEnd(arm, (await call(arm, "PUT", ext(), { body: update })).headers.get("azure-asyncoperation")!);
    expect(arm.getExtension("rg", "vm", "ManagedIdentityExtensionForLinux")!.properties.settings).toEqual({ port: 50342 });

    arm.failOperations();
    const created = await call(arm, "PUT", vmPath(arm, "rg", "new"), { body: { location: "westeurope" } });
    expect(created.status).toBe(201);
    await pollToEnd(arm, created.headers.get("azure-asyncoperation")!);
    expect(arm.getVm("rg", "new")).toBeUndefined();
  });

  it("leave an extension whose deletion failed in place, as it was", async () => {
    await start({ failedOperationChanges: "rolledBack" });
    await pollToEnd(arm, (await call(arm, "PUT", ext(), { body: EXTENSION })).headers.get("azure-asyncoperation")!);
    arm.failOperations();
    await pollToEnd(arm, (await call(arm, "DELETE", ext())).headers.get("azure-asyncoperation")!);
    expect(arm.getExtension("rg", "vm", "ManagedIdentityExtensionForLinux")!.properties.provisioningState).toBe("Succeeded");
  });
});

describe("preconditionFailedCode", () => {
  it("defaults to PreconditionFailed", async () => {
    await start();
    const reply = await enableSystem({ "If-Match": '"9"' });
    expect(reply.status).toBe(412);
    expect(reply.body.error.code).toBe("PreconditionFailed");
  });

  it("is the code of every 412", async () => {
    await start({ preconditionFailedCode: "ConditionNotMet" });
    const patch = await enableSystem({ "If-Match": '"9"' });
    expect(patch.status).toBe(412);
    expect(patch.body.error.code).toBe("ConditionNotMet");
    const put = await call(arm, "PUT", vm(), { body: { location: "westeurope" }, headers: { "If-None-Match": "*" } });
    expect(put.status).toBe(412);
    expect(put.body.error.code).toBe("ConditionNotMet");
    expect(arm.stats.preconditionFailed).toBe(2);
    await expect(startFakeArm({ preconditionFailedCode: "" })).rejects.toThrow(/preconditionFailedCode/);
  });
});
