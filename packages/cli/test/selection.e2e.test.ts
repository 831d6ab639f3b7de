/**
 * Selecting many VMs without naming each (`-g` alone, `--subscriptions`,
 * `--tag`, `--location`, a Resource Graph query), `--journal`, `--shard`,
 * `--no-wait` and `identity list`, run in this process against the emulator:
 * the exact requests sent, the output, the exit code. (The built command as a
 * child process is driven by e2e, az.e2e, fleet.e2e and demo.)
 */
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeArm, startFakeArm } from "azure-vm-identity/testing";
import { ESCAPE, type CliResult, flagsFor, profileDir, runInProcess, writesOf } from "./helpers.js";

const SUB1 = "aaaaaaaa-0000-4000-8000-00000000000a";
const SUB2 = "bbbbbbbb-0000-4000-8000-000000000002";
const LOCATION = "westeurope";

let arms: FakeArm[] = [];
afterEach(async () => {
  await Promise.all(arms.map((a) => a.close()));
  arms = [];
});

/** An emulator with `web-0..3` in `web` (web-0, web-1 tagged env=prod; web-0, web-2 in westeurope), `db-0` in `db`, and `app-identity` in `web`. */
async function fleet(options: Parameters<typeof startFakeArm>[0] = {}): Promise<{ arm: FakeArm; flags: string[]; ids: string[]; db: string; uai: string }> {
  const arm = await startFakeArm({ retryAfterSeconds: 0, ...options });
  arms.push(arm);
  const ids = [0, 1, 2, 3].map((i) =>
    arm.addVm({
      resourceGroup: "web",
      name: `web-${i}`,
      location: i % 2 === 0 ? LOCATION : "northeurope",
      osType: i % 2 === 0 ? "Linux" : "Windows",
      tags: i < 2 ? { env: "prod", tier: i === 0 ? "front" : "back" } : { env: "dev" },
    }),
  );
  const db = arm.addVm({ resourceGroup: "db", name: "db-0", location: LOCATION, osType: "Linux", tags: { env: "prod" } });
  const uai = arm.addUserAssignedIdentity({ resourceGroup: "web", name: "app-identity", location: LOCATION });
  arm.clearRequests();
  return { arm, flags: await flagsFor(arm), ids, db, uai };
}

const statuses = (r: CliResult): [string, string][] => (JSON.parse(r.stdout) as { resourceId: string; status: string }[]).map((x) => [x.resourceId, x.status]);
const paths = (arm: FakeArm): string[] => arm.requests.map((q) => `${q.method} ${new URL(q.url).pathname}`);
const vmList = (arm: FakeArm, group?: string, sub = arm.subscriptionId): string =>
  `GET /subscriptions/${sub}${group ? `/resourceGroups/${group}` : ""}/providers/Microsoft.Compute/virtualMachines`;

