/** Compute's throttling policies: a bucket per VM and one per subscription, refilled per minute. */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import { call, manualClock, vmPath } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm?.close());

const REMAINING = "x-ms-ratelimit-remaining-resource";
const time = manualClock();

async function start(options: FakeArmOptions = {}, vms = 1): Promise<FakeArm> {
  // Only Compute's budgets here; ARM's front door has its own tests.
  arm = await startFakeArm({
    limits: "azure",
    clock: time.now,
    pollsUntilDone: 0,
    ...options,
    budgets: { armReads: false, armWrites: false, armDeletes: false, ...options.budgets },
  });
  arm.addVms(vms, { resourceGroup: "rg", location: "westeurope", osType: "Linux" });
  return arm;
}

const vm = (i = 0) => vmPath(arm, "rg", `vm-${i}`);
const patch = (i = 0) => call(arm, "PATCH", vm(i), { body: { tags: { n: String(Math.random()) } } });

/** Waits for the VM's write to end: a write during a running one is 409, not a throttle. */
async function patchAndSettle(i = 0) {
  const reply = await patch(i);
  arm.completeOperations();
  return reply;
}

describe("Update VM (PATCH, extension PUT and DELETE)", () => {
  it("reports UpdateVMSubscriptionMaximum then UpdateVMResource, as recorded", async () => {
    await start();
    const reply = await patchAndSettle();
    expect(reply.status).toBe(200);
    expect(reply.headers.get(REMAINING)).toBe("Microsoft.Compute/UpdateVMSubscriptionMaximum;1499,Microsoft.Compute/UpdateVMResource;11");
  });

  it("allows 12 writes per VM, then answers 429 OperationNotAllowed naming UpdateVMResource", async () => {
    await start({}, 2);
    for (let i = 0; i < 12; i++) expect((await patchAndSettle()).status).toBe(200);
    const throttled = await patch();
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe("OperationNotAllowed");
    expect(throttled.body.error.message).toMatch(/too many requests have been received for this resource/);
    expect(throttled.body.error.details).toHaveLength(1);
    expect(throttled.body.error.details[0]).toMatchObject({ code: "TooManyRequests", target: "UpdateVMResource" });
    expect(JSON.parse(throttled.body.error.details[0].message)).toMatchObject({ operationGroup: "UpdateVMResource", allowedRequestCount: 12 });
    // 4 per minute: the next token in 15 s.
    expect(throttled.headers.get("retry-after")).toBe("15");
    expect(throttled.headers.get(REMAINING)).toBe("Microsoft.Compute/UpdateVMSubscriptionMaximum;1488,Microsoft.Compute/UpdateVMResource;0");
    expect(arm.getVm("rg", "vm-0")!.etag).toBe('"13"');
    expect(arm.stats.throttledBy).toMatchObject({ computeResource: 1, computeSubscription: 0 });

    // Another VM has its own bucket; the subscription's was not charged by the 429.
    const other = await patchAndSettle(1);
    expect(other.status).toBe(200);
    expect(other.headers.get(REMAINING)).toBe("Microsoft.Compute/UpdateVMSubscriptionMaximum;1487,Microsoft.Compute/UpdateVMResource;11");
  });

  it("refills 4 per minute per VM", async () => {
    await start();
    for (let i = 0; i < 12; i++) await patchAndSettle();
    time.advance(14_999);
    expect((await patch()).status).toBe(429);
    time.advance(1);
    expect((await patchAndSettle()).status).toBe(200);
    time.advance(60_000);
    expect((await patchAndSettle()).headers.get(REMAINING)).toMatch(/UpdateVMResource;3$/);
  });

  it("caps the subscription, whatever the VMs, and names UpdateVMSubscriptionMaximum", async () => {
    await start({ budgets: { computeUpdateVm: { subscription: { bucket: 3, refillPerSecond: 1 / 60 } } } }, 4);
    for (let i = 0; i < 3; i++) expect((await patchAndSettle(i)).status).toBe(200);
    const throttled = await patch(3);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.message).toMatch(/for this subscription/);
    expect(throttled.body.error.details[0].target).toBe("UpdateVMSubscriptionMaximum");
    expect(throttled.headers.get("retry-after")).toBe("60");
    expect(arm.stats.throttledBy).toMatchObject({ computeResource: 0, computeSubscription: 1 });
  });

  it("charges extension PUT and DELETE to the VM's Update VM bucket", async () => {
    await start({ budgets: { computeUpdateVm: { resource: { bucket: 2, refillPerSecond: 0.001 } } } });
    const ext = `${vm()}/extensions/ManagedIdentityExtensionForLinux`;
    const body = {
      location: "westeurope",
      properties: { publisher: "Microsoft.ManagedIdentity", type: "ManagedIdentityExtensionForLinux", typeHandlerVersion: "1.0" },
    };
    expect((await call(arm, "PUT", ext, { body })).headers.get(REMAINING)).toMatch(/UpdateVMResource;1$/);
    arm.completeOperations();
    expect((await call(arm, "DELETE", ext)).headers.get(REMAINING)).toMatch(/UpdateVMResource;0$/);
    arm.completeOperations();
    expect((await patch()).status).toBe(429);
    // A GET is another policy.
    expect((await call(arm, "GET", vm())).status).toBe(200);
  });

  it("can switch one level off", async () => {
    await start({ budgets: { computeUpdateVm: { resource: false } } });
    for (let i = 0; i < 20; i++) expect((await patchAndSettle()).status).toBe(200);
    expect((await patchAndSettle()).headers.get(REMAINING)).toBe("Microsoft.Compute/UpdateVMSubscriptionMaximum;1479");
  });
});

