/**
 * The migration off the MSI extension over a mixed fleet in the emulator:
 * VMs and scale sets (Uniform and Flexible; Manual and Automatic), with and
 * without identities, with and without the extension. A dry run first, then
 * the migration for real, interrupted and resumed with a journal, compared
 * resource by resource with what should remain.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ArmIdentityInput, FakeArm } from "../../src/testing/index.js";
import { type MigrationProgress, type MigrationReport, VmIdentityClient, isInvalidInputError } from "../../src/index.js";
import { emulatorWithClient, writesOf } from "../support/emulator.js";

let arm: FakeArm;
let client: VmIdentityClient;
let dir: string;

beforeEach(async () => {
  ({ arm, client } = await emulatorWithClient({ pollsUntilDone: 1 }));
  dir = mkdtempSync(join(tmpdir(), "vm-identity-migration-"));
});
afterEach(async () => {
  await arm.close();
  rmSync(dir, { recursive: true, force: true });
});

const msi = (os: "Windows" | "Linux", port = 50342) => ({
  name: `ManagedIdentityExtensionFor${os}`,
  properties: { publisher: "Microsoft.ManagedIdentity", type: `ManagedIdentityExtensionFor${os}`, typeHandlerVersion: "1.0", autoUpgradeMinorVersion: true, settings: { port } },
});
const withMsi = (os: "Windows" | "Linux", port?: number) => ({ virtualMachineProfile: { extensionProfile: { extensions: [msi(os, port)] } } });

/** The mixed fleet, and what each resource should look like after the migration. */
async function seedFleet() {
  const location = "westeurope";
  const uai = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "app-identity", location });
  const vm = (name: string, osType: "Windows" | "Linux", identity?: ArmIdentityInput) => arm.addVm({ resourceGroup: "fleet", name, location, osType, ...(identity ? { identity } : {}) });
  const ids = {
    vmSystem: vm("vm-system", "Linux", { type: "SystemAssigned" }),
    vmUser: vm("vm-user", "Windows", { type: "UserAssigned", userAssignedIdentities: { [uai]: {} } }),
    vmNone: vm("vm-none", "Linux"),
    vmPlain: vm("vm-plain", "Linux", { type: "SystemAssigned" }),
    ssManual: arm.addVmss({ resourceGroup: "fleet", name: "ss-manual", location, osType: "Linux", upgradePolicy: "Manual", capacity: 3, identity: { type: "SystemAssigned" }, properties: withMsi("Linux") }),
    ssAuto: arm.addVmss({ resourceGroup: "fleet", name: "ss-auto", location, osType: "Windows", upgradePolicy: "Automatic", capacity: 2, identity: { type: "UserAssigned", userAssignedIdentities: { [uai]: {} } }, properties: withMsi("Windows", 50343) }),
    ssNone: arm.addVmss({ resourceGroup: "fleet", name: "ss-none", location, osType: "Linux", upgradePolicy: "Manual", capacity: 2, properties: withMsi("Linux") }),
    ssFlex: arm.addVmss({ resourceGroup: "fleet", name: "ss-flex", location, osType: "Linux", orchestrationMode: "Flexible", upgradePolicy: "Automatic", capacity: 1, identity: { type: "UserAssigned", userAssignedIdentities: { [uai]: {} } }, properties: withMsi("Linux") }),
    ssPlain: arm.addVmss({ resourceGroup: "fleet", name: "ss-plain", location, osType: "Linux", capacity: 1, identity: { type: "SystemAssigned" } }),
  };
  for (const name of ["vm-system", "vm-user", "vm-none"]) await client.vm("fleet", name).msiExtension.install();
  arm.clearRequests();
  return { uai, ids };
}

const vmExtensions = (name: string) => (arm.getVm("fleet", name)!.resources ?? []).map((r) => r.name);
const modelExtensions = (name: string) => (arm.getVmss("fleet", name)!.properties.virtualMachineProfile.extensionProfile?.extensions ?? []).map((e) => e.name);
const instances = (name: string) => arm.getVmssInstances("fleet", name)!.map((i) => ({ latest: i.properties.latestModelApplied, extensions: (i.resources ?? []).map((r) => r.name) }));

/** Identities of every resource, to compare before and after: the migration never touches one. */
function identities(): Record<string, unknown> {
  return {
    ...Object.fromEntries(["vm-system", "vm-user", "vm-none", "vm-plain"].map((n) => [n, arm.getVm("fleet", n)!.identity ?? null])),
    ...Object.fromEntries(["ss-manual", "ss-auto", "ss-none", "ss-flex", "ss-plain"].map((n) => [n, arm.getVmss("fleet", n)!.identity ?? null])),
  };
}

