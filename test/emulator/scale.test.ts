/** Large fleets: bulk seeding, counters kept as requests arrive, a bounded request log, per-request cost. */
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_MAX_LOGGED_REQUESTS, startFakeArm, type FakeArm } from "../../src/testing/index.js";
import { call, manualClock, uaiPath, vmPath } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm?.close());

describe("addVms", () => {
  it("seeds 100,000 VMs in one call, quickly, each with its own ids and system principal", async () => {
    arm = await startFakeArm();
    const started = performance.now();
    const ids = arm.addVms(100_000, {
      resourceGroup: (i) => `rg-${i % 10}`,
      location: "westeurope",
      osType: "Linux",
      tags: { env: "prod" },
      identity: { type: "SystemAssigned" },
    });
    const elapsed = performance.now() - started;
    console.log(`[emulator] addVms(100000) took ${elapsed.toFixed(0)} ms`);
    // Well under a second on an idle machine; the bound only catches a regression by an order of magnitude.
    expect(elapsed).toBeLessThan(10_000);
    expect(ids).toHaveLength(100_000);
    expect(ids[0]).toBe(`/subscriptions/${arm.subscriptionId}/resourceGroups/rg-0/providers/Microsoft.Compute/virtualMachines/vm-00000`);
    expect(ids[99_999]).toMatch(/rg-9\/providers\/Microsoft\.Compute\/virtualMachines\/vm-99999$/);
    const [a, b] = [arm.getVm("rg-0", "vm-00000")!, arm.getVm("rg-1", "vm-00001")!];
    expect(a.identity!.principalId).not.toBe(b.identity!.principalId);
    expect(a.properties.vmId).not.toBe(b.properties.vmId);
    expect(a.tags).toEqual({ env: "prod" });
  });

  it("makes VMs that behave like addVm's, in another subscription too", async () => {
    arm = await startFakeArm({ subscriptionIds: ["sub-a", "sub-b"], pollsUntilDone: 0 });
    const shared = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "shared", location: "westeurope" });
    arm.addVms(3, { resourceGroup: "rg", namePrefix: "web", location: "westeurope", osType: "Windows", subscriptionId: "sub-b", identity: { type: "UserAssigned", userAssignedIdentities: { [shared]: {} } } });
    const vm = arm.getVm("rg", "web2", "sub-b")!;
    expect(vm.identity!.userAssignedIdentities![shared]).toEqual({
      principalId: arm.getUserAssignedIdentity("ids", "shared")!.properties.principalId,
      clientId: arm.getUserAssignedIdentity("ids", "shared")!.properties.clientId,
    });
    expect(vm.etag).toBe('"1"');
    const patch = await call(arm, "PATCH", vmPath(arm, "rg", "web2").replace("sub-a", "sub-b"), { body: { identity: { type: "None" } } });
    expect(patch.status).toBe(200);
    // Writes to one never show on another: the shared defaults are never changed in place.
    await call(arm, "PATCH", vmPath(arm, "rg", "web1").replace("sub-a", "sub-b"), { body: { properties: { hardwareProfile: { vmSize: "Big" } } } });
    expect(arm.getVm("rg", "web0", "sub-b")!.properties.hardwareProfile).toEqual({ vmSize: "Standard_B2s" });
  });

  it("adds all or none", async () => {
    arm = await startFakeArm();
    arm.addVm({ resourceGroup: "rg", name: "vm-5", location: "westeurope", osType: "Linux" });
    expect(() => arm.addVms(10, { resourceGroup: "RG", location: "westeurope", osType: "Linux" })).toThrow(/'vm-5' already exists/);
    expect(arm.getVm("rg", "vm-0")).toBeUndefined();
    expect(() => arm.addVms(2, { resourceGroup: (i) => (i ? "a/b" : "ok"), location: "l", osType: "Linux" })).toThrow(/resourceGroup of VM 1/);
    expect(arm.getVm("ok", "vm-0")).toBeUndefined();
    expect(() => arm.addVms(1, { resourceGroup: "rg", location: "l", osType: "Mac" as never })).toThrow(/osType/);
    expect(() => arm.addVms(-1, { resourceGroup: "rg", location: "l", osType: "Linux" })).toThrow(/count/);
    expect(() => arm.addVms(1, { resourceGroup: "rg", location: "l", osType: "Linux", namePrefix: "a/" })).toThrow(/namePrefix/);
    expect(arm.addVms(0, { resourceGroup: "rg", location: "l", osType: "Linux" })).toEqual([]);
  });
});