describe("the other VM policies", () => {
  it("Low-cost GET: VM and extension GETs, 36 per VM", async () => {
    await start();
    const first = await call(arm, "GET", vm());
    expect(first.headers.get(REMAINING)).toBe("Microsoft.Compute/LowCostGetSubscriptionMaximum;23999,Microsoft.Compute/LowCostGetResource;35");
    for (let i = 1; i < 35; i++) await call(arm, "GET", vm());
    const ext = await call(arm, "GET", `${vm()}/extensions/none`);
    expect(ext.status).toBe(404);
    expect(ext.headers.get(REMAINING)).toMatch(/LowCostGetResource;0$/);
    const throttled = await call(arm, "GET", vm());
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("5"); // 12 per minute
  });

  it("Get operation: status polls, 45 per VM, reported resource level first as recorded", async () => {
    await start({ pollsUntilDone: 100 });
    const url = (await patch()).headers.get("azure-asyncoperation")!;
    const first = await call(arm, "GET", url);
    expect(first.headers.get(REMAINING)).toBe(
      "Microsoft.Compute/GetOperationResource;44,Microsoft.Compute/GetOperationSubscriptionMaximum;14999",
    );
    for (let i = 1; i < 45; i++) expect((await call(arm, "GET", url)).status).toBe(200);
    const throttled = await call(arm, "GET", url);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.details[0].target).toBe("GetOperationResource");
    expect(throttled.headers.get("retry-after")).toBe("4"); // 15 per minute
  });

  it("Put VM: VM PUT, with its own bucket per VM", async () => {
    await start();
    const reply = await call(arm, "PUT", vmPath(arm, "rg", "new"), { body: { location: "westeurope" } });
    expect(reply.status).toBe(201);
    expect(reply.headers.get(REMAINING)).toBe("Microsoft.Compute/PutVMSubscriptionMaximum;1499,Microsoft.Compute/PutVMResource;11");
  });

  it("High-cost GET: list pages, 900 per subscription, no per-resource level", async () => {
    await start({ budgets: { computeHighCostGet: { subscription: { bucket: 2, refillPerSecond: 5 } } } });
    const list = `/subscriptions/${arm.subscriptionId}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines`;
    expect((await call(arm, "GET", list)).headers.get(REMAINING)).toBe("Microsoft.Compute/HighCostGetSubscriptionMaximum;1");
    await call(arm, "GET", list);
    const throttled = await call(arm, "GET", list);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("1");
    // User-assigned identity lists are not Compute's.
    const uais = await call(arm, "GET", `/subscriptions/${arm.subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`);
    expect(uais.status).toBe(200);
    expect(uais.headers.get(REMAINING)).toBeNull();
  });

  it("the azure default for High-cost GET is 900", async () => {
    await start();
    const reply = await call(arm, "GET", `/subscriptions/${arm.subscriptionId}/providers/Microsoft.Compute/virtualMachines`);
    expect(reply.headers.get(REMAINING)).toBe("Microsoft.Compute/HighCostGetSubscriptionMaximum;899");
  });
});
