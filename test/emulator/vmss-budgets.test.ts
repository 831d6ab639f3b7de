/**
 * Scale sets under the budgets: Compute's Update-VMSS policy for every write
 * (PATCH, PUT, extensions, manualupgrade), High-cost GET for lists, ARM's
 * read, write and delete buckets, and managed identity's limits shared with VMs.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import { groupScope, subscriptionScope, vmssPath } from "./accessHelpers.js";
import { call, manualClock, pollToEnd, vmPath } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm?.close());

const REMAINING = "x-ms-ratelimit-remaining-resource";
const time = manualClock();
const NO_ARM = { armReads: false, armWrites: false, armDeletes: false } as const;
const EXTENSION = {
  properties: { publisher: "Microsoft.ManagedIdentity", type: "ManagedIdentityExtensionForLinux", typeHandlerVersion: "1.0", settings: { port: 50342 } },
};

/** Azure's budgets on a still clock, operations ending on their first poll; one scale set `ss` (and VM `vm`) in `rg`. */
async function start(options: FakeArmOptions = {}): Promise<FakeArm> {
  arm = await startFakeArm({ limits: "azure", clock: time.now, pollsUntilDone: 0, ...options });
  arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux", capacity: 2 });
  arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
  return arm;
}

const ss = (name = "ss") => vmssPath(arm, "rg", name);
const patchTags = (name = "ss") => call(arm, "PATCH", ss(name), { body: { tags: { n: String(Math.random()) } } });

/** A write, then its operation finished: the next write is not a 409. */
async function settled(reply: Promise<Awaited<ReturnType<typeof call>>>) {
  const done = await reply;
  arm.completeOperations();
  return done;
}

describe("Compute's Update-VMSS policy (computeUpdateVmss)", () => {
  it("charges a scale-set PATCH and reports UpdateVMScaleSetSubscriptionMaximum then UpdateVMScaleSetResource", async () => {
    await start({ budgets: NO_ARM });
    const reply = await settled(patchTags());
    expect(reply.status).toBe(200);
    expect(reply.headers.get(REMAINING)).toBe(
      "Microsoft.Compute/UpdateVMScaleSetSubscriptionMaximum;1499,Microsoft.Compute/UpdateVMScaleSetResource;11",
    );
  });

  it("allows 12 writes per scale set (PATCH, PUT, extension PUT and DELETE, manualupgrade), then 429 OperationNotAllowed", async () => {
    await start({ budgets: NO_ARM });
    arm.addVmss({ resourceGroup: "rg", name: "other", location: "westeurope", osType: "Linux" });
    const writes = [
      () => patchTags(),
      () => call(arm, "PUT", ss(), { body: { location: "westeurope", sku: { name: "Standard_B2s", tier: "Standard", capacity: 2 } } }),
      () => call(arm, "PUT", `${ss()}/extensions/msi`, { body: EXTENSION }),
      () => call(arm, "DELETE", `${ss()}/extensions/msi`),
      () => call(arm, "POST", `${ss()}/manualupgrade`, { body: { instanceIds: ["0"] } }),
    ];
    const remaining: string[] = [];
    for (let i = 0; i < 12; i++) {
      const reply = await settled(writes[i % writes.length]!());
      expect(reply.status).toBeLessThan(300);
      remaining.push(reply.headers.get(REMAINING)!.split(",")[1]!);
    }
    expect(remaining).toEqual(Array.from({ length: 12 }, (_, i) => `Microsoft.Compute/UpdateVMScaleSetResource;${11 - i}`));

    const throttled = await patchTags();
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe("OperationNotAllowed");
    expect(throttled.body.error.details[0]).toMatchObject({ code: "TooManyRequests", target: "UpdateVMScaleSetResource" });
    expect(throttled.headers.get("retry-after")).toBe("15");
    expect(arm.stats.throttledBy).toMatchObject({ computeResource: 1, computeSubscription: 0 });
    // A manualupgrade is refused alike, and changes nothing.
    const etag = arm.getVmss("rg", "ss")!.etag;
    expect((await call(arm, "POST", `${ss()}/manualupgrade`, { body: { instanceIds: ["0"] } })).status).toBe(429);
    expect(arm.getVmss("rg", "ss")!.etag).toBe(etag);

    // Another scale set has its own bucket; VM writes draw from Update VM, not from it.
    expect((await settled(patchTags("other"))).headers.get(REMAINING)).toMatch(/UpdateVMScaleSetResource;11$/);
    const vmPatch = await settled(call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: { tags: { a: "b" } } }));
    expect(vmPatch.headers.get(REMAINING)).toBe("Microsoft.Compute/UpdateVMSubscriptionMaximum;1499,Microsoft.Compute/UpdateVMResource;11");
  });

  it("refills 4 per minute per scale set on emulator time", async () => {
    await start({ budgets: NO_ARM });
    for (let i = 0; i < 12; i++) await settled(patchTags());
    time.advance(14_999);
    expect((await patchTags()).status).toBe(429);
    time.advance(1);
    expect((await settled(patchTags())).status).toBe(200);
  });

  it("is configurable and can be switched off, apart from Update VM", async () => {
    await start({ limits: "none", budgets: { computeUpdateVmss: { resource: false, subscription: { bucket: 2, refillPerSecond: 1 / 60 } } } });
    expect((await settled(patchTags())).headers.get(REMAINING)).toBe("Microsoft.Compute/UpdateVMScaleSetSubscriptionMaximum;1");
    expect((await settled(call(arm, "PUT", `${ss()}/extensions/msi`, { body: EXTENSION }))).status).toBe(201);
    const throttled = await patchTags();
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.details[0].target).toBe("UpdateVMScaleSetSubscriptionMaximum");
    expect(arm.stats.throttledBy.computeSubscription).toBe(1);
    // Update VM is off under limits "none": VM writes carry no Compute header.
    const vmPatch = await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: { tags: { a: "b" } } });
    expect(vmPatch.status).toBe(200);
    expect(vmPatch.headers.get(REMAINING)).toBeNull();

    await arm.close();
    await start({ budgets: { ...NO_ARM, computeUpdateVmss: false } });
    expect((await settled(patchTags())).headers.get(REMAINING)).toBeNull();
  });
});

