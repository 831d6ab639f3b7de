/**
 * Honest outcomes on scale sets as on VMs: cancelled and rolled-back
 * operations (the directory following the identity back), lost responses,
 * the 412 code switch, and what the router says when nothing matches.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import { putAssignment, READER, roleId, subscriptionScope, vmssPath } from "./accessHelpers.js";
import { call, pollToEnd, vmPath } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm?.close());

async function start(options: FakeArmOptions = {}): Promise<FakeArm> {
  arm = await startFakeArm({ pollsUntilDone: 0, autoCompleteAfterMs: Infinity, ...options });
  arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux", capacity: 1 });
  arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
  return arm;
}

const ss = () => vmssPath(arm, "rg", "ss");
const NAME = "11111111-1111-4111-8111-111111111111";
const EXTENSION = { properties: { publisher: "Microsoft.ManagedIdentity", type: "ManagedIdentityExtensionForLinux", typeHandlerVersion: "1.0" } };
const assign = (principalId: string) => putAssignment(arm, subscriptionScope(arm), NAME, { roleDefinitionId: roleId(arm, READER), principalId });

/** Sends the write and polls its operation to the end; returns the write's reply and the final status body. */
async function writeToEnd(method: string, path: string, body?: unknown) {
  const reply = await call(arm, method, path, { body });
  const seen = await pollToEnd(arm, reply.headers.get("azure-asyncoperation")!);
  return { reply, final: seen[seen.length - 1] };
}

describe("failed and cancelled scale-set operations", () => {
  it("Failed keeps the change by default; the operation reports the error", async () => {
    await start();
    arm.failOperations({ code: "VMScaleSetUpdateFailed" });
    const { final } = await writeToEnd("PATCH", ss(), { identity: { type: "SystemAssigned" } });
    expect(final).toMatchObject({ status: "Failed", error: { code: "VMScaleSetUpdateFailed" } });
    const held = arm.getVmss("rg", "ss")!;
    expect(held.identity?.type).toBe("SystemAssigned");
    expect(held.properties.provisioningState).toBe("Failed");
    // The principal the write made exists.
    expect((await assign(held.identity!.principalId!)).status).toBe(201);
  });

  it("rolled back, the identity is as before the write, its ETag moves on, and its new principal is gone", async () => {
    await start();
    arm.failOperations({ status: "Canceled", changes: "rolledBack" });
    const { reply, final } = await writeToEnd("PATCH", ss(), { identity: { type: "SystemAssigned" } });
    expect(final).toMatchObject({ status: "Canceled", error: { code: "OperationCanceled" } });
    const principal = reply.body.identity.principalId as string;
    const held = arm.getVmss("rg", "ss")!;
    expect(held).not.toHaveProperty("identity");
    expect(held.etag).toBe('"3"');
    expect(held.properties.provisioningState).toBe("Succeeded");
    expect((await assign(principal)).body.error.code).toBe("PrincipalNotFound");
  });

  it("rolled back on a VM too: the directory follows the identity back", async () => {
    await start();
    arm.failOperations({ changes: "rolledBack" });
    const { reply } = await writeToEnd("PATCH", vmPath(arm, "rg", "vm"), { identity: { type: "SystemAssigned" } });
    expect(arm.getVm("rg", "vm")).not.toHaveProperty("identity");
    expect((await assign(reply.body.identity.principalId)).body.error.code).toBe("PrincipalNotFound");
  });

  it("a rolled-back disable gives the scale set its principal back", async () => {
    await start();
    const { reply } = await writeToEnd("PATCH", ss(), { identity: { type: "SystemAssigned" } });
    const principal = reply.body.identity.principalId as string;
    arm.failOperations({ changes: "rolledBack" });
    await writeToEnd("PATCH", ss(), { identity: { type: "None" } });
    expect(arm.getVmss("rg", "ss")!.identity!.principalId).toBe(principal);
    expect((await assign(principal)).status).toBe(201);
  });

  it("a rolled-back extension PUT leaves the model (and the instances) as they were", async () => {
    await start();
    arm.failOperations({ changes: "rolledBack" });
    const { final } = await writeToEnd("PUT", `${ss()}/extensions/msi`, EXTENSION);
    expect(final.status).toBe("Failed");
    expect(arm.getVmss("rg", "ss")!.properties.virtualMachineProfile).not.toHaveProperty("extensionProfile");
    expect(arm.getVmssInstances("rg", "ss")!.map((i) => i.properties.latestModelApplied)).toEqual([true]);
    expect((await call(arm, "GET", `${ss()}/extensions/msi`)).status).toBe(404);
  });

  it("a rolled-back extension DELETE keeps the extension, Succeeded", async () => {
    await start();
    await writeToEnd("PUT", `${ss()}/extensions/msi`, EXTENSION);
    arm.failOperations({ changes: "rolledBack" });
    await writeToEnd("DELETE", `${ss()}/extensions/msi`);
    const ext = await call(arm, "GET", `${ss()}/extensions/msi`);
    expect(ext.status).toBe(200);
    expect(ext.body.properties.provisioningState).toBe("Succeeded");
  });

  it("a rolled-back capacity change restores the count", async () => {
    await start();
    arm.failOperations({ changes: "rolledBack" });
    await writeToEnd("PATCH", ss(), { sku: { capacity: 3 } });
    expect(arm.getVmss("rg", "ss")!.sku.capacity).toBe(1);
    expect(arm.getVmssInstances("rg", "ss")).toHaveLength(1);
  });

  it("a failed manualupgrade leaves the instances on their old model", async () => {
    await start();
    await writeToEnd("PUT", `${ss()}/extensions/msi`, EXTENSION);
    arm.failOperations();
    const reply = await call(arm, "POST", `${ss()}/manualupgrade`, { body: { instanceIds: ["0"] } });
    expect(reply.status).toBe(202);
    await pollToEnd(arm, reply.headers.get("azure-asyncoperation")!);
    expect(arm.getVmssInstances("rg", "ss")![0]!.properties.latestModelApplied).toBe(false);
  });
});

