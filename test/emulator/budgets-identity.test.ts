/** Managed identity's limits: identity creations and assignments per subscription, as a 429 or a failed operation. */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import { call, manualClock, pollToEnd, uaiPath, vmPath } from "./helpers.js";

let arm: FakeArm;
let width = 1;
afterEach(async () => arm?.close());

const time = manualClock();
const ONLY_IDENTITY = {
  armReads: false,
  armWrites: false,
  armDeletes: false,
  computeUpdateVm: false,
  computeGetOperation: false,
  computePutVm: false,
} as const;

async function start(options: FakeArmOptions = {}, vms = 100): Promise<FakeArm> {
  arm = await startFakeArm({ limits: "azure", clock: time.now, pollsUntilDone: 0, ...options, budgets: { ...ONLY_IDENTITY, ...options.budgets } });
  arm.addVms(vms, { resourceGroup: "rg", location: "westeurope", osType: "Linux" });
  width = String(Math.max(0, vms - 1)).length;
  return arm;
}

const vmName = (i: number) => `vm-${String(i).padStart(width, "0")}`;
const enableSystem = (i: number) => call(arm, "PATCH", vmPath(arm, "rg", vmName(i)), { body: { identity: { type: "SystemAssigned" } } });

describe("identity creations (80 per 20 s per subscription)", () => {
  it("answer the 81st system identity enabled within the window 429 TooManyRequests, changing nothing", async () => {
    await start();
    for (let i = 0; i < 80; i++) expect((await enableSystem(i)).status).toBe(200);
    const throttled = await enableSystem(80);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe("TooManyRequests");
    expect(throttled.body.error.message).toMatch(/too many identity creation requests/);
    expect(throttled.headers.get("retry-after")).toBe("1"); // 4 per second
    expect(arm.getVm("rg", "vm-80")).not.toHaveProperty("identity");
    expect(arm.getVm("rg", "vm-80")!.etag).toBe('"1"');
    expect(arm.stats.throttledBy.managedIdentity).toBe(1);

    time.advance(250);
    expect((await enableSystem(80)).status).toBe(200);
  });

  it("charge only writes that create a principal", async () => {
    await start({ budgets: { managedIdentityCreate: { bucket: 1, refillPerSecond: 0.001 } } }, 2);
    expect((await enableSystem(0)).status).toBe(200);
    arm.completeOperations();
    // Already enabled: no new principal, no charge; a tag change neither.
    expect((await enableSystem(0)).status).toBe(200);
    arm.completeOperations();
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm-1"), { body: { tags: { a: "b" } } })).status).toBe(200);
    arm.completeOperations();
    expect((await enableSystem(1)).status).toBe(429);
  });

  it("charge the creation of a user-assigned identity (always a 429: it is synchronous)", async () => {
    await start({ managedIdentityThrottling: "failedOperation", budgets: { managedIdentityCreate: { bucket: 1, refillPerSecond: 0.001 } } }, 0);
    expect((await call(arm, "PUT", uaiPath(arm, "rg", "a"), { body: { location: "westeurope" } })).status).toBe(201);
    // Updating it creates nothing.
    expect((await call(arm, "PUT", uaiPath(arm, "rg", "a"), { body: { location: "westeurope" } })).status).toBe(200);
    const throttled = await call(arm, "PUT", uaiPath(arm, "rg", "b"), { body: { location: "westeurope" } });
    expect(throttled.status).toBe(429);
    expect(arm.getUserAssignedIdentity("rg", "b")).toBeUndefined();
  });
});

describe("identity assignments (300 per 20 s per subscription)", () => {
  it("take one token per user-assigned identity added", async () => {
    await start({ budgets: { managedIdentityAssign: { bucket: 3, refillPerSecond: 0.001 } } }, 3);
    const ids = ["a", "b", "c"].map((name) => arm.addUserAssignedIdentity({ resourceGroup: "rg", name, location: "westeurope" }));
    const assign = (vm: string, names: string[]) =>
      call(arm, "PATCH", vmPath(arm, "rg", vm), {
        body: { identity: { type: "UserAssigned", userAssignedIdentities: Object.fromEntries(names.map((n) => [n, {}])) } },
      });
    expect((await assign("vm-0", [ids[0]!, ids[1]!])).status).toBe(200);
    arm.completeOperations();
    // Keeping a held identity costs nothing; one more costs one.
    expect((await assign("vm-0", [ids[0]!, ids[2]!])).status).toBe(200);
    arm.completeOperations();
    expect((await assign("vm-1", [ids[0]!])).status).toBe(429);
  });

  it("uses Azure's 300 by default", async () => {
    await start({}, 1);
    const ids = Array.from({ length: 150 }, (_, i) => arm.addUserAssignedIdentity({ resourceGroup: "rg", name: `id${i}`, location: "westeurope" }));
    const body = { identity: { type: "UserAssigned", userAssignedIdentities: Object.fromEntries(ids.map((id) => [id, {}])) } };
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm-0"), { body })).status).toBe(200);
    arm.completeOperations();
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm-0"), { body: { identity: { type: "None" } } })).status).toBe(200);
    arm.completeOperations();
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm-0"), { body })).status).toBe(200);
    arm.completeOperations();
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm-0"), { body: { identity: { type: "None" } } })).status).toBe(200);
    arm.completeOperations();
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm-0"), { body })).status).toBe(429);
  });
});

describe("managedIdentityThrottling: 'failedOperation'", () => {
  it("accepts the write and ends its operation Failed with TooManyRequests", async () => {
    await start({ managedIdentityThrottling: "failedOperation", budgets: { managedIdentityCreate: { bucket: 1, refillPerSecond: 0.001 } } }, 2);
    expect((await enableSystem(0)).status).toBe(200);
    const accepted = await enableSystem(1);
    expect(accepted.status).toBe(200);
    const [status] = await pollToEnd(arm, accepted.headers.get("azure-asyncoperation")!);
    expect(status.status).toBe("Failed");
    expect(status.error.code).toBe("TooManyRequests");
    expect(status.error.message).toMatch(/identity creation/);
    expect(arm.getVm("rg", vmName(1))!.properties.provisioningState).toBe("Failed");
    expect(arm.stats.throttledBy.managedIdentity).toBe(1);
    expect(arm.stats.throttled).toBe(0);
  });

  it("follows failedOperationChanges: rolled back, the VM has no identity", async () => {
    await start(
      { managedIdentityThrottling: "failedOperation", failedOperationChanges: "rolledBack", budgets: { managedIdentityCreate: { bucket: 1, refillPerSecond: 0.001 } } },
      2,
    );
    await enableSystem(0);
    await pollToEnd(arm, (await enableSystem(1)).headers.get("azure-asyncoperation")!);
    const vm = arm.getVm("rg", vmName(1))!;
    expect(vm).not.toHaveProperty("identity");
    expect(vm.properties.provisioningState).toBe("Succeeded");
  });

  it("rejects an unknown mode", async () => {
    await expect(startFakeArm({ managedIdentityThrottling: "503" as never })).rejects.toThrow(/managedIdentityThrottling/);
  });
});
