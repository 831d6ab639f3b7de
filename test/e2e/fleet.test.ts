import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeArm } from "../../src/testing/index.js";
import { type FleetProgress, InvalidInputError, isRestError, type VmIdentityClient } from "../../src/index.js";
import { emulatorWithClient } from "../support/emulator.js";

let arm: FakeArm;
let client: VmIdentityClient;

beforeEach(async () => {
  ({ arm, client } = await emulatorWithClient({ pollsUntilDone: 1 }));
});
afterEach(async () => arm.close());

function seed(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    arm.addVm({ resourceGroup: i % 2 ? "rg-a" : "rg-b", name: `vm-${i}`, location: "westus", osType: i % 3 ? "Linux" : "Windows" }),
  );
}

describe("fleet operations", () => {
  it("enable the system identity on every VM, paced under ARM's throttle, none failed", async () => {
    const ids = seed(40);
    arm.setThrottle({ writesPerSecond: 40, burst: 10 });
    const progress: FleetProgress[] = [];
    const results = await client.vms(ids).identity().enableSystemAssigned().apply({ onProgress: (p) => progress.push(p) });
    expect(results).toHaveLength(40);
    expect(results.every((r) => r.status === "changed" && r.identity?.type === "SystemAssigned")).toBe(true);
    expect(results.map((r) => r.resourceId)).toEqual(ids);
    expect(progress.at(-1)).toEqual({ total: 40, done: 40, failed: 0, changed: 40, unchanged: 0, unknown: 0 });
    expect(ids.every((id) => arm.getVm(id.split("/")[4]!, id.split("/").at(-1)!)?.identity?.type === "SystemAssigned")).toBe(true);
    // Retries absorbed whatever 429s there were; the pacer kept them few.
    expect(arm.stats.throttled).toBeLessThan(20);
    expect(results.stats.writes).toBeGreaterThanOrEqual(40);
    console.log(`[fleet] 40 VMs at 40 writes/s burst 10: 429s ${arm.stats.throttled}, peak concurrency ${results.stats.peakConcurrency}, measured ${results.stats.writesPerSecond?.toFixed(1)} writes/s`);
  });

  it("reports a failed VM without rejecting, and a second run changes nothing", async () => {
    const ids = seed(5);
    const missing = ids[0]!.replace("vm-0", "vm-missing");
    const first = await client.vms([...ids, missing]).identity().enableSystemAssigned().apply({ concurrency: 3 });
    const failed = first.filter((r) => r.status === "failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.resourceId).toBe(missing);
    expect(isRestError(failed[0]!.error) && failed[0]!.error.code).toBe("ResourceNotFound");
    const again = await client.vms(ids).identity().enableSystemAssigned().apply();
    expect(again.map((r) => r.status)).toEqual(Array(5).fill("unchanged"));
  });

  it("plans every VM without writing", async () => {
    const ids = seed(4);
    arm.clearRequests();
    const plans = await client.vms(ids).identity().enableSystemAssigned().plan();
    expect(plans.every((p) => p.plan?.request?.method === "PATCH")).toBe(true);
    expect(arm.requests.every((r) => r.method === "GET")).toBe(true);
  });

  it("installs and removes the MSI extension across OS types", async () => {
    const ids = seed(6);
    const installed = await client.vms(ids).msiExtension.install();
    expect(installed.map((r) => r.extension?.properties?.type)).toEqual([
      "ManagedIdentityExtensionForWindows", "ManagedIdentityExtensionForLinux", "ManagedIdentityExtensionForLinux",
      "ManagedIdentityExtensionForWindows", "ManagedIdentityExtensionForLinux", "ManagedIdentityExtensionForLinux",
    ]);
    const removed = await client.vms(ids).msiExtension.remove();
    expect(removed.map((r) => r.status)).toEqual(Array(6).fill("changed"));
    const again = await client.vms(ids).msiExtension.remove();
    expect(again.map((r) => r.status)).toEqual(Array(6).fill("unchanged"));
  });

  it("refuses bad targets and options before any request", async () => {
    arm.clearRequests();
    expect(() => client.vms(["/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/x"])).toThrow(InvalidInputError);
    expect(() => client.vms([{ resourceGroup: "rg", name: "bad name" }])).toThrow(/Invalid virtual machine name "bad name"/);
    await expect(client.vms([{ resourceGroup: "rg", name: "ok" }]).identity().enableSystemAssigned().apply({ concurrency: 0 })).rejects.toThrow(InvalidInputError);
    expect(arm.requests).toEqual([]);
  });

  it("survives a 429 that arrives before any rate is known (no deadlock)", async () => {
    const ids = seed(3);
    arm.injectFault({ method: "PATCH", status: 429, headers: { "retry-after": "1" }, body: { error: { code: "TooManyRequests", message: "slow" } } });
    const results = await client.vms(ids).identity().enableSystemAssigned().apply({ timeoutInMs: 10_000 });
    expect(results.map((r) => r.status)).toEqual(["changed", "changed", "changed"]);
    expect(results.stats.throttled).toBe(1);
  });

  it("keeps going when onProgress throws, and names the fleet deadline in each stopped VM's error", async () => {
    const ids = seed(3);
    const results = await client.vms(ids).identity().enableSystemAssigned().apply({
      onProgress: () => {
        throw new Error("broken progress bar");
      },
    });
    expect(results.map((r) => r.status)).toEqual(["changed", "changed", "changed"]);

    arm.injectFault({ method: "GET", pathIncludes: "/operations/", status: 200, body: { status: "InProgress" }, headers: { "retry-after": "1" }, times: Infinity });
    const stopped = await client.vms(ids).identity().disableSystemAssigned().apply({ timeoutInMs: 300 });
    // Each PATCH was sent and its operation never seen to end: the outcome is unknown, not failed.
    expect(stopped.map((r) => r.status)).toEqual(["unknown", "unknown", "unknown"]);
    expect(stopped.every((r) => r.error?.name === "TimeoutError" && /did not finish within 300 ms/.test(r.error.message))).toBe(true);
    expect(stopped.stats).toMatchObject({ unknown: 3, failed: 0, changed: 0 });
  });

  it("reports targets given twice in different casing, working on the VM once", async () => {
    const [id] = seed(1);
    const upper = id!.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/").replace(arm.subscriptionId.toUpperCase(), arm.subscriptionId);
    arm.clearRequests();
    const results = await client.vms([id!, upper]).identity().enableSystemAssigned().apply();
    expect(results.map((r) => [r.resourceId, r.status, r.duplicateOf])).toEqual([
      [id, "changed", undefined],
      [upper, "changed", id],
    ]);
    expect(results.stats).toMatchObject({ total: 2, duplicates: 1, changed: 2 });
    expect(arm.requests.filter((r) => r.method === "PATCH")).toHaveLength(1);
  });
});
