import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeArm, type FakeArmOptions, startFakeArm } from "../../src/testing/index.js";
import { InvalidInputError, VmIdentityClient, isRestError } from "../../src/index.js";
import { until } from "../support/time.js";

let arm: FakeArm | undefined;
afterEach(async () => {
  await arm?.close();
  arm = undefined;
});

/** Azure's budgets, time running 200 times faster, operations of 7 s: a fleet of hundreds in well under a second. */
async function azure(options: FakeArmOptions = {}): Promise<{ arm: FakeArm; client: VmIdentityClient }> {
  arm = await startFakeArm({ limits: "azure", timeScale: 200, operationDurationMs: 7000, ...options });
  const client = new VmIdentityClient(arm.credential, arm.subscriptionId, { endpoint: arm.endpoint, updateIntervalInMs: 25 });
  return { arm, client };
}

const perVm = (a: FakeArm, n: number): number => a.stats.requests / n;

describe("fleets at Azure's budgets", () => {
  it("a resource group with list etags: one PATCH a VM and outcomes read by sweeping the list, none failed", async () => {
    const { arm: a, client } = await azure({ listEtags: true, listPageSize: 100 });
    a.addVms(400, { resourceGroup: "rg", location: "westus", osType: "Linux" });
    const uai = a.addUserAssignedIdentity({ resourceGroup: "ids", name: "shared", location: "westus" });
    const results = await client.vms({ resourceGroup: "rg" }).identity().assignUserAssigned(uai).apply();
    expect(results).toHaveLength(400);
    expect(results.stats).toMatchObject({ changed: 400, failed: 0, unknown: 0 });
    expect(results.every((r) => r.identity?.userAssigned[0]?.principalId)).toBe(true);
    expect(a.stats.writes).toBe(400);
    // No GET before a write; outcomes mostly read by sweeps, the last few VMs each on its own.
    const vmReads = a.requests.filter((r) => r.method === "GET" && /virtualMachines\/[^/?]+\?/.test(r.url)).length;
    expect(vmReads).toBe(results.stats.confirmations?.vmReads);
    expect(vmReads).toBeLessThan(100);
    expect(perVm(a, 400)).toBeLessThanOrEqual(1.3);
    expect(results.stats.confirmations?.sweeps).toBeGreaterThan(0);
    console.log(`[fleet] 400 VMs, list etags: ${perVm(a, 400).toFixed(2)} requests a VM, ${a.stats.throttled} 429s`);
  });

  it("a list longer than the VMs in flight: outcomes are read by sweeping the pages seen so far, not VM by VM", async () => {
    // maxConcurrency 20 keeps at most 56 VMs started: the fleet reads the list's 6 pages as it gets to them,
    // so for most of the run the list is not complete.
    const { arm: a, client } = await azure({ listEtags: true, listPageSize: 50 });
    a.addVms(300, { resourceGroup: "rg", location: "westus", osType: "Linux" });
    const uai = a.addUserAssignedIdentity({ resourceGroup: "ids", name: "shared", location: "westus" });
    const results = await client.vms({ resourceGroup: "rg" }).identity().assignUserAssigned(uai).apply({ maxConcurrency: 20 });
    expect(results.stats).toMatchObject({ changed: 300, failed: 0, unknown: 0 });
    const lists = a.requests.filter((r) => r.method === "GET" && /virtualMachines\?/.test(r.url));
    const vmReads = a.requests.filter((r) => r.method === "GET" && /virtualMachines\/[^/?]+\?/.test(r.url)).length;
    expect(vmReads).toBe(results.stats.confirmations?.vmReads);
    expect(results.stats.confirmations?.sweeps).toBeGreaterThan(10);
    // Sweeps before the list was read to its end stopped at the pages seen: fewer pages than sweeps times 6.
    expect(results.stats.confirmations!.sweepPages).toBeLessThan(results.stats.confirmations!.sweeps * 6);
    expect(lists.length).toBe(6 + results.stats.confirmations!.sweepPages);
    // Read VM by VM (as before sweeps of a list still being read), this fleet made about 250 reads of single VMs.
    expect(vmReads).toBeLessThan(40);
    expect(perVm(a, 300)).toBeLessThan(1.5);
  });

  it("without list etags: one GET before each If-Match write, at most 2.3 requests a VM", async () => {
    // 150 VMs on three list pages, each VM read once before its write (the list page gives no etag to write with).
    const { arm: a, client } = await azure({ listEtags: false, listPageSize: 50 });
    a.addVms(150, { resourceGroup: "rg", location: "westus", osType: "Linux" });
    const results = await client.vms({ resourceGroup: "rg" }).identity().enableSystemAssigned().apply();
    expect(results.stats).toMatchObject({ changed: 150, failed: 0, unknown: 0 });
    const patches = a.requests.filter((r) => r.method === "PATCH");
    expect(patches.every((p) => p.headers["if-match"])).toBe(true);
    expect(perVm(a, 150)).toBeLessThanOrEqual(2.3);
    console.log(`[fleet] 150 system identities, no list etags: ${perVm(a, 150).toFixed(2)} requests a VM, 429s ${JSON.stringify(results.stats.throttledBy)}`);
  });

  it("a VM whose list page shows nothing to do costs no request; a selection that matches nothing is a fleet of none", async () => {
    const { arm: a, client } = await azure({ listEtags: true });
    a.addVms(50, { resourceGroup: "rg", location: "westus", osType: "Linux", identity: { type: "SystemAssigned" } });
    const again = await client.vms({ resourceGroup: "rg" }).identity().enableSystemAssigned().apply();
    expect(again.stats).toMatchObject({ total: 50, unchanged: 50 });
    expect(a.stats.writes).toBe(0);
    expect(a.stats.requests).toBe(1); // the list page
    a.addResourceGroup("empty");
    const none = await client.vms({ resourceGroup: "empty" }).identity().enableSystemAssigned().apply();
    expect(none).toHaveLength(0);
    expect(none.stats.total).toBe(0);
    // A group that does not exist (a typo, say) is not an empty fleet: ARM's 404 rejects it, nothing written.
    a.clearRequests();
    const typo = await client.vms({ resourceGroup: "rgg" }).identity().enableSystemAssigned().apply().catch((e: unknown) => e);
    expect(isRestError(typo) && [typo.statusCode, typo.code, typo.message]).toEqual([404, "ResourceGroupNotFound", expect.stringContaining("Resource group 'rgg' could not be found.")]);
    expect(a.requests.map((r) => r.method)).toEqual(["GET"]);
  });

  it("subscriptions filtered by tags and location; several subscriptions run at their own budgets at once", async () => {
    const subs = ["11111111-0000-4000-8000-000000000001", "11111111-0000-4000-8000-000000000002"];
    const { arm: a, client } = await azure({ listEtags: true, subscriptionIds: subs });
    for (const s of subs) {
      a.addVms(60, { resourceGroup: "rg", location: "westus", osType: "Linux", subscriptionId: s, tags: { env: "prod" } });
      a.addVm({ resourceGroup: "rg", name: "dev-vm", location: "westus", osType: "Linux", subscriptionId: s, tags: { env: "dev" } });
      a.addVm({ resourceGroup: "rg", name: "east-vm", location: "eastus", osType: "Linux", subscriptionId: s, tags: { env: "prod" } });
    }
    const results = await client.vms({ subscriptions: subs, tags: { env: "prod" }, location: "westus" }).identity().enableSystemAssigned().apply();
    expect(results).toHaveLength(120);
    expect(results.some((r) => /dev-vm|east-vm/.test(r.resourceId))).toBe(false);
    expect(results.stats.failed).toBe(0);
    // Both subscriptions' writes started before either had sent half of its 60: neither waited for the other.
    const patches = a.requests.filter((r) => r.method === "PATCH");
    const firstOf = (s: string) => patches.findIndex((p) => p.url.includes(s));
    expect(Math.max(firstOf(subs[0]!), firstOf(subs[1]!))).toBeLessThan(30);
    expect(Object.keys(results.stats.budgets ?? {}).sort()).toEqual([...subs].sort());
  });

  it("a Resource Graph query selects the VMs; each is read before it is written (Graph lags); a query the service refuses rejects the fleet", async () => {
    const { arm: a, client } = await azure({ listEtags: true });
    a.addVms(20, { resourceGroup: "rg", location: "westus", osType: "Linux", tags: { tier: "web" } });
    a.addVms(5, { resourceGroup: "other", location: "westus", osType: "Linux" });
    const query = "resources | where type =~ 'microsoft.compute/virtualmachines' and tags['tier'] == 'web' | project id, name";
    const results = await client.vms({ query }).identity().enableSystemAssigned().apply();
    expect(results.stats).toMatchObject({ total: 20, changed: 20, failed: 0 });
    expect(a.requests.filter((r) => r.method === "GET" && /virtualMachines\/[^/?]+\?/.test(r.url)).length).toBeGreaterThanOrEqual(20);
    const refused = await client.vms({ query: "resources | summarize count() by location" }).identity().enableSystemAssigned().apply().catch((e: unknown) => e);
    expect(isRestError(refused) && refused.statusCode).toBe(400);
    expect(() => client.vms({ query: "" })).toThrow(InvalidInputError);
  });
});