describe("reads and lists", () => {
  it("charge a scale set's GET, its extension's and its instance's to Low-cost GET per scale set", async () => {
    await start({ budgets: NO_ARM });
    await settled(call(arm, "PUT", `${ss()}/extensions/msi`, { body: EXTENSION }));
    const gets = [ss(), `${ss()}/extensions/msi`, `${ss()}/virtualMachines/0`];
    for (const [i, path] of gets.entries()) {
      const reply = await call(arm, "GET", path);
      expect(reply.status).toBe(200);
      expect(reply.headers.get(REMAINING)).toBe(`Microsoft.Compute/LowCostGetSubscriptionMaximum;${23_999 - i},Microsoft.Compute/LowCostGetResource;${35 - i}`);
    }
  });

  it("charge scale-set lists and instance lists to High-cost GET, one token a page", async () => {
    await start({ budgets: NO_ARM, listPageSize: 1 });
    arm.addVmss({ resourceGroup: "rg", name: "other", location: "westeurope", osType: "Linux" });
    const lists = [
      `${subscriptionScope(arm)}/providers/Microsoft.Compute/virtualMachineScaleSets`,
      `${groupScope(arm, "rg")}/providers/Microsoft.Compute/virtualMachineScaleSets`,
      `${ss()}/virtualMachines`,
    ];
    let remaining = 900;
    for (const path of lists) {
      const first = await call(arm, "GET", path);
      expect(first.status).toBe(200);
      expect(first.headers.get(REMAINING)).toBe(`Microsoft.Compute/HighCostGetSubscriptionMaximum;${(remaining -= 1)}`);
      const next = await call(arm, "GET", first.body.nextLink);
      expect(next.headers.get(REMAINING)).toBe(`Microsoft.Compute/HighCostGetSubscriptionMaximum;${(remaining -= 1)}`);
    }
  });

  it("throttle an instance list once High-cost GET is spent", async () => {
    await start({ budgets: { ...NO_ARM, computeHighCostGet: { subscription: { bucket: 1, refillPerSecond: 5 } } } });
    expect((await call(arm, "GET", `${ss()}/virtualMachines`)).status).toBe(200);
    const throttled = await call(arm, "GET", `${ss()}/virtualMachines`);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.details[0].target).toBe("HighCostGetSubscriptionMaximum");
  });

  it("polls of a scale-set operation are charged to Get operation for the scale set", async () => {
    await start({ budgets: NO_ARM });
    const reply = await patchTags();
    const poll = await call(arm, "GET", reply.headers.get("azure-asyncoperation")!);
    expect(poll.body.status).toBe("Succeeded");
    expect(poll.headers.get(REMAINING)).toBe("Microsoft.Compute/GetOperationResource;44,Microsoft.Compute/GetOperationSubscriptionMaximum;14999");
  });
});

