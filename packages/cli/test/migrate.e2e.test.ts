/**
 * `vm-identity migrate-extension` against one emulator: a small mixed fleet
 * (VMs and scale sets, with and without identities and the extension), the
 * dry run's inventory and requests as a golden text, the migration for
 * real with its per-resource results and summary, --force, the journal and
 * the exit codes. The fleet is seeded again for each test.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { VmIdentityClient } from "azure-vm-identity";
import { type FakeArm, startFakeArm } from "azure-vm-identity/testing";
import { ExitCode, run } from "../src/program.js";
import { flagsFor, memoryIo, runInProcess, untilRequests } from "./helpers.js";

let arm: FakeArm;
let flags: string[];
let client: VmIdentityClient;
let dir: string;
let group = 0;
/** The resource group of the current test's fleet (each test seeds its own). */
let rg: string;

beforeAll(async () => {
  arm = await startFakeArm({ retryAfterSeconds: 0 });
  flags = await flagsFor(arm);
  client = new VmIdentityClient(arm.credential, arm.subscriptionId, { endpoint: arm.endpoint, updateIntervalInMs: 0 });
  dir = await mkdtemp(join(tmpdir(), "vm-identity-migrate-"));
});
afterAll(async () => {
  await arm.close();
  await rm(dir, { recursive: true, force: true });
});

const location = "westeurope";
const msi = (os: "Windows" | "Linux") => ({
  name: `ManagedIdentityExtensionFor${os}`,
  properties: { publisher: "Microsoft.ManagedIdentity", type: `ManagedIdentityExtensionFor${os}`, typeHandlerVersion: "1.0", autoUpgradeMinorVersion: true, settings: { port: 50342 } },
});
const withMsi = (os: "Windows" | "Linux") => ({ virtualMachineProfile: { extensionProfile: { extensions: [msi(os)] } } });

/**
 * A fleet in a new resource group: vm-a (system identity, extension),
 * vm-b (no identity, extension), vm-c (system identity, no extension) and
 * ss-a (Manual, 2 instances, system identity, extension in the model).
 */
async function seed(): Promise<void> {
  rg = `fleet-${++group}`;
  arm.addVm({ resourceGroup: rg, name: "vm-a", location, osType: "Linux", identity: { type: "SystemAssigned" } });
  arm.addVm({ resourceGroup: rg, name: "vm-b", location, osType: "Windows" });
  arm.addVm({ resourceGroup: rg, name: "vm-c", location, osType: "Linux", identity: { type: "SystemAssigned" } });
  arm.addVmss({ resourceGroup: rg, name: "ss-a", location, osType: "Linux", upgradePolicy: "Manual", capacity: 2, identity: { type: "SystemAssigned" }, properties: withMsi("Linux") });
  for (const name of ["vm-a", "vm-b"]) await client.vm(rg, name).msiExtension.install();
  arm.clearRequests();
}
beforeEach(seed);

const id = (kind: "virtualMachines" | "virtualMachineScaleSets", name: string) => `/subscriptions/${arm.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Compute/${kind}/${name}`;
/** The writes the emulator received (a Resource Graph query is a POST that reads). */
const writes = () => arm.requests.filter((q) => q.method !== "GET" && !q.url.includes("Microsoft.ResourceGraph")).map((q) => `${q.method} ${new URL(q.url).pathname}`);
const vmExtensions = (name: string) => (arm.getVm(rg, name)!.resources ?? []).map((r) => r.name);

