/** Several subscriptions: their routes, their resources and their budgets, each their own. */
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID, startFakeArm, type FakeArm } from "../../src/testing/index.js";
import { call, uaiPath, vmPath } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm?.close());

const SUBSCRIPTIONS_API = "2022-12-01";

describe("subscriptions", () => {
  it("serves subscriptionIds, the first as arm.subscriptionId", async () => {
    arm = await startFakeArm({ subscriptionIds: ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"] });
    expect(arm.subscriptionId).toBe("11111111-1111-4111-8111-111111111111");
    expect(arm.subscriptionIds).toEqual(["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"]);
  });

  it("answers GET /subscriptions and GET /subscriptions/{id} with ids, names, state and tenant", async () => {
    arm = await startFakeArm({ subscriptionIds: ["sub-a"], subscriptions: [{ id: "sub-b", displayName: "Production" }] });
    const list = await call(arm, "GET", "/subscriptions", { apiVersion: SUBSCRIPTIONS_API });
    expect(list.status).toBe(200);
    expect(list.body.value).toEqual([
      expect.objectContaining({ id: "/subscriptions/sub-a", subscriptionId: "sub-a", displayName: "Subscription 1", state: "Enabled", tenantId: DEFAULT_TENANT_ID }),
      expect.objectContaining({ id: "/subscriptions/sub-b", subscriptionId: "sub-b", displayName: "Production", state: "Enabled", tenantId: DEFAULT_TENANT_ID }),
    ]);
    const one = await call(arm, "GET", "/subscriptions/SUB-B", { apiVersion: SUBSCRIPTIONS_API });
    expect(one.body).toEqual(list.body.value[1]);
    const missing = await call(arm, "GET", "/subscriptions/sub-c", { apiVersion: SUBSCRIPTIONS_API });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("SubscriptionNotFound");
  });

  it("defaults to one subscription; subscriptionId goes first and duplicates fold", async () => {
    arm = await startFakeArm();
    expect(arm.subscriptionIds).toEqual([DEFAULT_SUBSCRIPTION_ID]);
    await arm.close();
    arm = await startFakeArm({ subscriptionId: "main", subscriptionIds: ["other", "MAIN"], subscriptions: [{ id: "main", displayName: "Main" }] });
    expect(arm.subscriptionIds).toEqual(["main", "other"]);
    const [main] = (await call(arm, "GET", "/subscriptions", { apiVersion: SUBSCRIPTIONS_API })).body.value;
    expect(main.displayName).toBe("Main");
  });

  it("rejects malformed ids", async () => {
    await expect(startFakeArm({ subscriptionIds: ["a/b"] })).rejects.toThrow(/subscriptionId/);
    await expect(startFakeArm({ subscriptions: [{ id: "" }] })).rejects.toThrow(/subscriptionId/);
    await expect(startFakeArm({ subscriptionIds: "a" as never })).rejects.toThrow(/subscriptionIds/);
  });
});

describe("resources in several subscriptions", () => {
  it("keeps each subscription's VMs and identities apart", async () => {
    arm = await startFakeArm({ subscriptionIds: ["sub-a", "sub-b"] });
    const a = arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
    const b = arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Windows", subscriptionId: "sub-b" });
    expect(a).toContain("/subscriptions/sub-a/");
    expect(b).toContain("/subscriptions/sub-b/");
    expect(arm.getVm("rg", "vm")!.properties.storageProfile.osDisk.osType).toBe("Linux");
    expect(arm.getVm("rg", "vm", "sub-b")!.properties.storageProfile.osDisk.osType).toBe("Windows");

    const reply = await call(arm, "GET", vmPath(arm, "rg", "vm").replace("sub-a", "sub-b"));
    expect(reply.body.id).toBe(b);
    const patch = await call(arm, "PATCH", vmPath(arm, "rg", "vm").replace("sub-a", "sub-b"), { body: { identity: { type: "SystemAssigned" } } });
    expect(patch.headers.get("azure-asyncoperation")).toContain("/subscriptions/sub-b/providers/Microsoft.Compute/locations/westeurope/operations/");
    expect(arm.getVm("rg", "vm")).not.toHaveProperty("identity");

    const uai = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "shared", location: "westeurope", subscriptionId: "sub-b" });
    expect(uai).toContain("/subscriptions/sub-b/");
    expect(arm.getUserAssignedIdentity("ids", "shared")).toBeUndefined();
    expect((await call(arm, "GET", uaiPath(arm, "ids", "shared").replace("sub-a", "sub-b"), { apiVersion: "2024-11-30" })).status).toBe(200);
  });

  it("lets a VM hold an identity of another subscription it serves", async () => {
    arm = await startFakeArm({ subscriptionIds: ["sub-a", "sub-b"], pollsUntilDone: 0 });
    const shared = `/subscriptions/sub-b/resourcegroups/ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/shared`;
    arm.addVm({ resourceGroup: "rg", name: "seeded", location: "westeurope", osType: "Linux", identity: { type: "UserAssigned", userAssignedIdentities: { [shared]: {} } } });
    expect(arm.getUserAssignedIdentity("ids", "shared", "sub-b")).toBeDefined();

    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
    const patch = await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: { identity: { type: "UserAssigned", userAssignedIdentities: { [shared]: {} } } } });
    expect(patch.status).toBe(200);
    expect(() =>
      arm.addVm({
        resourceGroup: "rg",
        name: "x",
        location: "westeurope",
        osType: "Linux",
        identity: { type: "UserAssigned", userAssignedIdentities: { [shared.replace("sub-b", "sub-z")]: {} } },
      }),
    ).toThrow(/does not serve/);
  });

  it("refuses seeding a subscription it does not serve", async () => {
    arm = await startFakeArm({ subscriptionIds: ["sub-a"] });
    expect(() => arm.addVm({ resourceGroup: "rg", name: "vm", location: "l", osType: "Linux", subscriptionId: "sub-z" })).toThrow(/does not serve subscription 'sub-z'/);
    expect(() => arm.getVm("rg", "vm", "sub-z")).toThrow(/does not serve/);
  });

  it("gives every subscription its own Compute and ARM budgets", async () => {
    arm = await startFakeArm({
      subscriptionIds: ["sub-a", "sub-b"],
      limits: "azure",
      pollsUntilDone: 0,
      budgets: { computeUpdateVm: { subscription: { bucket: 1, refillPerSecond: 0.001 }, resource: false } },
    });
    for (const subscriptionId of ["sub-a", "sub-b"]) arm.addVms(2, { resourceGroup: "rg", location: "westeurope", osType: "Linux", subscriptionId });
    const patch = (sub: string, vm: string) => call(arm, "PATCH", vmPath(arm, "rg", vm).replace("sub-a", sub), { body: {} });
    expect((await patch("sub-a", "vm-0")).status).toBe(200);
    expect((await patch("sub-a", "vm-1")).status).toBe(429);
    const b = await patch("sub-b", "vm-0");
    expect(b.status).toBe(200);
    expect(b.headers.get("x-ms-ratelimit-remaining-subscription-writes")).toBe("199");
    expect(b.headers.get("x-ms-ratelimit-remaining-resource")).toBe("Microsoft.Compute/UpdateVMSubscriptionMaximum;0");
  });
});