describe("ARM's front door", () => {
  it("charges scale-set GETs to reads, PUT, PATCH and manualupgrade to writes, extension DELETE to deletes", async () => {
    await start();
    const reads = "x-ms-ratelimit-remaining-subscription-reads";
    const writes = "x-ms-ratelimit-remaining-subscription-writes";
    const deletes = "x-ms-ratelimit-remaining-subscription-deletes";
    expect((await call(arm, "GET", ss())).headers.get(reads)).toBe("249");
    expect((await call(arm, "GET", `${ss()}/virtualMachines`)).headers.get(reads)).toBe("248");
    expect((await settled(patchTags())).headers.get(writes)).toBe("199");
    expect((await settled(call(arm, "PUT", `${ss()}/extensions/msi`, { body: EXTENSION }))).headers.get(writes)).toBe("198");
    const upgrade = await settled(call(arm, "POST", `${ss()}/manualupgrade`, { body: { instanceIds: ["0", "1"] } }));
    expect(upgrade.status).toBe(202);
    expect(upgrade.headers.get(writes)).toBe("197");
    const removed = await settled(call(arm, "DELETE", `${ss()}/extensions/msi`));
    expect(removed.status).toBe(202);
    expect(removed.headers.get(deletes)).toBe("199");
    expect(removed.headers.get(writes)).toBeNull();
  });

  it("throttles a manualupgrade like any write once the writes bucket is empty", async () => {
    await start({ budgets: { armWrites: { bucket: 1, refillPerSecond: 1 } } });
    expect((await settled(patchTags())).status).toBe(200);
    const throttled = await call(arm, "POST", `${ss()}/manualupgrade`, { body: { instanceIds: ["0"] } });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe("SubscriptionRequestsThrottled");
    expect(arm.stats.throttledBy.armWrites).toBe(1);
  });

  it("counts manualupgrade as a write in the stats", async () => {
    await start({ limits: "none" });
    const before = arm.stats;
    expect((await call(arm, "POST", `${ss()}/manualupgrade`, { body: { instanceIds: ["0"] } })).status).toBe(202);
    const after = arm.stats;
    expect(after.writes - before.writes).toBe(1);
    expect(after.appliedWrites - before.appliedWrites).toBe(1);
    expect(after.reads - before.reads).toBe(0);
    expect(after.deletes - before.deletes).toBe(0);
  });
});

describe("managed identity's limits, shared with VMs", () => {
  const createOnce = { managedIdentityCreate: { bucket: 1, refillPerSecond: 0.001 } } as const;
  const enable = (path: string) => call(arm, "PATCH", path, { body: { identity: { type: "SystemAssigned" } } });

  it("a scale set's system identity spends the subscription's creation budget, as a VM's does", async () => {
    await start({ limits: "none", budgets: createOnce });
    expect((await settled(enable(vmPath(arm, "rg", "vm")))).status).toBe(200);
    const throttled = await enable(ss());
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe("TooManyRequests");
    expect(throttled.body.error.message).toMatch(/too many identity creation requests/);
    expect(arm.getVmss("rg", "ss")).not.toHaveProperty("identity");
    expect(arm.getVmss("rg", "ss")!.etag).toBe('"1"');
    expect(arm.stats.throttledBy.managedIdentity).toBe(1);
  });

  it("and the other way round; a PUT with a system identity is charged too", async () => {
    await start({ limits: "none", budgets: createOnce });
    const put = await settled(
      call(arm, "PUT", ss("made"), { body: { location: "westeurope", identity: { type: "SystemAssigned" }, sku: { name: "Standard_B2s", tier: "Standard", capacity: 0 } } }),
    );
    expect(put.status).toBe(201);
    expect((await enable(vmPath(arm, "rg", "vm"))).status).toBe(429);
    // Keeping a system identity creates nothing and costs nothing.
    expect((await settled(call(arm, "PATCH", ss("made"), { body: { identity: { type: "SystemAssigned" } } }))).status).toBe(200);
  });

  it("ends the scale set's operation Failed under failedOperation, the change kept unless rolled back", async () => {
    await start({ limits: "none", budgets: createOnce, managedIdentityThrottling: "failedOperation" });
    await settled(enable(vmPath(arm, "rg", "vm")));
    const accepted = await enable(ss());
    expect(accepted.status).toBe(200);
    const [status] = await pollToEnd(arm, accepted.headers.get("azure-asyncoperation")!);
    expect(status).toMatchObject({ status: "Failed", error: { code: "TooManyRequests" } });
    expect(arm.stats.throttledBy.managedIdentity).toBe(1);
    expect(arm.getVmss("rg", "ss")!.identity?.type).toBe("SystemAssigned");

    await arm.close();
    await start({ limits: "none", budgets: createOnce, managedIdentityThrottling: "failedOperation", failedOperationChanges: "rolledBack" });
    await settled(enable(vmPath(arm, "rg", "vm")));
    const rolled = await enable(ss());
    await pollToEnd(arm, rolled.headers.get("azure-asyncoperation")!);
    expect(arm.getVmss("rg", "ss")).not.toHaveProperty("identity");
    expect(arm.getVmss("rg", "ss")!.properties.provisioningState).toBe("Succeeded");
  });

  it("assigning user-assigned identities to a scale set spends the assignment budget", async () => {
    await start({ limits: "none", budgets: { managedIdentityAssign: { bucket: 2, refillPerSecond: 0.001 } } });
    const ids = ["a", "b", "c"].map((name) => arm.addUserAssignedIdentity({ resourceGroup: "ids", name, location: "westeurope" }));
    const assign = (id: string) =>
      call(arm, "PATCH", ss(), { body: { identity: { type: "UserAssigned", userAssignedIdentities: { [id]: {} } } } });
    expect((await settled(assign(ids[0]!))).status).toBe(200);
    expect((await settled(assign(ids[1]!))).status).toBe(200);
    const throttled = await assign(ids[2]!);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.message).toMatch(/too many identity assignment requests/);
    expect(Object.keys(arm.getVmss("rg", "ss")!.identity!.userAssignedIdentities!)).toEqual([ids[0], ids[1]]);
  });
});
