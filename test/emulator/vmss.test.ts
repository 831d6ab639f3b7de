/** Scale sets: seeding, GET/PUT/PATCH with ETags and operations, lists, instances, Uniform and Flexible identities. */
import { afterEach, describe, expect, it } from "vitest";
import { ArmError } from "../../src/testing/errors.js";
import { DEFAULT_TENANT_ID, startFakeArm, type AddVmssOptions, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import { groupScope, listAll, subscriptionScope, vmssPath, writeAndSettle } from "./accessHelpers.js";
import { call, GUID, pollToEnd, vmPath } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm.close());

async function start(options: FakeArmOptions = {}, vmss: Partial<AddVmssOptions> = {}): Promise<string> {
  arm = await startFakeArm({ pollsUntilDone: 0, autoCompleteAfterMs: Infinity, ...options });
  return arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux", ...vmss });
}
const path = () => vmssPath(arm, "rg", "ss");

describe("addVmss and GET", () => {
  it("seeds a provisioned scale set and returns its id; GET answers it with its ETag", async () => {
    const id = await start({}, { capacity: 3, upgradePolicy: "Automatic" });
    expect(id).toBe(path());
    const reply = await call(arm, "GET", path());
    expect(reply.status).toBe(200);
    expect(reply.headers.get("etag")).toBe('"1"');
    expect(reply.body).toEqual(arm.getVmss("rg", "ss"));
    expect(reply.body).toEqual({
      id,
      name: "ss",
      type: "Microsoft.Compute/virtualMachineScaleSets",
      location: "westeurope",
      etag: '"1"',
      sku: { name: "Standard_B2s", tier: "Standard", capacity: 3 },
      properties: {
        orchestrationMode: "Uniform",
        upgradePolicy: { mode: "Automatic" },
        virtualMachineProfile: { storageProfile: { osDisk: { createOption: "FromImage", osType: "Linux" } } },
        uniqueId: expect.stringMatching(GUID),
        provisioningState: "Succeeded",
      },
    });
  });

  it("defaults to Uniform, Manual and two instances", async () => {
    await start();
    expect(arm.getVmss("rg", "ss")!.properties).toMatchObject({ orchestrationMode: "Uniform", upgradePolicy: { mode: "Manual" } });
    expect(arm.getVmssInstances("rg", "ss")!.map((i) => i.instanceId)).toEqual(["0", "1"]);
  });

  it("GET of a missing scale set is 404 ResourceNotFound; getVmss is undefined", async () => {
    await start();
    const reply = await call(arm, "GET", vmssPath(arm, "rg", "nope"));
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("ResourceNotFound");
    expect(arm.getVmss("rg", "nope")).toBeUndefined();
    expect(arm.getVmssInstances("rg", "nope")).toBeUndefined();
  });

  it.each([
    [{ osType: "Mac" }, /osType/],
    [{ orchestrationMode: "Mixed" }, /orchestrationMode/],
    [{ upgradePolicy: "Sometimes" }, /upgradePolicy/],
    [{ capacity: -1 }, /capacity/],
    [{ name: "a/b" }, /name/],
    [{ subscriptionId: "99999999-9999-4999-8999-999999999999" }, /subscription/],
  ])("addVmss(%j) throws", async (override, message) => {
    await start();
    expect(() => arm.addVmss({ resourceGroup: "rg", name: "other", location: "westeurope", osType: "Linux", ...(override as object) })).toThrow(message);
  });

  it("refuses a second scale set of the same name", async () => {
    await start();
    expect(() => arm.addVmss({ resourceGroup: "RG", name: "SS", location: "westeurope", osType: "Linux" })).toThrow(/already exists/);
  });
});