describe("managed identity's limit, however ARM reports it", () => {
  it.each([
    ["a 429 on the PATCH", { managedIdentityThrottling: "429" }],
    ["an operation that ends Failed, its change rolled back", { managedIdentityThrottling: "failedOperation", failedOperationChanges: "rolledBack" }],
    ["an operation that ends Failed, its change left in place", { managedIdentityThrottling: "failedOperation", failedOperationChanges: "applied" }],
  ] as const)("%s: every VM ends with its identity, and each is reported as it ended", async (_how, mode) => {
    // A small creation budget (5, then 1 every 10 s of emulator time: 20 a second of real time at this time scale) so
    // that a fleet of 40 meets it however slowly a loaded machine sends its PATCHes (the whole fleet needs 1.75 s real).
    const { arm: a, client } = await azure({ listEtags: true, ...mode, budgets: { managedIdentityCreate: { bucket: 5, refillPerSecond: 0.1 } } });
    const ids = a.addVms(40, { resourceGroup: "rg", location: "westus", osType: "Linux" });
    const results = await client.vms({ resourceGroup: "rg" }).identity().enableSystemAssigned().apply();
    expect(a.stats.throttledBy.managedIdentity, JSON.stringify(a.stats)).toBeGreaterThan(0); // the limit was hit
    const held = ids.map((id) => a.getVm("rg", id.split("/").at(-1)!)!);
    // What the results say is what the emulator holds, VM by VM.
    results.forEach((r, i) => {
      const vm = held[i]!;
      const ok = vm.identity?.type === "SystemAssigned" && vm.properties.provisioningState === "Succeeded";
      expect(r.status === "changed", `${r.resourceId}: ${r.status} while it holds ${vm.identity?.type ?? "None"}/${vm.properties.provisioningState}`).toBe(ok);
    });
    expect(results.stats).toMatchObject({ changed: 40, failed: 0, unknown: 0 });
    if (mode.managedIdentityThrottling === "failedOperation") {
      // Refusals that come as failed operations are learned seconds late: the pace is learned from the writes
      // whose operations ended well, matched to when they went out, so a VM is refused about 1.5 times, not 3.
      console.log(`[fleet] ${_how}: ${a.stats.throttledBy.managedIdentity} refused operations for 40 VMs`);
      expect(a.stats.throttledBy.managedIdentity).toBeLessThan(75);
    }
  });
});

