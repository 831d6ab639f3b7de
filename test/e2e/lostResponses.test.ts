/**
 * Lost responses against the emulator: the request is handled in full (the
 * write applied, its operation started), then the connection is reset, so
 * the pipeline replays it. Whatever the replay meets, the call reports what
 * really happened: the change when the operation succeeded, a rejection when
 * it failed (whether its change stayed or was rolled back).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FakeArm } from "../../src/testing/index.js";
import { type RestError, type VmIdentityClient, isRestError } from "../../src/index.js";
import { emulatorWithClient } from "../support/emulator.js";

let arm: FakeArm;
let client: VmIdentityClient;
afterEach(async () => arm?.close());

async function setup(pollsUntilDone = 1): Promise<void> {
  ({ arm, client } = await emulatorWithClient({ pollsUntilDone }));
  arm.addVm({ resourceGroup: "rg", name: "vm", location: "westus", osType: "Linux" });
}

const lost = (arm: FakeArm, method: string, path?: string): void =>
  arm.injectFault({ method, kind: "lose-response", ...(path ? { pathIncludes: path } : {}) });

const lostOnce = (arm: FakeArm): number => arm.requests.filter((r) => (r as { responseLost?: boolean }).responseLost).length;

describe("a lost response, replayed", () => {
  it("PATCH, operation succeeds: changed, the identity read back", async () => {
    await setup();
    lost(arm, "PATCH");
    const result = await client.vm("rg", "vm").enableSystemAssigned();
    expect(lostOnce(arm)).toBe(1);
    expect(result.changed).toBe(true);
    expect(result.identity.systemAssigned?.principalId).toBeTruthy();
    expect(arm.getVm("rg", "vm")?.identity?.type).toBe("SystemAssigned");
  });

  it("PATCH, operation fails and its change stays: rejects, the VM's provisioning failed", async () => {
    await setup();
    lost(arm, "PATCH");
    arm.failOperations({ code: "InternalExecutionError", changes: "applied" });
    const e = await client.vm("rg", "vm").enableSystemAssigned().catch((err: unknown) => err);
    expect(lostOnce(arm)).toBe(1);
    expect(isRestError(e)).toBe(true);
    expect((e as RestError).code).toBe("OperationFailed");
    expect((e as RestError).statusCode).toBeUndefined();
    expect(arm.getVm("rg", "vm")?.properties.provisioningState).toBe("Failed");
  });

  it("PATCH, operation fails and its change is rolled back: that write did not stick, so it is written again (and reported as the second write ended)", async () => {
    await setup();
    lost(arm, "PATCH");
    arm.failOperations({ code: "InternalExecutionError", changes: "rolledBack" });
    const result = await client.vm("rg", "vm").enableSystemAssigned();
    expect(lostOnce(arm)).toBe(1);
    expect(arm.requests.filter((r) => r.method === "PATCH").length).toBeGreaterThanOrEqual(3);
    expect(result.changed).toBe(true);
    expect(arm.getVm("rg", "vm")?.identity?.type).toBe("SystemAssigned");
    // Once more, with every write failing and rolled back: the call ends in an error, never in "changed".
    arm.addVm({ resourceGroup: "rg", name: "doomed", location: "westus", osType: "Linux" });
    lost(arm, "PATCH", "/doomed");
    arm.failOperations({ code: "InternalExecutionError", changes: "rolledBack", times: Infinity });
    const e = await client.vm("rg", "doomed").enableSystemAssigned({ maxAttempts: 3 }).catch((err: unknown) => err);
    expect(isRestError(e)).toBe(true);
    expect(arm.getVm("rg", "doomed")?.identity).toBeUndefined();
  });

  it("create PUT (If-None-Match: *), operation succeeds: the VM it created is reported", async () => {
    await setup();
    lost(arm, "PUT", "/virtualMachines/new-vm");
    const created = await client.vm("rg", "new-vm").create({ location: "westus", properties: { storageProfile: { osDisk: { osType: "Linux" } } } }).withSystemAssignedIdentity().apply();
    expect(lostOnce(arm)).toBe(1);
    expect(created.identity.systemAssigned?.principalId).toBeTruthy();
  });

  it("extension PUT, operation succeeds: installed", async () => {
    await setup();
    lost(arm, "PUT", "/extensions/");
    const ext = await client.vm("rg", "vm").msiExtension.install();
    expect(lostOnce(arm)).toBe(1);
    expect(ext.properties?.provisioningState).toBe("Succeeded");
    expect(arm.getExtension("rg", "vm", "ManagedIdentityExtensionForLinux")).toBeDefined();
  });

  it("extension PUT, operation fails: rejects", async () => {
    await setup();
    lost(arm, "PUT", "/extensions/");
    arm.failOperations({ code: "VMExtensionProvisioningError" });
    const e = await client.vm("rg", "vm").msiExtension.install().catch((err: unknown) => err);
    expect(lostOnce(arm)).toBe(1);
    expect(isRestError(e)).toBe(true);
  });

  it.each([0, 3])("extension DELETE (operation polled %i times): removed: true, and it is gone", async (polls) => {
    await setup(polls);
    await client.vm("rg", "vm").msiExtension.install();
    lost(arm, "DELETE");
    const result = await client.vm("rg", "vm").msiExtension.remove({ name: "ManagedIdentityExtensionForLinux" });
    expect(lostOnce(arm)).toBe(1);
    expect(result).toEqual({ removed: true, name: "ManagedIdentityExtensionForLinux" });
    expect(arm.getExtension("rg", "vm", "ManagedIdentityExtensionForLinux")).toBeUndefined();
  });

  it("extension DELETE, operation fails: rejects, and the extension is still there", async () => {
    await setup(2);
    await client.vm("rg", "vm").msiExtension.install();
    lost(arm, "DELETE");
    arm.failOperations({ code: "VMExtensionHandlerNonTransientError" });
    const e = await client.vm("rg", "vm").msiExtension.remove({ name: "ManagedIdentityExtensionForLinux" }).catch((err: unknown) => err);
    expect(isRestError(e)).toBe(true);
    expect(arm.getExtension("rg", "vm", "ManagedIdentityExtensionForLinux")).toBeDefined();
  });

  it("extension DELETE, operation fails and is rolled back: rejects (it was not deleted), never removed: true", async () => {
    await setup(2);
    await client.vm("rg", "vm").msiExtension.install();
    lost(arm, "DELETE");
    arm.failOperations({ code: "VMExtensionHandlerNonTransientError", changes: "rolledBack" });
    const e = await client.vm("rg", "vm").msiExtension.remove({ name: "ManagedIdentityExtensionForLinux" }).catch((err: unknown) => err);
    expect(lostOnce(arm)).toBe(1);
    expect(isRestError(e)).toBe(true);
    expect(arm.getExtension("rg", "vm", "ManagedIdentityExtensionForLinux")).toBeDefined();
  });

  it("in a fleet: the VM whose PATCH answer was lost is changed, once", async () => {
    await setup();
    for (let i = 0; i < 4; i++) arm.addVm({ resourceGroup: "rg", name: `f${i}`, location: "westus", osType: "Linux" });
    lost(arm, "PATCH", "/virtualMachines/f2");
    const results = await client.vms({ resourceGroup: "rg" }).identity().enableSystemAssigned().apply();
    expect(lostOnce(arm)).toBe(1);
    expect(results.stats).toMatchObject({ changed: 5, failed: 0, unknown: 0 });
  });
});