describe("-g RG without -n: every VM of the group", () => {
  it("assign -g web: the group's four VMs, planned from one list page, outcomes read by a list sweep; the other group untouched", async () => {
    const { arm, flags, ids, db } = await fleet();
    const r = await runInProcess(["assign", "-g", "web", ...flags]);
    expect(r.code).toBe(0);
    expect(statuses(r)).toEqual(ids.map((id) => [id, "changed"]));
    expect(r.stderr).toMatch(
      new RegExp(`^4 VMs: 4 changed, 0 unchanged, 0 failed, 0 unknown \\(${arm.requests.length} requests; 0 429s absorbed; outcomes read by \\d+ list sweeps? of \\d+ pages?(?: and \\d+ VM reads?)?; peak concurrency \\d\\)\\n$`),
    );
    // (A VM that waits alone at a look is read on its own: cheaper than a list page.)
    // The list first; list entries carry no etag here, so each VM is read once before its If-Match PATCH.
    expect(paths(arm)[0]).toBe(vmList(arm, "web"));
    expect(writesOf(arm).map((w) => `${w.method} ${new URL(w.url).pathname.split("/").pop()}`).sort()).toEqual(["PATCH web-0", "PATCH web-1", "PATCH web-2", "PATCH web-3"]);
    expect(arm.requests.some((q) => q.url.includes(db))).toBe(false);
    expect(arm.getVm("db", "db-0")!.identity).toBeUndefined();
  });

  it("with list etags no VM is read before its write, and the outcomes are read by sweeps of the list", async () => {
    const { arm, flags } = await fleet({ listEtags: true });
    const more = Array.from({ length: 20 }, (_, i) => arm.addVm({ resourceGroup: "web", name: `more-${i}`, location: LOCATION, osType: "Linux" }));
    arm.clearRequests();
    const r = await runInProcess(["assign", "-g", "web", ...flags]);
    expect(r.code).toBe(0);
    expect(statuses(r).filter(([, s]) => s === "changed")).toHaveLength(24);
    expect(more).toHaveLength(20);
    expect(writesOf(arm)).toHaveLength(24);
    const isList = (q: { method: string; url: string }): boolean => q.method === "GET" && new URL(q.url).pathname.endsWith("/virtualMachines");
    const name = (q: { url: string }): string => new URL(q.url).pathname.split("/").pop()!;
    // The list page carries each VM's etag, so the first request to a VM is its If-Match PATCH.
    const firstToVm = new Map<string, string>();
    for (const q of arm.requests) if (!isList(q) && !firstToVm.has(name(q))) firstToVm.set(name(q), q.method);
    expect([...firstToVm.values()].every((m) => m === "PATCH")).toBe(true);
    expect(firstToVm.size).toBe(24);
    // The outcomes are read by sweeps of the list, one each poll interval while any VM waits; how many
    // depends on how long the writes take to go out. A VM is read on its own only at a look where it
    // waits alone (a VM read is then cheaper than a list page, which Compute charges as a high-cost
    // read), so such reads stay few, and all reads together are fewer than reading each VM would cost.
    const lists = arm.requests.filter(isList);
    const vmReads = arm.requests.filter((q) => q.method === "GET" && !isList(q));
    expect(arm.requests.length).toBe(24 + lists.length + vmReads.length);
    expect(lists.length).toBeGreaterThanOrEqual(2);
    expect(lists.length + vmReads.length).toBeLessThan(24 / 2);
  });

  it("show -g web: one entry per VM as az vm list has them (id, name, resourceGroup, identity); a table for people", async () => {
    const { arm, flags, ids } = await fleet({ listEtags: true });
    const json = await runInProcess(["show", "-g", "web", ...flags]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(ids.map((id, i) => ({ id, name: `web-${i}`, resourceGroup: "web", identity: { type: "None" } })));
    // Read from the list page alone: nothing is written, no VM is read.
    expect(paths(arm)).toEqual([vmList(arm, "web")]);
    const table = await runInProcess(["show", "-g", "web", "--tag", "env=prod", "-o", "table", ...flags]);
    expect(table.stdout).toBe(["VM     RESOURCE GROUP  TYPE  USER-ASSIGNED", "web-0  web             None  -", "web-1  web             None  -", ""].join("\n"));
  });

  it("extension install -g web --dry-run: each VM's PUT, named after its OS, nothing written; extension show -g web: one entry per VM", async () => {
    const { arm, flags } = await fleet();
    const dry = await runInProcess(["extension", "install", "-g", "web", "--dry-run", ...flags]);
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout) as { requests: { method: string; url: string }[] }[];
    expect(planned.map((p) => `${p.requests[0]!.method} ${new URL(p.requests[0]!.url).pathname.split("/").slice(-3).join("/")}`)).toEqual([
      "PUT web-0/extensions/ManagedIdentityExtensionForLinux",
      "PUT web-1/extensions/ManagedIdentityExtensionForWindows",
      "PUT web-2/extensions/ManagedIdentityExtensionForLinux",
      "PUT web-3/extensions/ManagedIdentityExtensionForWindows",
    ]);
    expect(writesOf(arm)).toEqual([]);
    expect((await runInProcess(["extension", "install", "-g", "web", "--vm-name", "web-0", ...flags])).code).toBe(0);
    const show = await runInProcess(["extension", "show", "-g", "web", ...flags]);
    expect(show.code).toBe(0);
    const entries = JSON.parse(show.stdout) as { name: string; extension: { name: string } | null }[];
    expect(entries.map((e) => [e.name, e.extension?.name ?? null])).toEqual([
      ["web-0", "ManagedIdentityExtensionForLinux"],
      ["web-1", null],
      ["web-2", null],
      ["web-3", null],
    ]);
  });

  it("in extension commands -g alone is every VM, but -g RG -n X (the old spelling) is still refused before any request", async () => {
    const { arm, flags } = await fleet();
    const r = await runInProcess(["extension", "remove", "-g", "web", "-n", "web-0", ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the VM is --vm-name");
    expect(r.stderr).toContain("For every VM of the group, leave out -n");
    expect(arm.requests).toEqual([]);
  });
});

describe("--subscriptions, --tag, --location", () => {
  it("--subscriptions by name (the Azure CLI's profile) or id: every VM of both, in one fleet; each name said on stderr", async () => {
    const { arm, flags, ids, db } = await fleet({ subscriptionIds: [SUB1, SUB2] });
    const far = arm.addVm({ resourceGroup: "far", name: "far-0", location: LOCATION, osType: "Linux", subscriptionId: SUB2 });
    const dir = await profileDir(
      "\uFEFF" +
        JSON.stringify({
          subscriptions: [
            { id: arm.subscriptionId, name: "Production", isDefault: true, tenantId: "t", environmentName: "AzureCloud" },
            { id: SUB2, name: "Dev", isDefault: false, tenantId: "t", environmentName: "AzureCloud" },
          ],
        }),
    );
    const r = await runInProcess(["assign", "--subscriptions", "Production", "Dev", ...flags], { AZURE_CONFIG_DIR: dir });
    expect(r.code).toBe(0);
    expect(statuses(r).map(([id]) => id).sort()).toEqual([...ids, db, far].sort());
    expect(r.stderr).toContain(`Using subscription "Production" (${arm.subscriptionId}), found by name in the Azure CLI's profile`);
    expect(r.stderr).toContain(`Using subscription "Dev" (${SUB2}), found by name in the Azure CLI's profile`);
    expect(r.stderr).toMatch(/^6 VMs: 6 changed, 0 unchanged, 0 failed, 0 unknown \(/m);
    expect(paths(arm)).toContain(vmList(arm, undefined, SUB2));
    expect(arm.getVm("far", "far-0", SUB2)!.identity!.type).toBe("SystemAssigned");
  });

  it("--tag (repeated: every tag must match) and --location filter the list", async () => {
    const { arm, flags, ids, db } = await fleet();
    const prod = await runInProcess(["assign", "--tag", "env=prod", "--location", LOCATION, ...flags]);
    expect(prod.code).toBe(0);
    expect(statuses(prod)).toEqual([[ids[0], "changed"], [db, "changed"]]);
    expect(paths(arm)[0]).toBe(vmList(arm));
    const both = await runInProcess(["remove", "-g", "web", "--tag", "env=prod", "--tag", "tier=front", ...flags]);
    expect(statuses(both)).toEqual([[ids[0], "changed"]]);
    expect(arm.getVm("web", "web-1")!.identity).toBeUndefined();
  });

  it("a --tag that is not key=value, and --tag with --ids, are usage errors before any request", async () => {
    const { arm, flags, ids } = await fleet();
    const bad = await runInProcess(["assign", "-g", "web", "--tag", "env", ...flags]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected key=value, e.g. --tag env=prod");
    const withIds = await runInProcess(["assign", "--ids", ids[0]!, ids[1]!, "--tag", "env=prod", ...flags]);
    expect(withIds.code).toBe(2);
    expect(withIds.stderr).toContain("--tag select VMs by themselves: they cannot be combined with --ids or --ids-file");
    expect(arm.requests).toEqual([]);
  });
});

describe("a Resource Graph query: --query KQL or --graph-query", () => {
  const KQL = "resources | where type =~ 'microsoft.compute/virtualmachines' | where tags.env == 'prod' | project id";

  it("--query with KQL selects the VMs by one POST to Resource Graph; each VM is read before its write (the rows lag)", async () => {
    const { arm, flags, ids, db } = await fleet();
    const r = await runInProcess(["assign", "--query", KQL, ...flags]);
    expect(r.code).toBe(0);
    expect(statuses(r).map(([id]) => id).sort()).toEqual([ids[0], ids[1], db].sort());
    const graph = arm.requests.filter((q) => q.method === "POST");
    expect(graph).toHaveLength(1);
    expect(new URL(graph[0]!.url).pathname).toBe("/providers/Microsoft.ResourceGraph/resources");
    expect(graph[0]!.body).toMatchObject({ query: KQL, subscriptions: [arm.subscriptionId] });
    for (const id of [ids[0], ids[1], db]) expect(arm.requests.filter((q) => q.method === "GET" && new URL(q.url).pathname === id).length).toBeGreaterThanOrEqual(1);
  });

  it("--graph-query on show, with --subscriptions", async () => {
    const { flags, db, arm } = await fleet();
    const r = await runInProcess(["show", "--graph-query", "resources | where resourceGroup =~ 'db'", "--subscriptions", arm.subscriptionId, "--query", "[].name", "-o", "tsv", ...flags]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("db-0\n");
    expect(db).toContain("/db-0");
  });

  it("a KQL --query where no VMs are selected, and --graph-query with -g, are usage errors before any request", async () => {
    const { arm, flags } = await fleet();
    const identityShow = await runInProcess(["identity", "show", "-g", "web", "-n", "app-identity", "--query", KQL, ...flags]);
    expect(identityShow.code).toBe(2);
    expect(identityShow.stderr).toContain("reads as a Resource Graph query, which selects VMs: only commands that act on several VMs take one");
    const withGroup = await runInProcess(["assign", "-g", "web", "--graph-query", KQL, ...flags]);
    expect(withGroup.code).toBe(2);
    expect(withGroup.stderr).toContain("--graph-query selects the VMs itself");
    expect(arm.requests).toEqual([]);
  });

  it("an operator Resource Graph does not know is its 400, exit 1", async () => {
    const { flags } = await fleet();
    const r = await runInProcess(["assign", "--graph-query", "resources | summarize count() by location", ...flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: POST .*ResourceGraph.* failed with 400/);
  });
});

describe("--journal", () => {
  it("a rerun skips the VMs done (no request for them); another change, a directory or a file that is no journal are refused (exit 2) before any request", async () => {
    const { arm, flags, ids } = await fleet();
    const dir = await mkdtemp(join(tmpdir(), "vm-identity-journal-"));
    const journal = join(dir, "web.jsonl");
    const first = await runInProcess(["assign", "--ids", ...ids, "--journal", journal, ...flags]);
    expect(first.code).toBe(0);
    const lines = (await readFile(journal, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { resourceId?: string; status?: string });
    expect(lines.slice(1).map((l) => [l.resourceId, l.status]).sort()).toEqual(ids.map((id) => [id, "changed"]).sort());

    arm.clearRequests();
    const again = await runInProcess(["assign", "--ids", ...ids, "--journal", journal, "-o", "table", ...flags]);
    expect(again.code).toBe(0);
    expect(arm.requests).toEqual([]);
    expect(again.stdout).toContain("web-0  web             changed  done before (journal)");
    expect(again.stdout.replace(/\n {2}/g, " ")).toContain("4 VMs: 4 changed, 0 unchanged, 0 failed, 0 unknown (0 requests; 0 429s absorbed; 4 done before, per the journal;");
    const json = await runInProcess(["assign", "--ids", ...ids, "--journal", journal, ...flags]);
    expect(JSON.parse(json.stdout)[0]).toEqual({ resourceId: ids[0], status: "changed", fromJournal: true });

    const other = await runInProcess(["remove", "--ids", ...ids, "--journal", journal, ...flags]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^error: The journal ".*web\.jsonl" was written by another fleet .*\[JournalMismatch\]\nUsage: vm-identity remove/);
    await mkdir(join(dir, "a-directory"));
    const directory = await runInProcess(["assign", "-g", "web", "--journal", join(dir, "a-directory"), ...flags]);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toMatch(/^error: Cannot use the journal .*a-directory": it cannot be read .*\[InvalidJournal\]/);
    await writeFile(join(dir, "notes.txt"), "not a journal\n");
    const notJournal = await runInProcess(["extension", "install", "-g", "web", "--journal", join(dir, "notes.txt"), ...flags]);
    expect(notJournal.code).toBe(2);
    expect(notJournal.stderr).toContain("[InvalidJournal]");
    const noDir = await runInProcess(["assign", "-g", "web", "--journal", join(dir, "missing", "j.jsonl"), ...flags]);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toContain("its directory");
    expect(arm.requests).toEqual([]);
    expect(writesOf(arm)).toEqual([]);
  });
});

describe("--shard K/N", () => {
  it("1/2 and 2/2 split a selection: every VM in exactly one share, and the summary names the share", async () => {
    const { arm, flags, ids, db } = await fleet();
    const one = await runInProcess(["assign", "--subscriptions", arm.subscriptionId, "--shard", "1/2", ...flags]);
    const two = await runInProcess(["assign", "--subscriptions", arm.subscriptionId, "--shard", "2/2", ...flags]);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    const a = statuses(one).map(([id]) => id);
    const b = statuses(two).map(([id]) => id);
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    expect([...a, ...b].sort()).toEqual([...ids, db].sort());
    expect(one.stderr).toMatch(/^shard 1\/2: \d VMs?: /);
  });

  it.each(["3/2", "0/2", "two/3"])("--shard %s is refused with the library's coded message, exit 2, before any request", async (shard) => {
    const { arm, flags } = await fleet();
    const r = await runInProcess(["assign", "-g", "web", "--shard", shard, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: Invalid shard "${shard}": expected K/N`);
    expect(r.stderr).toContain("[InvalidOption]");
    expect(r.stderr).toContain("Usage: vm-identity assign");
    expect(arm.requests).toEqual([]);
  });
});

describe("an empty selection says so and exits 0", () => {
  it("a group with no VM, a tag no VM has, an --ids-file of no id: [] on stdout, the reason on stderr; with -o table the reason on stdout", async () => {
    const { arm, flags } = await fleet();
    arm.addResourceGroup("empty-rg");
    const group = await runInProcess(["assign", "-g", "empty-rg", ...flags]);
    expect(group).toEqual({ code: 0, stdout: "[]\n", stderr: "The selection is empty: no VM in resource group empty-rg.\n" });
    const tag = await runInProcess(["show", "-g", "web", "--tag", "env=staging", ...flags]);
    expect(tag).toEqual({ code: 0, stdout: "[]\n", stderr: "The selection is empty: no VM in resource group web with tag env=staging.\n" });
    const table = await runInProcess(["extension", "remove", "--tag", "owner=nobody", "-o", "table", ...flags]);
    expect(table).toEqual({ code: 0, stdout: "The selection is empty: no VM in the subscription with tag owner=nobody.\n", stderr: "" });
    const dir = await mkdtemp(join(tmpdir(), "vm-identity-empty-"));
    await writeFile(join(dir, "vms.txt"), "# none matched\n");
    const file = await runInProcess(["remove", "--ids-file", join(dir, "vms.txt"), ...flags]);
    expect(file.code).toBe(0);
    expect(file.stderr).toContain("The selection is empty:");
    expect(file.stderr).toContain("vms.txt holds no VM id");
    const read = await runInProcess(["show", "--ids-file", join(dir, "vms.txt"), ...flags]);
    expect(read).toEqual({ code: 0, stdout: "[]\n", stderr: `The selection is empty: ${join(dir, "vms.txt")} holds no VM id.\n` });
    expect(writesOf(arm)).toEqual([]);
  });

  it("a group that does not exist is not an empty selection: ARM's ResourceGroupNotFound, exit 1, nothing written", async () => {
    const { arm, flags } = await fleet();
    const r = await runInProcess(["assign", "-g", "no-such-rg", ...flags]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^error: GET \S+\/resourceGroups\/no-such-rg\/providers\/Microsoft\.Compute\/virtualMachines failed with 404 ResourceGroupNotFound: Resource group 'no-such-rg' could not be found\. \(x-ms-request-id: [0-9a-f-]{36}\)\n$/,
    );
    expect(arm.requests.map((q) => q.method)).toEqual(["GET"]);
    expect(writesOf(arm)).toEqual([]);
  });
});

describe("identity list", () => {
  it("as az identity list prints it: JSON with resourceGroup and type, a table, tsv; one GET of the subscription's or the group's identities", async () => {
    const { arm, flags, uai } = await fleet();
    const other = arm.addUserAssignedIdentity({ resourceGroup: "ops", name: "ops-identity", location: "northeurope" });
    arm.clearRequests();
    const json = await runInProcess(["identity", "list", ...flags]);
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(listed.map((x) => x["id"])).toEqual([uai, other]);
    expect(Object.keys(listed[0]!)).toEqual(["clientId", "id", "location", "name", "principalId", "resourceGroup", "tags", "tenantId", "type"]);
    expect(listed[0]).toMatchObject({ name: "app-identity", resourceGroup: "web", location: LOCATION, type: "Microsoft.ManagedIdentity/userAssignedIdentities" });
    expect(arm.requests.map((q) => `${q.method} ${new URL(q.url).pathname}${new URL(q.url).search}`)).toEqual([
      `GET /subscriptions/${arm.subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=2024-11-30`,
    ]);

    arm.clearRequests();
    const table = await runInProcess(["identity", "list", "-g", "ops", "-o", "table", ...flags]);
    const clientId = (arm.getUserAssignedIdentity("ops", "ops-identity") as { properties: { clientId: string } }).properties.clientId;
    expect(table.stdout).toBe(
      [
        "Name          ResourceGroup  Location     ClientId",
        "------------  -------------  -----------  ------------------------------------",
        `ops-identity  ops            northeurope  ${clientId}`,
        "",
      ].join("\n"),
    );
    expect(new URL(arm.requests[0]!.url).pathname).toBe(`/subscriptions/${arm.subscriptionId}/resourceGroups/ops/providers/Microsoft.ManagedIdentity/userAssignedIdentities`);
    const tsv = await runInProcess(["identity", "list", "-g", "ops", "--query", "[].[name, principalId]", "-o", "tsv", ...flags]);
    expect(tsv.stdout).toMatch(/^ops-identity\t[0-9a-f-]{36}\n$/);
  });

  it("identity delete sends the library's DELETE and says whether there was one", async () => {
    const { arm, flags } = await fleet();
    const r = await runInProcess(["identity", "delete", "-g", "web", "-n", "app-identity", ...flags]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ name: "app-identity", resourceGroup: "web", deleted: true });
    expect(writesOf(arm).map((w) => `${w.method} ${new URL(w.url).pathname}${new URL(w.url).search}`)).toEqual([
      `DELETE /subscriptions/${arm.subscriptionId}/resourceGroups/web/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-identity?api-version=2024-11-30`,
    ]);
    expect(arm.getUserAssignedIdentity("web", "app-identity")).toBeUndefined();
  });
});

describe("--no-wait", () => {
  it("assign --no-wait returns once the PATCH is accepted: nothing on stdout, exit 0, no poll; --verbose names the status URL", async () => {
    const { arm, flags } = await fleet({ operationDurationMs: 600_000 });
    const r = await runInProcess(["assign", "-g", "web", "-n", "web-0", "--no-wait", ...flags]);
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(paths(arm)).toEqual([`GET /subscriptions/${arm.subscriptionId}/resourceGroups/web/providers/Microsoft.Compute/virtualMachines/web-0`, `PATCH /subscriptions/${arm.subscriptionId}/resourceGroups/web/providers/Microsoft.Compute/virtualMachines/web-0`]);
    expect((arm.getVm("web", "web-0") as { properties: { provisioningState: string } }).properties.provisioningState).toBe("Updating");

    const verbose = await runInProcess(["remove", "-g", "web", "-n", "web-1", "--all", "--no-wait", "--verbose", ...flags]);
    expect(verbose.code).toBe(0);
    expect(verbose.stdout).toBe("");
    expect(verbose.stderr).toMatch(/^--no-wait: VM web-1 needed no operation to wait for/m);
    const accepted = await runInProcess(["assign", "-g", "web", "-n", "web-2", "--no-wait", "--verbose", ...flags]);
    expect(accepted.stderr).toMatch(/^--no-wait: the write to VM web-2 was accepted; its operation's status: http:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*\/operations\/[^ ]+$/m);
    expect(accepted.stderr).not.toMatch(ESCAPE);
  });

  it("extension install and remove --no-wait: the PUT or DELETE, and no poll", async () => {
    const { arm, flags } = await fleet({ operationDurationMs: 600_000 });
    const install = await runInProcess(["extension", "install", "-g", "web", "--vm-name", "web-0", "--os", "Linux", "--no-wait", "--only-show-errors", ...flags]);
    expect(install).toEqual({ code: 0, stdout: "", stderr: "" });
    const ext = `/subscriptions/${arm.subscriptionId}/resourceGroups/web/providers/Microsoft.Compute/virtualMachines/web-0/extensions/ManagedIdentityExtensionForLinux`;
    // --os given: the location is still read from the VM, then the PUT; no status poll, no read-back.
    expect(paths(arm)).toEqual([`GET /subscriptions/${arm.subscriptionId}/resourceGroups/web/providers/Microsoft.Compute/virtualMachines/web-0`, `PUT ${ext}`]);
    arm.completeOperations();
    arm.clearRequests();
    const remove = await runInProcess(["extension", "remove", "-g", "web", "--vm-name", "web-0", "-n", "ManagedIdentityExtensionForLinux", "--no-wait", ...flags]);
    expect(remove).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(paths(arm)).toEqual([`DELETE ${ext}`]);
  });

  it("--no-wait on several VMs, or with --dry-run, is a usage error before any request", async () => {
    const { arm, flags, ids } = await fleet();
    const several = await runInProcess(["assign", "--ids", ids[0]!, ids[1]!, "--no-wait", ...flags]);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain("--no-wait returns once one VM's write is accepted");
    const group = await runInProcess(["extension", "install", "-g", "web", "--no-wait", ...flags]);
    expect(group.code).toBe(2);
    const dry = await runInProcess(["remove", "-g", "web", "-n", "web-0", "--no-wait", "--dry-run", ...flags]);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain("--no-wait and --dry-run");
    expect(arm.requests).toEqual([]);
  });
});

describe("the summary names the 429s, by budget", () => {
  it("a 429 ARM blames on the write budget is counted as armWrites", async () => {
    const { arm, flags } = await fleet();
    arm.injectFault({
      method: "PATCH",
      status: 429,
      times: 1,
      headers: { "Retry-After": "0", "x-ms-ratelimit-remaining-subscription-writes": "0" },
      body: { error: { code: "SubscriptionRequestsThrottled", message: "Number of 'write' requests for subscription exceeded the limit." } },
    });
    const r = await runInProcess(["assign", "-g", "web", "--identities", "app-identity", ...flags]);
    expect(r.code).toBe(0);
    expect(arm.stats.byStatus[429]).toBe(1);
    expect(r.stderr).toMatch(/^4 VMs: 4 changed, 0 unchanged, 0 failed, 0 unknown \(\d+ requests; 1 429 absorbed \(armWrites 1\); outcomes read by /);
  });
});