describe("journals and shards", () => {
  const journalFile = (): string => join(mkdtempSync(join(tmpdir(), "vm-identity-journal-")), "run.jsonl");

  it("an interrupted run is resumed: VMs done are skipped, the rest (unknown ones included) worked on again", async () => {
    // Operations end only when the test says (no time limit, and more looks than the run makes), and a
    // write throttle lets 20 PATCHes through, then four a second: the run is stopped with some VMs done, at
    // least one written whose operation still runs (unknown), and the rest not yet sent.
    const { arm: a, client } = await azure({ listEtags: true, operationDurationMs: undefined, autoCompleteAfterMs: Infinity, pollsUntilDone: 1_000_000 });
    a.setThrottle({ writesPerSecond: 4, burst: 20 });
    const ids = a.addVms(60, { resourceGroup: "rg", location: "westus", osType: "Linux" });
    const journal = journalFile();
    const controller = new AbortController();
    const first = client.vms({ resourceGroup: "rg" }).identity().enableSystemAssigned().apply({ journal, abortSignal: controller.signal });
    // PATCHes ARM accepted (a throttled one is answered 429 and changes nothing).
    const patches = () => a.requests.filter((r) => r.method === "PATCH" && r.status !== undefined && r.status < 300).length;
    const changedInJournal = () => (existsSync(journal) ? readFileSync(journal, "utf8").split('"changed"').length - 1 : 0);
    await until(() => patches() >= 20, "20 accepted PATCHes");
    // Synchronous: no request lands between the count and the completion.
    const completed = patches();
    a.completeOperations();
    await until(() => changedInJournal() >= completed && patches() > completed, "the completed VMs journaled and one more PATCH accepted");
    controller.abort();
    const stopped = await first;
    const done = stopped.filter((r) => r.status === "changed").length;
    expect(done).toBe(completed);
    expect(stopped.stats.unknown).toBeGreaterThan(0);
    expect(stopped.stats.unknown + stopped.stats.failed).toBe(60 - done);
    // Unknown: the running one, and any PATCH on its way when the run stopped (a retry after a 429, say).
    console.log(`[fleet] interrupted: ${done} done, ${stopped.stats.unknown} unknown, ${stopped.stats.failed} failed`);
    a.clearRequests();
    a.completeOperations();
    a.setThrottle(undefined);
    // The resumed run's operations end as soon as they start.
    const completer = setInterval(() => a.completeOperations(), 5);
    const resumed = await client.vms({ resourceGroup: "rg" }).identity().enableSystemAssigned().apply({ journal }).finally(() => clearInterval(completer));
    expect(resumed.stats.fromJournal).toBe(done);
    expect(resumed.filter((r) => r.fromJournal).every((r) => r.status === "changed")).toBe(true);
    expect(resumed.stats.failed + resumed.stats.unknown).toBe(0);
    expect(a.requests.filter((r) => r.method === "PATCH").length).toBeLessThanOrEqual(60 - done);
    expect(ids.every((id) => a.getVm("rg", id.split("/").at(-1)!)?.identity?.type === "SystemAssigned")).toBe(true);
  });

  it("a journal another fleet wrote, or one that is not a journal, is refused before any request", async () => {
    const { arm: a, client } = await azure({ listEtags: true });
    a.addVms(3, { resourceGroup: "rg", location: "westus", osType: "Linux" });
    const journal = journalFile();
    await client.vms({ resourceGroup: "rg" }).identity().enableSystemAssigned().apply({ journal });
    a.clearRequests();
    const other = await client.vms({ resourceGroup: "rg" }).identity().disableSystemAssigned().apply({ journal }).catch((e: unknown) => e);
    expect(other).toMatchObject({ name: "InvalidInputError", code: "JournalMismatch" });
    const garbage = journalFile();
    writeFileSync(garbage, "this is not a journal\n");
    await expect(client.vms({ resourceGroup: "rg" }).identity().enableSystemAssigned().apply({ journal: garbage })).rejects.toMatchObject({ code: "InvalidJournal" });
    expect(a.requests).toEqual([]);
  });

  it("shards split a selection by resource id: two machines' shares cover it once, deterministically", async () => {
    const { arm: a, client } = await azure({ listEtags: true });
    const ids = a.addVms(100, { resourceGroup: "rg", location: "westus", osType: "Linux" });
    const share = async (shard: string) => (await client.vms({ resourceGroup: "rg" }).identity().enableSystemAssigned().plan({ shard })).map((r) => r.resourceId);
    const [one, two, oneAgain] = [await share("1/2"), await share("2/2"), await share("1/2")];
    expect(one.length).toBeGreaterThan(20);
    expect(two.length).toBeGreaterThan(20);
    expect([...one, ...two].map((id) => id.toLowerCase()).sort()).toEqual(ids.map((id) => id.toLowerCase()).sort());
    expect(oneAgain).toEqual(one);
    a.clearRequests();
    for (const bad of ["3/2", "0/2", "1/0", "half"]) {
      await expect(client.vms({ resourceGroup: "rg" }).identity().enableSystemAssigned().apply({ shard: bad })).rejects.toMatchObject({ code: "InvalidOption" });
    }
    expect(a.requests).toEqual([]);
  });
});