/** What should remain once the migration (with upgradeInstances) is done, resource by resource. */
function expectMigrated(): void {
  expect(vmExtensions("vm-system")).toEqual([]);
  expect(vmExtensions("vm-user")).toEqual([]);
  expect(vmExtensions("vm-none")).toEqual(["ManagedIdentityExtensionForLinux"]); // no identity: kept
  expect(vmExtensions("vm-plain")).toEqual([]);
  expect(modelExtensions("ss-manual")).toEqual([]);
  expect(instances("ss-manual")).toEqual(Array(3).fill({ latest: true, extensions: [] }));
  expect(modelExtensions("ss-auto")).toEqual([]);
  expect(instances("ss-auto")).toEqual(Array(2).fill({ latest: true, extensions: [] }));
  expect(modelExtensions("ss-none")).toEqual(["ManagedIdentityExtensionForLinux"]); // no identity: kept
  expect(instances("ss-none")).toEqual(Array(2).fill({ latest: true, extensions: ["ManagedIdentityExtensionForLinux"] }));
  expect(modelExtensions("ss-flex")).toEqual([]);
  expect(modelExtensions("ss-plain")).toEqual([]);
}

const byName = (report: MigrationReport) => Object.fromEntries(report.map((r) => [r.resourceId.split("/").at(-1)!, r]));

