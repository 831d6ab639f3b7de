import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_TENANT_ID, startFakeArm, type FakeArm } from "../../src/testing/index.js";
import { call, GUID, vmPath } from "./helpers.js";

let arm: FakeArm;
beforeEach(async () => {
  arm = await startFakeArm();
});
afterEach(async () => arm.close());

describe("GET virtual machine", () => {
  it("returns the seeded VM as ARM does, with a matching ETag", async () => {
    const id = arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Windows", tags: { env: "test" } });
    const reply = await call(arm, "GET", vmPath(arm, "rg", "vm1"));

    expect(reply.status).toBe(200);
    expect(reply.headers.get("etag")).toBe('"1"');
    expect(reply.body).toEqual({
      id,
      name: "vm1",
      type: "Microsoft.Compute/virtualMachines",
      location: "westeurope",
      etag: '"1"',
      tags: { env: "test" },
      properties: {
        vmId: expect.stringMatching(GUID),
        provisioningState: "Succeeded",
        hardwareProfile: { vmSize: "Standard_B2s" },
        storageProfile: { osDisk: { osType: "Windows" } },
      },
    });
    expect(id).toBe(`/subscriptions/${arm.subscriptionId}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`);
  });

  it("has no identity property for a VM without identities", async () => {
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
    const reply = await call(arm, "GET", vmPath(arm, "rg", "vm1"));
    expect(reply.body).not.toHaveProperty("identity");
  });

  it("answers 404 ResourceNotFound for a missing VM", async () => {
    const reply = await call(arm, "GET", vmPath(arm, "rg", "ghost"));
    expect(reply.status).toBe(404);
    expect(reply.body.error).toEqual({
      code: "ResourceNotFound",
      message: "The Resource 'Microsoft.Compute/virtualMachines/ghost' under resource group 'rg' was not found.",
    });
  });

  it("merges extra seeded properties over the defaults", async () => {
    arm.addVm({
      resourceGroup: "rg",
      name: "vm1",
      location: "westeurope",
      osType: "Linux",
      properties: { hardwareProfile: { vmSize: "Standard_D4s_v5" }, licenseType: "None" },
    });
    const vm = arm.getVm("rg", "vm1")!;
    expect(vm.properties.hardwareProfile).toEqual({ vmSize: "Standard_D4s_v5" });
    expect(vm.properties.licenseType).toBe("None");
  });
});

describe("arm.getVm", () => {
  it("equals what a GET returns, and is a copy", async () => {
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
    const reply = await call(arm, "GET", vmPath(arm, "rg", "vm1"));
    const vm = arm.getVm("RG", "VM1")!;
    expect(vm).toEqual(reply.body);
    vm.properties.provisioningState = "Mutated";
    expect(arm.getVm("rg", "vm1")!.properties.provisioningState).toBe("Succeeded");
  });

  it("is undefined for a missing VM", () => {
    expect(arm.getVm("rg", "nope")).toBeUndefined();
  });
});

describe("arm.addVm", () => {
  it("creates the user-assigned identities an identity names, and shows their ids", async () => {
    const x = `/subscriptions/${arm.subscriptionId}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x`;
    arm.addVm({
      resourceGroup: "rg",
      name: "vm1",
      location: "westeurope",
      osType: "Linux",
      identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [x]: {} } },
    });
    const uai = arm.getUserAssignedIdentity("rg", "x")!;
    expect(uai.location).toBe("westeurope");

    const reply = await call(arm, "GET", vmPath(arm, "rg", "vm1"));
    expect(reply.body.identity).toEqual({
      type: "SystemAssigned, UserAssigned",
      principalId: expect.stringMatching(GUID),
      tenantId: DEFAULT_TENANT_ID,
      userAssignedIdentities: { [x]: { principalId: uai.properties.principalId, clientId: uai.properties.clientId } },
    });
  });

  it("reuses an existing identity", () => {
    const id = arm.addUserAssignedIdentity({ resourceGroup: "rg", name: "x", location: "eastus" });
    arm.addVm({
      resourceGroup: "rg",
      name: "vm1",
      location: "westeurope",
      osType: "Linux",
      identity: { type: "UserAssigned", userAssignedIdentities: { [id]: {} } },
    });
    const uai = arm.getUserAssignedIdentity("rg", "x")!;
    expect(uai.location).toBe("eastus");
    expect(arm.getVm("rg", "vm1")!.identity!.userAssignedIdentities![id]).toEqual({
      principalId: uai.properties.principalId,
      clientId: uai.properties.clientId,
    });
  });

  it("refuses a VM that exists", () => {
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
    expect(() => arm.addVm({ resourceGroup: "RG", name: "VM1", location: "westeurope", osType: "Linux" })).toThrow(
      /already exists/,
    );
  });

  it("validates the identity as a PUT would, creating nothing", () => {
    const x = `/subscriptions/${arm.subscriptionId}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x`;
    expect(() =>
      arm.addVm({
        resourceGroup: "rg",
        name: "vm1",
        location: "westeurope",
        osType: "Linux",
        identity: { type: "SystemAssigned", userAssignedIdentities: { [x]: {} } },
      }),
    ).toThrow(expect.objectContaining({ code: "InvalidParameter" }));
    expect(arm.getUserAssignedIdentity("rg", "x")).toBeUndefined();
    expect(arm.getVm("rg", "vm1")).toBeUndefined();
  });

  it("refuses bad names and os types", () => {
    expect(() => arm.addVm({ resourceGroup: "", name: "vm", location: "l", osType: "Linux" })).toThrow(TypeError);
    expect(() => arm.addVm({ resourceGroup: "rg", name: "a/b", location: "l", osType: "Linux" })).toThrow(TypeError);
    expect(() => arm.addVm({ resourceGroup: "rg", name: "vm", location: "l", osType: "Mac" as "Linux" })).toThrow(/osType/);
  });
});