/** The dry run of the seeded fleet with -o table, its endpoint and resource group written as <endpoint> and <rg>. */
const GOLDEN_DRY_RUN = `Dry run: nothing was sent. Inventory: 3 of the 4 VMs and scale sets looked at
  carry the MSI extension (1 does not, and is left out).

vm-a (VM, resource group <rg>): ManagedIdentityExtensionForLinux (port
  50342); identity SystemAssigned. Would remove the extension. This request
  would be sent:

DELETE <endpoint>/subscriptions/
  00000000-0000-4000-8000-000000000000/resourceGroups/<rg>/providers/
  Microsoft.Compute/virtualMachines/vm-a/extensions/
  ManagedIdentityExtensionForLinux?api-version=2024-11-01
accept: application/json

vm-b (VM, resource group <rg>): ManagedIdentityExtensionForWindows (port
  50342); identity None. Would be skipped: NoIdentity: The virtual machine
  'vm-b' has no managed identity left: removing the extension would leave its
  applications without tokens. Give it an identity first (its applications then
  get tokens from IMDS), or pass --force.

ss-a (scale set, resource group <rg>, upgrade policy Manual):
  ManagedIdentityExtensionForLinux (port 50342); identity SystemAssigned. Would
  remove the extension; 2 instances would keep it until upgraded. Warning: 2
  instance(s) of the virtual machine scale set 'ss-a' (upgrade policy Manual)
  still run the extension until they are upgraded (--upgrade-instances). This
  request would be sent:

DELETE <endpoint>/subscriptions/
  00000000-0000-4000-8000-000000000000/resourceGroups/<rg>/providers/
  Microsoft.Compute/virtualMachineScaleSets/ss-a/extensions/
  ManagedIdentityExtensionForLinux?api-version=2024-11-01
accept: application/json

3 VMs and scale sets: 2 would be removed, 1 skipped, 0 failed (dry run: nothing
  was sent; 4 looked at, 1 without the extension)
`;

