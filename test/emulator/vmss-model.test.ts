/**
 * The model and its instances: scale-set extensions change the model, which
 * reaches existing instances by manualupgrade under Manual and by itself under
 * Automatic and Rolling; identity changes are no model change.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm, type UpgradePolicyMode } from "../../src/testing/index.js";
import { vmssPath, writeAndSettle } from "./accessHelpers.js";
import { call, pollToEnd } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm.close());

async function start(upgradePolicy: UpgradePolicyMode = "Manual", capacity = 2): Promise<void> {
  arm = await startFakeArm({ pollsUntilDone: 0, autoCompleteAfterMs: Infinity });
  arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Windows", upgradePolicy, capacity });
}
const path = () => vmssPath(arm, "rg", "ss");
const extPath = (name = "ManagedIdentityExtensionForWindows") => `${path()}/extensions/${name}`;
const MSI = {
  properties: {
    publisher: "Microsoft.ManagedIdentity",
    type: "ManagedIdentityExtensionForWindows",
    typeHandlerVersion: "1.0",
    autoUpgradeMinorVersion: true,
    settings: { port: 50342 },
  },
};
const latest = () => arm.getVmssInstances("rg", "ss")!.map((i) => i.properties.latestModelApplied);
const instanceExtensions = () => arm.getVmssInstances("rg", "ss")!.map((i) => (i.resources ?? []).map((r) => r.name));
const upgrade = (instanceIds: unknown) => call(arm, "POST", `${path()}/manualupgrade`, { body: { instanceIds } });

describe("scale-set extensions", () => {
  it("PUT answers 201 Creating with the extension (no location) and an operation; it shows in the model's extensionProfile", async () => {
    await start();
    const reply = await call(arm, "PUT", extPath(), { body: MSI });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      id: extPath(),
      name: "ManagedIdentityExtensionForWindows",
      type: "Microsoft.Compute/virtualMachineScaleSets/extensions",
      properties: { ...MSI.properties, provisioningState: "Creating" },
    });
    expect(reply.headers.get("azure-asyncoperation")).toContain("/operations/");
    expect(arm.getVmss("rg", "ss")!.etag).toBe('"2"');
    await pollToEnd(arm, reply.headers.get("azure-asyncoperation")!);
    expect((await call(arm, "GET", extPath())).body.properties.provisioningState).toBe("Succeeded");
    expect(arm.getVmss("rg", "ss")!.properties.virtualMachineProfile.extensionProfile).toEqual({
      extensions: [{ name: "ManagedIdentityExtensionForWindows", properties: { ...MSI.properties, provisioningState: "Succeeded" } }],
    });
  });

  it("PUT over an existing one answers 200 Updating; an identical one changes no model", async () => {
    await start("Manual");
    await writeAndSettle(arm, "PUT", extPath(), MSI);
    await writeAndSettle(arm, "POST", `${path()}/manualupgrade`, { instanceIds: ["0", "1"] });
    const again = await writeAndSettle(arm, "PUT", extPath(), MSI);
    expect(again.status).toBe(200);
    expect(again.body.properties.provisioningState).toBe("Updating");
    expect(latest()).toEqual([true, true]);
    const changed = await writeAndSettle(arm, "PUT", extPath(), { properties: { ...MSI.properties, settings: { port: 50343 } } });
    expect(changed.status).toBe(200);
    expect(latest()).toEqual([false, false]);
  });

  it("refuses a body without publisher, type or typeHandlerVersion; a missing scale set is ParentResourceNotFound", async () => {
    await start();
    const bad = await call(arm, "PUT", extPath(), { body: { properties: { publisher: "p", type: "t" } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "InvalidParameter", target: "properties.typeHandlerVersion" });
    const orphan = await call(arm, "PUT", `${vmssPath(arm, "rg", "nope")}/extensions/e`, { body: MSI });
    expect(orphan.status).toBe(404);
    expect(orphan.body.error.code).toBe("ParentResourceNotFound");
  });

  it("GET of a missing extension is 404; DELETE of one is 204", async () => {
    await start();
    expect((await call(arm, "GET", extPath())).status).toBe(404);
    expect((await call(arm, "GET", `${vmssPath(arm, "rg", "nope")}/extensions/e`)).status).toBe(404);
    expect((await call(arm, "DELETE", extPath())).status).toBe(204);
  });

  it("DELETE answers 202 with Azure-AsyncOperation and Location; the extension shows Deleting until the operation ends", async () => {
    await start();
    await writeAndSettle(arm, "PUT", extPath(), MSI);
    const reply = await call(arm, "DELETE", extPath());
    expect(reply.status).toBe(202);
    expect(reply.headers.get("location")).toContain("/operationResults/");
    expect((await call(arm, "GET", extPath())).body.properties.provisioningState).toBe("Deleting");
    await pollToEnd(arm, reply.headers.get("azure-asyncoperation")!);
    expect((await call(arm, "GET", extPath())).status).toBe(404);
    expect(arm.getVmss("rg", "ss")!.properties.virtualMachineProfile).not.toHaveProperty("extensionProfile");
  });

  it("a write to an extension while another write runs is 409", async () => {
    await start();
    expect((await call(arm, "PUT", extPath(), { body: MSI })).status).toBe(201);
    expect((await call(arm, "PUT", extPath("other"), { body: MSI })).status).toBe(409);
    expect((await call(arm, "PATCH", path(), { body: { identity: { type: "SystemAssigned" } } })).status).toBe(409);
  });
});

describe("Manual upgrade policy", () => {
  it("an added extension reaches an instance only after manualupgrade names it", async () => {
    await start("Manual", 3);
    await writeAndSettle(arm, "PUT", extPath(), MSI);
    expect(latest()).toEqual([false, false, false]);
    expect(instanceExtensions()).toEqual([[], [], []]);

    const reply = await upgrade(["0", "2"]);
    expect(reply.status).toBe(202);
    expect(reply.body).toBeUndefined();
    expect(reply.headers.get("location")).toContain("/operationResults/");
    // Not before the operation ends.
    expect(latest()).toEqual([false, false, false]);
    await pollToEnd(arm, reply.headers.get("azure-asyncoperation")!);
    expect(latest()).toEqual([true, false, true]);
    expect(instanceExtensions()).toEqual([["ManagedIdentityExtensionForWindows"], [], ["ManagedIdentityExtensionForWindows"]]);
    const [first] = arm.getVmssInstances("rg", "ss")!;
    expect(first!.resources![0]).toMatchObject({
      id: `${path()}/virtualMachines/0/extensions/ManagedIdentityExtensionForWindows`,
      type: "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/extensions",
      properties: { publisher: "Microsoft.ManagedIdentity", provisioningState: "Succeeded" },
    });
  });

  it("a removed extension stays on the instances until manualupgrade", async () => {
    await start("Manual");
    await writeAndSettle(arm, "PUT", extPath(), MSI);
    await writeAndSettle(arm, "POST", `${path()}/manualupgrade`, { instanceIds: ["0", "1"] });
    await writeAndSettle(arm, "DELETE", extPath());
    expect(latest()).toEqual([false, false]);
    expect(instanceExtensions()).toEqual([["ManagedIdentityExtensionForWindows"], ["ManagedIdentityExtensionForWindows"]]);
    await writeAndSettle(arm, "POST", `${path()}/manualupgrade`, { instanceIds: ["1"] });
    expect(instanceExtensions()).toEqual([["ManagedIdentityExtensionForWindows"], []]);
    expect(latest()).toEqual([false, true]);
  });

  it("an identity change needs no upgrade: instances keep latestModelApplied", async () => {
    await start("Manual");
    const uai = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "x", location: "westeurope" });
    await writeAndSettle(arm, "PATCH", path(), { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [uai]: {} } } });
    await writeAndSettle(arm, "PATCH", path(), { identity: { type: "None", userAssignedIdentities: null } });
    expect(latest()).toEqual([true, true]);
  });

  it("a changed VM profile is a model change", async () => {
    await start("Manual");
    await writeAndSettle(arm, "PATCH", path(), { properties: { virtualMachineProfile: { osProfile: { computerNamePrefix: "x" } } } });
    expect(latest()).toEqual([false, false]);
  });

  it("an extensionProfile in a PUT of the scale set sets the model's extensions", async () => {
    await start("Manual");
    const put = await writeAndSettle(arm, "PUT", path(), {
      location: "westeurope",
      properties: { virtualMachineProfile: { extensionProfile: { extensions: [{ name: "msi", ...MSI }] } } },
    });
    expect(put.status).toBe(200);
    expect((await call(arm, "GET", `${path()}/extensions/msi`)).status).toBe(200);
    expect(latest()).toEqual([false, false]);
  });

  it.each([
    [{}, "a body without instanceIds"],
    [{ instanceIds: [] }, "an empty list"],
    [{ instanceIds: [0] }, "ids that are not strings"],
    [{ instanceIds: ["7"] }, "an unknown instance"],
  ])("manualupgrade refuses %j (%s) with 400 InvalidParameter", async (body, _what) => {
    await start();
    const reply = await call(arm, "POST", `${path()}/manualupgrade`, { body });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("InvalidParameter");
  });

  it("manualupgrade is 404 for a missing scale set and 409 while a write runs", async () => {
    await start();
    expect((await call(arm, "POST", `${vmssPath(arm, "rg", "nope")}/manualupgrade`, { body: { instanceIds: ["0"] } })).status).toBe(404);
    await call(arm, "PUT", extPath(), { body: MSI });
    const busy = await upgrade(["0"]);
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe("ConflictingConcurrentWriteNotAllowed");
  });

  it("a failed upgrade operation upgrades nothing", async () => {
    await start();
    await writeAndSettle(arm, "PUT", extPath(), MSI);
    arm.failOperations({ code: "VMExtensionProvisioningError" });
    const reply = await upgrade(["0"]);
    const statuses = await pollToEnd(arm, reply.headers.get("azure-asyncoperation")!);
    expect(statuses.at(-1)).toMatchObject({ status: "Failed", error: { code: "VMExtensionProvisioningError" } });
    expect(latest()).toEqual([false, false]);
  });
});

describe.each(["Automatic", "Rolling"] as const)("%s upgrade policy", (policy) => {
  it("brings every instance up to date when the extension's operation ends, not before", async () => {
    await start(policy);
    const reply = await call(arm, "PUT", extPath(), { body: MSI });
    expect(latest()).toEqual([false, false]);
    await pollToEnd(arm, reply.headers.get("azure-asyncoperation")!);
    expect(latest()).toEqual([true, true]);
    expect(instanceExtensions()).toEqual([["ManagedIdentityExtensionForWindows"], ["ManagedIdentityExtensionForWindows"]]);
    await writeAndSettle(arm, "DELETE", extPath());
    expect(latest()).toEqual([true, true]);
    expect(instanceExtensions()).toEqual([[], []]);
  });

  it("a failed operation leaves the instances behind", async () => {
    await start(policy);
    arm.failOperations();
    await writeAndSettle(arm, "PUT", extPath(), MSI);
    expect(latest()).toEqual([false, false]);
  });
});
