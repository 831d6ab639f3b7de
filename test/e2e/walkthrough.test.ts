import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeArm } from "../../src/testing/index.js";
import type { VmIdentityClient } from "../../src/index.js";
import { emulatorWithClient, heldIds, writesOf } from "../support/emulator.js";

let arm: FakeArm;
let client: VmIdentityClient;
let uai1: string;
let uai2: string;

const definition = (osType: "Windows" | "Linux") => ({
  location: "westus",
  properties: {
    hardwareProfile: { vmSize: "Standard_B1s" },
    storageProfile: { osDisk: { osType, createOption: "FromImage" } },
  },
});

beforeAll(async () => {
  ({ arm, client } = await emulatorWithClient({ pollsUntilDone: 1 }));
  uai1 = arm.addUserAssignedIdentity({ resourceGroup: "rg", name: "uai-1", location: "westus" });
  uai2 = arm.addUserAssignedIdentity({ resourceGroup: "rg", name: "uai-2", location: "westus" });
  arm.addVm({ resourceGroup: "rg", name: "existing-win", location: "westus", osType: "Windows" });
  arm.addVm({ resourceGroup: "rg", name: "existing-linux", location: "westus", osType: "Linux" });
});
afterAll(async () => arm.close());

/** Run one step and return the writes it sent. */
async function step<T>(fn: () => Promise<T>): Promise<{ value: T; writes: ReturnType<typeof writesOf> }> {
  arm.clearRequests();
  const value = await fn();
  return { value, writes: writesOf(arm) };
}