describe("a lost response on a scale-set write", () => {
  it("applies the write and starts its operation; a replay meets it as 409", async () => {
    await start();
    arm.injectFault({ method: "PATCH", pathIncludes: "virtualMachineScaleSets", kind: "lose-response" });
    await expect(call(arm, "PATCH", ss(), { body: { identity: { type: "SystemAssigned" } } })).rejects.toThrow();
    expect(arm.getVmss("rg", "ss")!.identity?.type).toBe("SystemAssigned");
    expect(arm.getVmss("rg", "ss")!.properties.provisioningState).toBe("Updating");
    const replay = await call(arm, "PATCH", ss(), { body: { identity: { type: "SystemAssigned" } } });
    expect(replay.status).toBe(409);
    expect(replay.body.error.message).toMatch(/virtual machine scale set 'ss' is being updated/);
    expect(arm.stats).toMatchObject({ faulted: 1, appliedWrites: 1, conflicts: 1 });
  });
});

describe("preconditionFailedCode", () => {
  it("names a scale set's failed If-Match as it names a VM's", async () => {
    await start({ preconditionFailedCode: "ConditionNotMet" });
    const reply = await call(arm, "PATCH", ss(), { body: { tags: { a: "b" } }, headers: { "if-match": '"9"' } });
    expect(reply.status).toBe(412);
    expect(reply.body.error.code).toBe("ConditionNotMet");
  });
});

describe("an unknown path", () => {
  it("answers 404 NotFound listing everything the emulator serves", async () => {
    await start();
    const reply = await call(arm, "GET", `${subscriptionScope(arm)}/providers/Microsoft.Network/virtualNetworks`);
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("NotFound");
    for (const served of [
      "virtual machines",
      "virtual machine scale sets, their extensions, instances and manualupgrade",
      "user-assigned identities",
      "role definitions and role assignments",
      "operation status URLs",
      "subscriptions",
      "lists of virtual machines, scale sets and user-assigned identities",
      "Resource Graph queries",
    ]) {
      expect(reply.body.error.message).toContain(served);
    }
  });
});