describe("PATCH", () => {
  it("answers 200 with the scale set Updating, a new ETag and an Azure-AsyncOperation that ends Succeeded", async () => {
    await start();
    const reply = await call(arm, "PATCH", path(), { body: { identity: { type: "SystemAssigned" } } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("etag")).toBe('"2"');
    expect(reply.body.etag).toBe('"2"');
    expect(reply.body.properties.provisioningState).toBe("Updating");
    const url = reply.headers.get("azure-asyncoperation")!;
    expect(url).toMatch(new RegExp(`^${arm.endpoint}/subscriptions/${arm.subscriptionId}/providers/Microsoft\\.Compute/locations/westeurope/operations/`));
    expect((await pollToEnd(arm, url)).at(-1).status).toBe("Succeeded");
    const after = (await call(arm, "GET", path())).body;
    expect(after.properties.provisioningState).toBe("Succeeded");
    expect(after.identity).toEqual({ type: "SystemAssigned", principalId: expect.stringMatching(GUID), tenantId: DEFAULT_TENANT_ID });
  });

  it("honours If-Match: a stale ETag is 412 and changes nothing, the current one succeeds", async () => {
    await start();
    const stale = await call(arm, "PATCH", path(), { body: { identity: { type: "SystemAssigned" } }, headers: { "if-match": '"7"' } });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe("PreconditionFailed");
    expect(arm.getVmss("rg", "ss")).not.toHaveProperty("identity");
    const current = await call(arm, "PATCH", path(), { body: { identity: { type: "SystemAssigned" } }, headers: { "if-match": '"1"' } });
    expect(current.status).toBe(200);
  });

  it("answers a write during a running write with 409 ConflictingConcurrentWriteNotAllowed naming the scale set", async () => {
    await start();
    expect((await call(arm, "PATCH", path(), { body: { identity: { type: "SystemAssigned" } } })).status).toBe(200);
    const second = await call(arm, "PATCH", path(), { body: { identity: { type: "None" } } });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("ConflictingConcurrentWriteNotAllowed");
    expect(second.body.error.message).toContain("virtual machine scale set 'ss'");
    arm.completeOperations();
    expect((await call(arm, "PATCH", path(), { body: { identity: { type: "None" } } })).status).toBe(200);
  });

  it("answers a missing scale set with 404", async () => {
    await start();
    expect((await call(arm, "PATCH", vmssPath(arm, "rg", "nope"), { body: {} })).status).toBe(404);
  });

  it("changes capacity: new instances run the latest model, removed ones go", async () => {
    await start({}, { capacity: 1 });
    await writeAndSettle(arm, "PATCH", path(), { sku: { capacity: 3 } });
    expect(arm.getVmssInstances("rg", "ss")!.map((i) => [i.instanceId, i.properties.latestModelApplied])).toEqual([
      ["0", true],
      ["1", true],
      ["2", true],
    ]);
    await writeAndSettle(arm, "PATCH", path(), { sku: { capacity: 1 } });
    expect(arm.getVmssInstances("rg", "ss")!.map((i) => i.instanceId)).toEqual(["0"]);
    expect((await call(arm, "PATCH", path(), { body: { sku: { capacity: 1.5 } } })).body.error.code).toBe("InvalidParameter");
  });

  it("refuses to change the orchestration mode or the OS", async () => {
    await start();
    const mode = await call(arm, "PATCH", path(), { body: { properties: { orchestrationMode: "Flexible" } } });
    expect(mode.status).toBe(409);
    expect(mode.body.error.code).toBe("PropertyChangeNotAllowed");
    const os = await call(arm, "PATCH", path(), {
      body: { properties: { virtualMachineProfile: { storageProfile: { osDisk: { osType: "Windows" } } } } },
    });
    expect(os.status).toBe(409);
  });

  it("changes the upgrade policy, any casing accepted, and refuses an unknown one", async () => {
    await start();
    await writeAndSettle(arm, "PATCH", path(), { properties: { upgradePolicy: { mode: "automatic" } } });
    expect(arm.getVmss("rg", "ss")!.properties.upgradePolicy).toEqual({ mode: "Automatic" });
    const bad = await call(arm, "PATCH", path(), { body: { properties: { upgradePolicy: { mode: "Eventually" } } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("InvalidParameter");
  });
});

describe("PUT", () => {
  const body = (extra: Record<string, unknown> = {}) => ({
    location: "westeurope",
    sku: { name: "Standard_D2s_v3", tier: "Standard", capacity: 2 },
    properties: {
      orchestrationMode: "Uniform",
      upgradePolicy: { mode: "manual" },
      virtualMachineProfile: { storageProfile: { osDisk: { osType: "Windows", createOption: "FromImage" } } },
    },
    ...extra,
  });

  it("creates a scale set: 201 Creating, then Succeeded with its instances", async () => {
    await start();
    const reply = await call(arm, "PUT", vmssPath(arm, "rg", "made"), { body: body({ identity: { type: "SystemAssigned" } }) });
    expect(reply.status).toBe(201);
    expect(reply.body.properties.provisioningState).toBe("Creating");
    await pollToEnd(arm, reply.headers.get("azure-asyncoperation")!);
    const made = arm.getVmss("rg", "made")!;
    expect(made).toMatchObject({
      sku: { name: "Standard_D2s_v3", capacity: 2 },
      identity: { type: "SystemAssigned" },
      properties: { provisioningState: "Succeeded", upgradePolicy: { mode: "Manual" }, virtualMachineProfile: { storageProfile: { osDisk: { osType: "Windows" } } } },
    });
    expect(arm.getVmssInstances("rg", "made")).toHaveLength(2);
  });

  it("replaces an existing one: 200, and If-None-Match: * refuses it with 412", async () => {
    await start();
    expect((await call(arm, "PUT", path(), { body: body(), headers: { "if-none-match": "*" } })).status).toBe(412);
    expect((await call(arm, "PUT", path(), { body: { ...body(), properties: { virtualMachineProfile: {} } } })).status).toBe(200);
  });

  it("refuses a missing location and a move", async () => {
    await start();
    expect((await call(arm, "PUT", vmssPath(arm, "rg", "x"), { body: { properties: {} } })).body.error.code).toBe("LocationRequired");
    expect((await call(arm, "PUT", path(), { body: { ...body(), location: "eastus" } })).body.error.code).toBe("InvalidResourceLocation");
  });
});

describe("lists", () => {
  it("list the subscription's and a resource group's scale sets, paged with nextLink", async () => {
    await start({ listPageSize: 2 }, { capacity: 0 });
    arm.addVmss({ resourceGroup: "rg", name: "ss2", location: "westeurope", osType: "Linux", capacity: 0 });
    arm.addVmss({ resourceGroup: "rg", name: "ss3", location: "westeurope", osType: "Linux", capacity: 0 });
    arm.addVmss({ resourceGroup: "other", name: "ss4", location: "westeurope", osType: "Linux", capacity: 0 });
    const all = await listAll(arm, `${subscriptionScope(arm)}/providers/Microsoft.Compute/virtualMachineScaleSets`);
    expect(all.pages).toEqual([2, 2]);
    expect(all.items.map((s) => s.name)).toEqual(["ss", "ss2", "ss3", "ss4"]);
    const inGroup = await listAll(arm, `${groupScope(arm, "RG")}/providers/Microsoft.Compute/virtualMachineScaleSets`);
    expect(inGroup.pages).toEqual([2, 1]);
    expect(inGroup.items[0]).toEqual(arm.getVmss("rg", "ss"));
  });

  it("lists the instances, paged, each with instanceId and latestModelApplied", async () => {
    await start({ listPageSize: 2 }, { capacity: 3 });
    const { items, pages } = await listAll(arm, `${path()}/virtualMachines`);
    expect(pages).toEqual([2, 1]);
    expect(items).toEqual(arm.getVmssInstances("rg", "ss"));
    expect(items[1]).toEqual({
      id: `${path()}/virtualMachines/1`,
      name: "ss_1",
      type: "Microsoft.Compute/virtualMachines",
      instanceId: "1",
      location: "westeurope",
      properties: { latestModelApplied: true, vmId: expect.stringMatching(GUID), provisioningState: "Succeeded", storageProfile: { osDisk: { osType: "Linux" } } },
    });
    expect((await call(arm, "GET", `${path()}/virtualMachines/1`)).body).toEqual(items[1]);
    expect((await call(arm, "GET", `${path()}/virtualMachines/9`)).status).toBe(404);
  });
});

describe("Uniform", () => {
  it("instances share the scale set's identity", async () => {
    await start();
    const uai = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "x", location: "westeurope" });
    await writeAndSettle(arm, "PATCH", path(), { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [uai]: {} } } });
    const identity = arm.getVmss("rg", "ss")!.identity;
    expect(identity?.userAssignedIdentities?.[uai]?.principalId).toMatch(GUID);
    for (const instance of arm.getVmssInstances("rg", "ss")!) expect(instance.identity).toEqual(identity);
  });
});