describe("the request log", () => {
  it("keeps the most recent maxLoggedRequests entries while the stats count everything", async () => {
    arm = await startFakeArm({ maxLoggedRequests: 3 });
    for (let i = 0; i < 7; i++) await call(arm, "PUT", uaiPath(arm, "rg", `id${i}`), { body: { location: "westeurope" } });
    expect(arm.requests.map((r) => new URL(r.url).pathname.split("/").at(-1))).toEqual(["id4", "id5", "id6"]);
    expect(arm.stats).toMatchObject({ requests: 7, writes: 7, appliedWrites: 7 });
  });

  it("keeps 10,000 by default, and none with 0", async () => {
    expect(DEFAULT_MAX_LOGGED_REQUESTS).toBe(10_000);
    arm = await startFakeArm({ maxLoggedRequests: 0 });
    await call(arm, "GET", "/nowhere");
    expect(arm.requests).toHaveLength(0);
    expect(arm.stats.requests).toBe(1);
    await expect(startFakeArm({ maxLoggedRequests: -1 })).rejects.toThrow(/maxLoggedRequests/);
  });

  it("is the same live array throughout", async () => {
    arm = await startFakeArm({ maxLoggedRequests: 2 });
    const log = arm.requests;
    for (let i = 0; i < 4; i++) await call(arm, "GET", "/nowhere");
    expect(log).toBe(arm.requests);
    expect(log).toHaveLength(2);
  });
});

describe("stats", () => {
  it("count reads, writes and deletes as they arrive, and restart on clearRequests", async () => {
    arm = await startFakeArm({ pollsUntilDone: 0, maxLoggedRequests: 1 });
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
    await call(arm, "GET", vmPath(arm, "rg", "vm"));
    await call(arm, "GET", vmPath(arm, "rg", "vm"));
    await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: {} });
    await call(arm, "DELETE", uaiPath(arm, "rg", "none"));
    await call(arm, "POST", "/providers/Microsoft.ResourceGraph/resources", { apiVersion: "2024-04-01", body: { query: "resources" } });
    expect(arm.stats).toMatchObject({ requests: 5, reads: 2, writes: 3, deletes: 1, appliedWrites: 3, byStatus: { 200: 4, 204: 1 } });
    // A snapshot: changing it changes nothing.
    const snapshot = arm.stats;
    snapshot.throttledBy.armReads = 99;
    expect(arm.stats.throttledBy.armReads).toBe(0);
    arm.clearRequests();
    expect(arm.stats).toMatchObject({ requests: 0, reads: 0, writes: 0, deletes: 0 });
  });

  it("survive JSON", async () => {
    arm = await startFakeArm();
    await call(arm, "GET", "/nowhere");
    expect(JSON.parse(JSON.stringify(arm.stats))).toEqual(arm.stats);
  });
});

describe("per-request cost", () => {
  it("serves a 10,000-VM fleet under limits 'azure' at timeScale 60: lists by page, writes and polls in seconds", async () => {
    // Emulator time stands still, so that which budget binds does not depend on the machine's speed.
    arm = await startFakeArm({ limits: "azure", timeScale: 60, operationDurationMs: 6000, clock: manualClock().now });
    arm.addVms(10_000, { resourceGroup: "fleet", location: "westeurope", osType: "Linux" });
    const started = performance.now();
    let url: string | undefined = `/subscriptions/${arm.subscriptionId}/resourceGroups/fleet/providers/Microsoft.Compute/virtualMachines`;
    let listed = 0;
    while (url) {
      const page: { status: number; body: any } = await call(arm, "GET", url);
      expect(page.status).toBe(200);
      listed += page.body.value.length;
      url = page.body.nextLink;
    }
    expect(listed).toBe(10_000);
    // A write and a poll on 1,000 VMs, 16 at a time.
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < 1000) {
          const name = `vm-${String(next++).padStart(4, "0")}`;
          const patch = await call(arm, "PATCH", vmPath(arm, "fleet", name), { body: { identity: { type: "SystemAssigned" } } });
          statuses.push(patch.status);
          if (patch.status === 200) statuses.push((await call(arm, "GET", patch.headers.get("azure-asyncoperation")!)).status);
        }
      }),
    );
    const elapsed = performance.now() - started;
    console.log(`[emulator] 10 list pages + ${statuses.length} writes and polls over 10,000 VMs in ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(25_000);
    // ARM's 200 writes pass the front door; of those, managed identity's 80 creations are accepted.
    expect(statuses.filter((s) => s === 200).length).toBe(80 + 80);
    expect(arm.stats.throttledBy).toMatchObject({ armWrites: 800, managedIdentity: 120, armReads: 0, computeResource: 0, computeSubscription: 0 });
  }, 30_000);
});