describe("migrateFromMsiExtension over a mixed fleet", () => {
  it("dry run: inventories from the list pages, reports each carrier with its identity and the exact requests, and writes nothing", async () => {
    const { uai, ids } = await seedFleet();
    const before = identities();
    const report = await client.migrateFromMsiExtension({ resourceGroup: "fleet" }, { dryRun: true, upgradeInstances: true });
    const r = byName(report);
    expect(Object.keys(r).sort()).toEqual(["ss-auto", "ss-flex", "ss-manual", "ss-none", "vm-none", "vm-system", "vm-user"]);
    expect(report.map((e) => e.kind)).toEqual(["virtualMachine", "virtualMachine", "virtualMachine", "virtualMachineScaleSet", "virtualMachineScaleSet", "virtualMachineScaleSet", "virtualMachineScaleSet"]);

    const url = (id: string, ext: string) => `${arm.endpoint}${id}/extensions/${ext}?api-version=2024-11-01`;
    const del = (id: string, ext: string) => ({ method: "DELETE", url: url(id, ext), headers: { accept: "application/json" } });
    expect(r["vm-system"]).toMatchObject({ status: "planned", kind: "virtualMachine", extension: { name: "ManagedIdentityExtensionForLinux", type: "ManagedIdentityExtensionForLinux", port: 50342 }, identity: { type: "SystemAssigned" }, warnings: [] });
    expect(r["vm-system"]!.requests).toEqual([del(ids.vmSystem, "ManagedIdentityExtensionForLinux")]);
    expect(r["vm-user"]).toMatchObject({ status: "planned", identity: { type: "UserAssigned", userAssigned: [{ id: uai }] } });
    expect(r["vm-user"]!.requests).toEqual([del(ids.vmUser, "ManagedIdentityExtensionForWindows")]);
    expect(r["vm-none"]).toMatchObject({ status: "skipped", reasonCode: "NoIdentity", identity: { type: "None" }, requests: [] });
    expect(r["vm-none"]!.reason).toMatch(/no managed identity.*tokens/);
    expect(r["ss-manual"]).toMatchObject({ status: "planned", kind: "virtualMachineScaleSet", upgradePolicy: "Manual", instancesPending: 0, upgradedInstances: ["0", "1", "2"] });
    expect(r["ss-manual"]!.requests).toEqual([
      del(ids.ssManual, "ManagedIdentityExtensionForLinux"),
      {
        method: "POST",
        url: `${arm.endpoint}${ids.ssManual}/manualupgrade?api-version=2024-11-01`,
        headers: { accept: "application/json", "content-type": "application/json" },
        body: { instanceIds: ["0", "1", "2"] },
      },
    ]);
    expect(r["ss-auto"]).toMatchObject({ status: "planned", upgradePolicy: "Automatic", extension: { port: 50343 }, requests: [del(ids.ssAuto, "ManagedIdentityExtensionForWindows")] });
    expect(r["ss-none"]).toMatchObject({ status: "skipped", reasonCode: "NoIdentity" });
    expect(r["ss-flex"]).toMatchObject({ status: "planned", requests: [del(ids.ssFlex, "ManagedIdentityExtensionForLinux")] });
    expect(report.stats).toMatchObject({ total: 7, planned: 5, skipped: 2, removed: 0, failed: 0, unknown: 0, inventoried: 10, withoutExtension: 3, instancesUpgraded: 3 });

    // Nothing written; the lists and the Manual scale set's instance list read, no resource read on its own.
    expect(writesOf(arm)).toEqual([]);
    expect(arm.requests.map((q) => new URL(q.url).pathname.split("/providers/Microsoft.Compute/")[1])).toEqual(["virtualMachines", "virtualMachineScaleSets", "virtualMachineScaleSets/ss-manual/virtualMachines"]);
    expect(identities()).toEqual(before);
    expect(JSON.parse(JSON.stringify(report))).toMatchObject({ results: expect.any(Array), stats: { total: 7 } });
  });

  it("for real, interrupted, then resumed with its journal: every carrier with an identity loses the extension, Manual instances are upgraded, no identity is touched", async () => {
    await seedFleet();
    const before = identities();
    const journal = join(dir, "migration.jsonl");
    // The run is stopped as the Manual scale set's instance upgrade is about to leave: its extension is gone from the model, its instances still run it.
    const controller = new AbortController();
    const interrupted = new VmIdentityClient(arm.credential, arm.subscriptionId, {
      endpoint: arm.endpoint,
      updateIntervalInMs: 0,
      additionalPolicies: [
        {
          position: "perCall",
          policy: {
            name: "interrupt",
            sendRequest(request, next) {
              if (request.url.includes("/manualupgrade")) controller.abort();
              return next(request);
            },
          },
        },
      ],
    });
    const first = await interrupted.migrateFromMsiExtension({ resourceGroup: "fleet" }, { journal, upgradeInstances: true, abortSignal: controller.signal });
    expect(controller.signal.aborted).toBe(true);
    const r1 = byName(first);
    expect(r1["ss-manual"]!.status === "unknown" || r1["ss-manual"]!.status === "failed").toBe(true);
    expect(modelExtensions("ss-manual")).toEqual([]);
    expect(instances("ss-manual").every((i) => i.extensions.length === 1)).toBe(true);
    expect(r1["vm-none"]).toMatchObject({ status: "skipped", reasonCode: "NoIdentity" });

    const progress: MigrationProgress[] = [];
    const second = await client.migrateFromMsiExtension({ resourceGroup: "fleet" }, { journal, upgradeInstances: true, onProgress: (p) => progress.push(p) });
    const r2 = byName(second);
    expectMigrated();
    expect(identities()).toEqual(before);
    expect(Object.keys(r2).sort()).toEqual(["ss-auto", "ss-flex", "ss-manual", "ss-none", "vm-none", "vm-system", "vm-user"]);
    for (const name of ["vm-system", "vm-user", "ss-manual", "ss-auto", "ss-flex"]) expect(r2[name]!.status).toBe("removed");
    for (const name of ["vm-none", "ss-none"]) expect(r2[name]).toMatchObject({ status: "skipped", reasonCode: "NoIdentity" });
    // What the first run finished is not touched again; the Manual scale set's upgrade is finished.
    const doneFirst = first.filter((e) => e.status === "removed").map((e) => e.resourceId);
    expect(second.filter((e) => e.fromJournal).map((e) => e.resourceId).sort()).toEqual([...doneFirst].sort());
    expect(r2["ss-manual"]).toMatchObject({ upgradePolicy: "Manual", upgradedInstances: ["0", "1", "2"], instancesPending: 0 });
    expect(r2["ss-manual"]!.warnings.join(" ")).toMatch(/already gone/);
    expect(second.stats).toMatchObject({ total: 7, removed: 5, skipped: 2, failed: 0, unknown: 0 });
    expect(progress.at(-1)).toMatchObject({ done: 7, total: 7, removed: 5, skipped: 2 });

    // A third run finds nothing left to do and sends no write.
    arm.clearRequests();
    const third = await client.migrateFromMsiExtension({ resourceGroup: "fleet" }, { journal, upgradeInstances: true });
    expect(third.map((e) => e.status).sort()).toEqual(["removed", "removed", "removed", "removed", "removed", "skipped", "skipped"]);
    expect(writesOf(arm)).toEqual([]);
  });

  it("without upgradeInstances a Manual scale set's instances keep the extension, and the report says how many", async () => {
    await seedFleet();
    const report = await client.migrateFromMsiExtension({ resourceGroup: "fleet" });
    const r = byName(report);
    expect(r["ss-manual"]).toMatchObject({ status: "removed", upgradePolicy: "Manual", instancesPending: 3, upgradedInstances: [] });
    expect(r["ss-manual"]!.warnings).toEqual([expect.stringMatching(/^3 instance\(s\) .*ss-manual.*Manual/)]);
    expect(instances("ss-manual")).toEqual(Array(3).fill({ latest: false, extensions: ["ManagedIdentityExtensionForLinux"] }));
    expect(r["ss-auto"]).toMatchObject({ status: "removed", upgradePolicy: "Automatic", instancesPending: 0 });
    expect(writesOf(arm).some((w) => w.path.endsWith("/manualupgrade"))).toBe(false);
  });

  it("force removes the extension from resources without an identity too, with a warning", async () => {
    await seedFleet();
    const report = await client.migrateFromMsiExtension({ resourceGroup: "fleet" }, { force: true });
    const r = byName(report);
    expect(r["vm-none"]).toMatchObject({ status: "removed", warnings: [expect.stringMatching(/no managed identity.*lose their tokens/)] });
    expect(r["ss-none"]!.status).toBe("removed");
    expect(vmExtensions("vm-none")).toEqual([]);
    expect(modelExtensions("ss-none")).toEqual([]);
  });

  it("takes ids of VMs, scale sets and extensions (one read each), and Resource Graph queries", async () => {
    const { ids } = await seedFleet();
    const report = await client.migrateFromMsiExtension([ids.vmSystem, ids.ssAuto, `${ids.vmUser}/extensions/ManagedIdentityExtensionForWindows`, ids.vmPlain], { dryRun: true });
    expect(report.map((e) => [e.resourceId.split("/").at(-1), e.status])).toEqual([
      ["vm-system", "planned"],
      ["ss-auto", "planned"],
      ["vm-user", "planned"],
    ]);
    expect(report.stats).toMatchObject({ inventoried: 4, withoutExtension: 1 });
    expect(arm.requests.map((q) => q.method)).toEqual(["GET", "GET", "GET", "GET"]);

    // The same VM named twice (ids compare without case) is worked on once; the second entry says so.
    arm.clearRequests();
    const twice = await client.migrateFromMsiExtension([ids.vmSystem, ids.vmSystem.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/")], { dryRun: true });
    expect(twice.map((e) => [e.status, e.duplicateOf])).toEqual([["planned", undefined], ["planned", ids.vmSystem]]);
    expect(twice[1]!.requests).toEqual(twice[0]!.requests);

    arm.clearRequests();
    const query = "resources | where type =~ 'microsoft.compute/virtualmachines/extensions' and name =~ 'ManagedIdentityExtensionForLinux' | project id";
    const queried = await client.migrateFromMsiExtension({ query });
    expect(queried.map((e) => [e.resourceId.split("/").at(-1), e.status])).toEqual([
      ["vm-system", "removed"],
      ["vm-none", "skipped"],
    ]);
    expect(vmExtensions("vm-system")).toEqual([]);
  });

  it("refuses bad selections and options, and another run's journal, before any request", async () => {
    await seedFleet();
    const journal = join(dir, "j.jsonl");
    await client.migrateFromMsiExtension({ resourceGroup: "fleet" }, { journal, dryRun: true });
    await client.migrateFromMsiExtension([arm.getVm("fleet", "vm-plain")!.id], { journal });
    arm.clearRequests();
    const refusals = await Promise.all([
      client.migrateFromMsiExtension({ resourceGroup: "fleet" }, { journal, upgradeInstances: true }).catch((e: unknown) => e),
      client.migrateFromMsiExtension({ resourceGroup: "bad rg" }).catch((e: unknown) => e),
      client.migrateFromMsiExtension(["/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n"]).catch((e: unknown) => e),
      client.migrateFromMsiExtension({ resourceGroup: "fleet" }, { dryRun: "yes" as unknown as boolean }).catch((e: unknown) => e),
      client.migrateFromMsiExtension({ resourceGroup: "fleet" }, { shard: "3/2" }).catch((e: unknown) => e),
    ]);
    expect(refusals.map((e) => isInvalidInputError(e) && e.code)).toEqual(["JournalMismatch", "InvalidResourceGroupName", "InvalidResourceId", "InvalidOption", "InvalidOption"]);
    expect(arm.requests).toEqual([]);
  });

  it("works on one shard at a time; the shards together cover the fleet once", async () => {
    await seedFleet();
    const shards = [];
    for (const shard of ["1/2", "2/2"]) shards.push(await client.migrateFromMsiExtension({ resourceGroup: "fleet" }, { dryRun: true, shard }));
    const all = shards.flatMap((s) => s.map((e) => e.resourceId)).sort();
    expect(all).toHaveLength(7);
    expect(new Set(all).size).toBe(7);
  });
});