describe("migrate-extension", () => {
  it("--dry-run prints the inventory, what would happen to each resource and the exact requests (golden), and sends no write", async () => {
    const r = await runInProcess(["migrate-extension", "-g", rg, "--dry-run", "-o", "table", ...flags]);
    expect(r.code).toBe(0);
    expect(r.stdout.replaceAll(arm.endpoint, "<endpoint>").replaceAll(rg, "<rg>")).toBe(GOLDEN_DRY_RUN);
    expect(r.stderr).toBe("");
    // -o json: one entry per resource carrying the extension, with its requests.
    const json = await runInProcess(["migrate-extension", "-g", rg, "--dry-run", ...flags]);
    const entries = JSON.parse(json.stdout) as { resourceId: string; status: string; requests: { method: string; url: string }[] }[];
    expect(entries.map((e) => [e.resourceId, e.status, e.requests.map((q) => `${q.method} ${new URL(q.url).pathname}`)])).toEqual([
      [id("virtualMachines", "vm-a"), "planned", [`DELETE ${id("virtualMachines", "vm-a")}/extensions/ManagedIdentityExtensionForLinux`]],
      [id("virtualMachines", "vm-b"), "skipped", []],
      [id("virtualMachineScaleSets", "ss-a"), "planned", [`DELETE ${id("virtualMachineScaleSets", "ss-a")}/extensions/ManagedIdentityExtensionForLinux`]],
    ]);
    expect(json.stderr).toBe("3 VMs and scale sets: 2 would be removed, 1 skipped, 0 failed (dry run: nothing was sent; 4 looked at, 1 without the extension)\n");
    expect(writes()).toEqual([]);
  });

  it("removes the extension where an identity is left, skips the rest with why, says how many instances lack the model; identities untouched", async () => {
    const before = ["vm-a", "vm-b", "vm-c"].map((n) => arm.getVm(rg, n)!.identity ?? null);
    const r = await runInProcess(["migrate-extension", "-g", rg, ...flags]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows.map((row) => [row["resourceId"], row["status"], row["reasonCode"] ?? null, row["instancesPending"] ?? null])).toEqual([
      [id("virtualMachines", "vm-a"), "removed", null, null],
      [id("virtualMachines", "vm-b"), "skipped", "NoIdentity", null],
      [id("virtualMachineScaleSets", "ss-a"), "removed", null, 2],
    ]);
    expect(writes()).toEqual([
      `DELETE ${id("virtualMachines", "vm-a")}/extensions/ManagedIdentityExtensionForLinux`,
      `DELETE ${id("virtualMachineScaleSets", "ss-a")}/extensions/ManagedIdentityExtensionForLinux`,
    ]);
    expect(r.stderr).toMatch(/^3 VMs and scale sets: 2 removed, 1 skipped, 0 failed, 0 unknown \(4 looked at, 1 without the extension; \d+ requests; 0 429s absorbed; peak concurrency \d\)\n/);
    expect(r.stderr).toContain("warning: ss-a: 2 instance(s) of the virtual machine scale set 'ss-a' (upgrade policy Manual) still run the extension until they are upgraded (--upgrade-instances).");
    expect(vmExtensions("vm-a")).toEqual([]);
    expect(vmExtensions("vm-b")).toEqual(["ManagedIdentityExtensionForWindows"]);
    expect(["vm-a", "vm-b", "vm-c"].map((n) => arm.getVm(rg, n)!.identity ?? null)).toEqual(before);
    expect(arm.getVmssInstances(rg, "ss-a")!.map((i) => i.properties.latestModelApplied)).toEqual([false, false]);
  });

  it("--force --upgrade-instances with --journal on --ids (a VM and a scale set): removed everywhere, instances upgraded; the rerun writes nothing", async () => {
    const journal = join(dir, `${rg}.jsonl`);
    const args = ["migrate-extension", "--ids", id("virtualMachines", "vm-b"), id("virtualMachineScaleSets", "ss-a"), "--force", "--upgrade-instances", "--journal", journal, "-o", "table", ...flags];
    const r = await runInProcess(args);
    expect(r.code).toBe(0);
    const table = r.stdout.split("\n");
    expect(table[0]).toMatch(/^NAME\s+RESOURCE GROUP\s+KIND\s+STATUS\s+RESULT$/);
    expect(table.find((l) => l.startsWith("vm-b"))).toMatch(/^vm-b\s+\S+\s+VM\s+removed\s+identity None$/);
    expect(table.find((l) => l.startsWith("ss-a"))).toMatch(/^ss-a\s+\S+\s+scale set\s+removed\s+identity SystemAssigned; 2 instances/);
    expect(r.stdout).toMatch(/\n2 VMs and scale sets: 2 removed, 0 skipped, 0 failed, 0 unknown \([^)]*2 instances upgraded/);
    expect(writes()).toEqual([
      `DELETE ${id("virtualMachines", "vm-b")}/extensions/ManagedIdentityExtensionForWindows`,
      `DELETE ${id("virtualMachineScaleSets", "ss-a")}/extensions/ManagedIdentityExtensionForLinux`,
      `POST ${id("virtualMachineScaleSets", "ss-a")}/manualupgrade`,
    ]);
    expect(arm.requests.find((q) => q.method === "POST")!.body).toEqual({ instanceIds: ["0", "1"] });
    expect(arm.getVmssInstances(rg, "ss-a")!.map((i) => [i.properties.latestModelApplied, (i.resources ?? []).length])).toEqual([[true, 0], [true, 0]]);
    expect((await readFile(journal, "utf8")).trim().split("\n")).toHaveLength(3);

    arm.clearRequests();
    const again = await runInProcess(args.slice(0, -flags.length - 2).concat(flags));
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).map((row: { fromJournal?: boolean }) => row.fromJournal)).toEqual([true, true]);
    expect(writes()).toEqual([]);
  });

  it("a failed removal (403) is a failed entry naming the error, exit 1; the others are still migrated", async () => {
    arm.denyActions([{ action: "Microsoft.Compute/virtualMachines/extensions/delete" }]);
    try {
      const r = await runInProcess(["migrate-extension", "-g", rg, "--tag", "none=none", ...flags]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("Nothing to migrate: none of the 0 VMs and scale sets looked at carries the MSI extension.");
      const failed = await runInProcess(["migrate-extension", "-g", rg, "-o", "table", ...flags]);
      expect(failed.code).toBe(1);
      const lines = failed.stdout.split("\n");
      expect(lines.find((l) => l.startsWith("vm-a"))).toMatch(/^vm-a\s+\S+\s+VM\s+failed\s+AuthorizationFailed \(403\)$/);
      expect(lines.find((l) => l.startsWith("vm-b"))).toMatch(/\sskipped\s+NoIdentity$/);
      expect(lines.find((l) => l.startsWith("ss-a"))).toMatch(/\sremoved\s/);
      expect(failed.stdout).toContain("3 VMs and scale sets: 1 removed, 1 skipped, 1 failed, 0 unknown");
      expect(failed.stderr).toMatch(/(^|\n)error: vm-a: DELETE .* failed with 403 AuthorizationFailed/);
    } finally {
      arm.clearDenials();
    }
  });

  it("Ctrl+C while a removal hangs: exit 130 with the rows so far; the rerun with the journal finishes the rest", async () => {
    const journal = join(dir, `${rg}.jsonl`);
    arm.injectFault({ method: "DELETE", pathIncludes: "virtualMachineScaleSets/ss-a/extensions", kind: "hang" });
    const io = memoryIo();
    const running = run(["migrate-extension", "-g", rg, "--journal", journal, "--concurrency", "1", ...flags], io);
    await untilRequests(arm, (q) => q.method === "DELETE" && q.url.includes("ss-a"));
    io.controller.abort(new Error("received SIGINT"));
    expect(await running).toBe(ExitCode.Interrupted);
    expect(io.err.join("")).toContain("Interrupted");
    expect(vmExtensions("vm-a")).toEqual([]);

    arm.clearFaults();
    arm.clearRequests();
    const again = await runInProcess(["migrate-extension", "-g", rg, "--journal", journal, ...flags]);
    expect(again.code).toBe(0);
    const rows = JSON.parse(again.stdout) as { resourceId: string; status: string; fromJournal?: boolean }[];
    expect(rows.find((row) => row.resourceId === id("virtualMachines", "vm-a"))).toMatchObject({ fromJournal: true });
    expect(writes().filter((w) => w.includes("vm-a"))).toEqual([]);
    expect(arm.getVmss(rg, "ss-a")!.properties.virtualMachineProfile.extensionProfile?.extensions ?? []).toEqual([]);
  });

  it("a KQL --query (rows of extensions name their VM), --ids-file and --shard select as for fleets", async () => {
    const entries = (r: { stdout: string }) => (JSON.parse(r.stdout) as { resourceId: string; status: string }[]).map((e) => [e.resourceId, e.status]);
    const kql = `resources | where type =~ 'microsoft.compute/virtualmachines/extensions' and resourceGroup =~ '${rg}' | project id`;
    const graph = await runInProcess(["migrate-extension", "--query", kql, "--dry-run", ...flags]);
    expect(graph.code).toBe(0);
    expect(entries(graph).sort()).toEqual([
      [id("virtualMachines", "vm-a"), "planned"],
      [id("virtualMachines", "vm-b"), "skipped"],
    ]);
    expect(arm.requests.filter((q) => q.url.includes("Microsoft.ResourceGraph")).map((q) => (q.body as { query: string }).query)).toEqual([kql]);

    const file = join(dir, `${rg}.txt`);
    await writeFile(file, `# the scale set\n${id("virtualMachineScaleSets", "ss-a")}\n`);
    expect(entries(await runInProcess(["migrate-extension", "--ids-file", file, "--dry-run", ...flags]))).toEqual([[id("virtualMachineScaleSets", "ss-a"), "planned"]]);

    const shards = await Promise.all(["1/2", "2/2"].map((k) => runInProcess(["migrate-extension", "-g", rg, "--shard", k, "--dry-run", ...flags])));
    expect(shards.map((r) => r.code)).toEqual([0, 0]);
    expect(shards.flatMap((r) => entries(r).map(([resourceId]) => resourceId)).sort()).toEqual(
      [id("virtualMachines", "vm-a"), id("virtualMachines", "vm-b"), id("virtualMachineScaleSets", "ss-a")].sort(),
    );
    expect(writes()).toEqual([]);
  });

  it("mistakes are usage errors before any request", async () => {
    const cases: [string[], string][] = [
      [[], "No selection given"],
      [["--ids", `/subscriptions/${arm.subscriptionId}/resourceGroups/x/providers/Microsoft.Storage/storageAccounts/sa`], "not a VM or scale set"],
      [["--ids", "vm-a"], "is not a VM or scale set resource id"],
      [["-g", "x", "--shard", "3/2"], "shard"],
    ];
    for (const [args, message] of cases) {
      const r = await runInProcess(["migrate-extension", ...args, ...flags]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(arm.requests).toEqual([]);
  });
});