describe("Flexible", () => {
  const flexible = { orchestrationMode: "Flexible" as const, capacity: 2 };

  it("refuses a system identity with 400 InvalidParameter naming the allowed values, over PATCH and PUT", async () => {
    await start({}, flexible);
    for (const type of ["SystemAssigned", "SystemAssigned, UserAssigned"]) {
      const uai = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "x", location: "westeurope" });
      const identity = type === "SystemAssigned" ? { type } : { type, userAssignedIdentities: { [uai]: {} } };
      const patch = await call(arm, "PATCH", path(), { body: { identity } });
      expect(patch.status).toBe(400);
      expect(patch.body.error).toMatchObject({ code: "InvalidParameter", target: "identity" });
      expect(patch.body.error.message).toContain(`The value '${type}' of parameter 'identity' is not allowed. Allowed values are: UserAssigned, None.`);
      const put = await call(arm, "PUT", vmssPath(arm, "rg", "flex2"), {
        body: { location: "westeurope", properties: { orchestrationMode: "Flexible" }, identity },
      });
      expect(put.status).toBe(400);
      expect(put.body.error.code).toBe("InvalidParameter");
    }
    expect(arm.getVmss("rg", "ss")).not.toHaveProperty("identity");
    expect(arm.getVmss("rg", "flex2")).toBeUndefined();
  });

  it("addVmss refuses a system identity with the same error", async () => {
    await start({}, flexible);
    let thrown: unknown;
    try {
      arm.addVmss({ resourceGroup: "rg", name: "f", location: "westeurope", osType: "Linux", orchestrationMode: "Flexible", identity: { type: "SystemAssigned" } });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ArmError);
    expect(thrown).toMatchObject({ status: 400, code: "InvalidParameter" });
  });

  it("takes user-assigned identities", async () => {
    await start({}, flexible);
    const uai = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "x", location: "westeurope" });
    const reply = await writeAndSettle(arm, "PATCH", path(), { identity: { type: "UserAssigned", userAssignedIdentities: { [uai]: {} } } });
    expect(reply.status).toBe(200);
    expect(arm.getVmss("rg", "ss")!.identity).toMatchObject({ type: "UserAssigned" });
  });

  it("its instances are ordinary VMs with properties.virtualMachineScaleSet.id; a system identity is enabled on them", async () => {
    await start({}, flexible);
    const instances = arm.getVmssInstances("rg", "ss")!;
    expect(instances).toHaveLength(2);
    for (const instance of instances) {
      expect(instance.instanceId).toMatch(/^ss_[0-9a-f]{8}$/);
      expect(instance.id).toBe(vmPath(arm, "rg", instance.instanceId));
      expect(instance.properties.latestModelApplied).toBe(true);
      const vm = (await call(arm, "GET", instance.id)).body;
      expect(vm.properties.virtualMachineScaleSet).toEqual({ id: path() });
    }
    const vmPathOf = instances[0]!.id;
    const enabled = await writeAndSettle(arm, "PATCH", vmPathOf, { identity: { type: "SystemAssigned" } });
    expect(enabled.status).toBe(200);
    expect((await call(arm, "GET", vmPathOf)).body.identity).toMatchObject({ type: "SystemAssigned", principalId: expect.stringMatching(GUID) });
    expect(arm.getVmssInstances("rg", "ss")![0]!.identity).toMatchObject({ type: "SystemAssigned" });
  });

  it("new instance VMs get the scale set's user-assigned identities; scaling in removes VMs", async () => {
    const uai = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/shared";
    await start({}, { ...flexible, capacity: 1, identity: { type: "UserAssigned", userAssignedIdentities: { [uai]: {} } } });
    const [first] = arm.getVmssInstances("rg", "ss")!;
    expect(Object.keys(first!.identity!.userAssignedIdentities!)).toEqual([uai]);
    await writeAndSettle(arm, "PATCH", path(), { sku: { capacity: 0 } });
    expect(arm.getVmssInstances("rg", "ss")).toEqual([]);
    expect((await call(arm, "GET", first!.id)).status).toBe(404);
  });
});