describe("every step of the walkthrough, against the emulator", () => {
  it("creates a VM with a system identity (New-AzureRmVMConfig -AssignIdentity)", async () => {
    const { value, writes } = await step(() => client.vm("rg", "vm-sys").create(definition("Windows")).withSystemAssignedIdentity().apply());
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ method: "PUT", status: 201, headers: { "if-none-match": "*" } });
    expect((writes[0]!.body as { identity: unknown }).identity).toEqual({ type: "SystemAssigned" });
    expect(value.identity.type).toBe("SystemAssigned");
    expect(value.identity.systemAssigned?.principalId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses to overwrite an existing VM unless asked", async () => {
    const e = await client.vm("rg", "vm-sys").create(definition("Windows")).apply().catch((err: unknown) => err);
    expect((e as { statusCode: number }).statusCode).toBe(412);
    expect(arm.getVm("rg", "vm-sys")?.identity?.type).toBe("SystemAssigned");
  });

  it("installs the MSI extension with the VM's OS and location (Set-AzureRmVMExtension)", async () => {
    const { value, writes } = await step(() => client.vm("rg", "vm-sys").msiExtension.install());
    expect(writes).toHaveLength(1);
    expect(writes[0]!.path).toMatch(/\/extensions\/ManagedIdentityExtensionForWindows$/);
    expect(writes[0]!.body).toEqual({
      location: "westus",
      properties: {
        publisher: "Microsoft.ManagedIdentity",
        type: "ManagedIdentityExtensionForWindows",
        typeHandlerVersion: "1.0",
        autoUpgradeMinorVersion: true,
        settings: { port: 50342 },
      },
    });
    expect(value.properties?.provisioningState).toBe("Succeeded");
    expect(await client.vm("rg", "vm-sys").msiExtension.get()).toMatchObject({ name: "ManagedIdentityExtensionForWindows" });
  });

  it("enables the system identity on an existing VM (Update-AzureRmVM -AssignIdentity)", async () => {
    const { value, writes } = await step(() => client.vm("rg", "existing-linux").enableSystemAssigned());
    expect(writes.map((w) => [w.method, w.body])).toEqual([["PATCH", { identity: { type: "SystemAssigned" } }]]);
    expect(writes[0]!.headers["if-match"]).toBe('"1"');
    expect(value).toMatchObject({ changed: true, attempts: 1 });
    expect(value.identity.systemAssigned?.tenantId).toBe(arm.tenantId);
  });

  it("sends nothing when the identity is already there", async () => {
    const { value, writes } = await step(() => client.vm("rg", "existing-linux").enableSystemAssigned());
    expect(writes).toEqual([]);
    expect(value.changed).toBe(false);
  });

  it("removes the extension (Remove-AzureRmVMExtension)", async () => {
    const { value, writes } = await step(() => client.vm("rg", "vm-sys").msiExtension.remove());
    expect(writes.map((w) => [w.method, w.status])).toEqual([["DELETE", 202]]);
    expect(value).toEqual({ removed: true, name: "ManagedIdentityExtensionForWindows" });
    expect(await client.vm("rg", "vm-sys").msiExtension.get()).toBeUndefined();
  });

  it("creates a VM with a user identity (-IdentityType UserAssigned -IdentityID)", async () => {
    const { value, writes } = await step(() => client.vm("rg", "vm-user").create(definition("Linux")).withUserAssignedIdentities(uai1).apply());
    expect((writes[0]!.body as { identity: unknown }).identity).toEqual({ type: "UserAssigned", userAssignedIdentities: { [uai1]: {} } });
    expect(value.identity.userAssigned).toEqual([
      expect.objectContaining({ id: expect.stringMatching(/uai-1$/), principalId: expect.any(String), clientId: expect.any(String) }),
    ]);
  });

  it("assigns a user identity to an existing VM, reporting its client id once attached", async () => {
    const { value, writes } = await step(() => client.vm("rg", "existing-linux").assignUserAssigned(uai1));
    expect(writes[0]!.body).toEqual({ identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [uai1]: {} } } });
    expect(value.identity.userAssigned[0]?.clientId).toBe(arm.getUserAssignedIdentity("rg", "uai-1")?.properties.clientId);
  });

  it("assigns a second and removes the first: one PATCH", async () => {
    const { writes } = await step(() => client.vm("rg", "existing-linux").identity().assignUserAssigned(uai2).removeUserAssigned(uai1).apply());
    expect(writes).toHaveLength(1);
    expect(heldIds(arm, "rg", "existing-linux")).toEqual([uai2.toLowerCase()]);
  });

  it("removes the last user identity", async () => {
    const { writes } = await step(() => client.vm("rg", "existing-linux").removeUserAssigned(uai2));
    expect(writes[0]!.body).toEqual({ identity: { type: "SystemAssigned", userAssignedIdentities: null } });
    expect(arm.getVm("rg", "existing-linux")?.identity).toEqual(expect.objectContaining({ type: "SystemAssigned" }));
    expect(heldIds(arm, "rg", "existing-linux")).toEqual([]);
  });

  it("disables the system identity, leaving no identity property", async () => {
    const { value, writes } = await step(() => client.vm("rg", "existing-linux").disableSystemAssigned());
    expect(writes[0]!.body).toEqual({ identity: { type: "None", userAssignedIdentities: null } });
    expect(value.identity).toEqual({ type: "None", userAssigned: [] });
    expect(arm.getVm("rg", "existing-linux")).not.toHaveProperty("identity");
  });

  it("refuses to remove an identity the VM does not hold, without writing", async () => {
    const { writes } = await step(() => client.vm("rg", "existing-linux").removeUserAssigned(uai1).catch((e: unknown) => e));
    expect(writes).toEqual([]);
  });

  it("creates, reads and deletes a user-assigned identity", async () => {
    const handle = client.userAssignedIdentity("rg", "made-here");
    const made = await handle.createOrUpdate({ location: "westus", tags: { team: "infra" } });
    expect(made).toMatchObject({ name: "made-here", location: "westus", tags: { team: "infra" } });
    expect(made.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await handle.get())?.principalId).toBe(made.principalId);
    expect(await handle.delete()).toEqual({ deleted: true });
    expect(await handle.get()).toBeUndefined();
    expect(await handle.delete()).toEqual({ deleted: false });
  });

  it("creates a VM with both identities and the extension", async () => {
    const result = await client
      .vm("rg", "vm-all")
      .create(definition("Linux"))
      .withSystemAssignedIdentity()
      .withUserAssignedIdentities([uai1, uai2])
      .withMsiExtension({ port: 50343 })
      .apply();
    expect(result.identity.type).toBe("SystemAssigned, UserAssigned");
    expect(result.extension?.properties?.settings?.port).toBe(50343);
    expect(result.extension?.properties?.type).toBe("ManagedIdentityExtensionForLinux");
  });
});
