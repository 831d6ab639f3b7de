/**
 * Several VMs at once (`--ids a b c`, `--ids-file`): the library's fleet
 * operations behind `assign`, `remove` and `extension install|remove`, driven
 * in-process against the emulator.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TerminalStream } from "../src/io.js";
import { ExitCode, run } from "../src/program.js";
import { ESCAPE, type Fixture, RG, addFleet, memoryIo, runInProcess, startFixture, vmId, writesOf } from "./helpers.js";

let fx: Fixture;
let dir: string;
beforeEach(async () => {
  fx = await startFixture();
  dir = await mkdtemp(join(tmpdir(), "vm-identity-fleet-"));
});
afterEach(async () => {
  await fx.arm.close();
});

async function idsFile(text: string, name = "vms.txt"): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const SUMMARY = /^(\d+) VMs?: (\d+) (changed|would change), (\d+) unchanged, (\d+) failed, (\d+) unknown \((.*)\)\n$/;

/** A summary wrapped for people (a hanging indent of two), on one line again. */
const unwrap = (text: string): string => text.replace(/\n {2}(?=\S)/g, " ");

/** The table of a run on several VMs, and its summary line unwrapped. */
function tableAndSummary(stdout: string): { table: string; summary: string } {
  const at = stdout.lastIndexOf("\n\n");
  return { table: stdout.slice(0, at + 1), summary: unwrap(stdout.slice(at + 2)) };
}

describe("assign on several VMs", () => {
  it("--ids a b c: a JSON array of 3 on stdout, the summary alone on stderr, exit 0", async () => {
    const ids = addFleet(fx.arm, 3);
    const r = await runInProcess(["assign", "--ids", ...ids, "--system", ...fx.flags]);
    expect(r.code).toBe(ExitCode.Ok);
    const results = JSON.parse(r.stdout);
    expect(results).toHaveLength(3);
    expect(results.map((x: { resourceId: string }) => x.resourceId)).toEqual(ids);
    for (const result of results) {
      expect(result).toMatchObject({ status: "changed", identity: { type: "SystemAssigned", principalId: expect.any(String) } });
      expect(result).not.toHaveProperty("error");
    }
    // Every request the emulator received is counted: each VM read, patched, and its outcome read back.
    expect(r.stderr).toBe(
      `3 VMs: 3 changed, 0 unchanged, 0 failed, 0 unknown (${fx.arm.requests.length} requests; 0 429s absorbed; outcomes read by 6 VM reads; peak concurrency 3)\n`,
    );
    expect(writesOf(fx.arm).map((w) => w.method)).toEqual(["PATCH", "PATCH", "PATCH"]);
    for (let i = 0; i < 3; i++) expect(fx.arm.getVm(RG, `fleet-vm-${i}`)!.identity!.type).toBe("SystemAssigned");
  });

  it("--ids-file: one id a line, blank lines and # comments ignored, in the file's order", async () => {
    const ids = addFleet(fx.arm, 3);
    const file = await idsFile(`# the web tier\n${ids[2]}\n\n   \n${ids[0]}   # primary\r\n\n# ${ids[1]} is kept out\n`);
    const r = await runInProcess(["assign", "--ids-file", file, "--system", ...fx.flags]);
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout);
    expect(results.map((x: { resourceId: string }) => x.resourceId)).toEqual([ids[2], ids[0]]);
    expect(fx.arm.getVm(RG, "fleet-vm-1")!.identity).toBeUndefined();
    expect(r.stderr).toMatch(/^2 VMs: 2 changed, 0 unchanged, 0 failed, 0 unknown/);
  });

  it("--ids-file - reads the ids from stdin", async () => {
    const ids = addFleet(fx.arm, 2);
    const r = await runInProcess(["assign", "--ids-file", "-", "--system", ...fx.flags], {}, { readStdin: async () => ids.join("\n") + "\n" });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(2);
  });

  it("a missing VM fails alone: exit 1, its error as {code, message, statusCode}, the others changed", async () => {
    const ids = addFleet(fx.arm, 3);
    const missing = vmId(fx.arm, "no-such-vm");
    const r = await runInProcess(["assign", "--ids", ids[0]!, missing, ids[1]!, ids[2]!, "--system", ...fx.flags]);
    expect(r.code).toBe(ExitCode.Failed);
    const results = JSON.parse(r.stdout);
    expect(results.map((x: { status: string }) => x.status)).toEqual(["changed", "failed", "changed", "changed"]);
    const failed = results[1];
    expect(failed.resourceId).toBe(missing);
    expect(failed.error).toMatchObject({ code: "ResourceNotFound", statusCode: 404, message: expect.stringContaining("no-such-vm") });
    expect(Object.keys(failed.error).sort()).toEqual(["code", "message", "requestId", "statusCode"]);
    expect(failed).not.toHaveProperty("identity");
    expect(r.stdout).not.toMatch(/\n\s+at /); // no stack
    expect(r.stderr).toMatch(/^4 VMs: 3 changed, 0 unchanged, 1 failed, 0 unknown \(/);
    expect(ids.map((_, i) => fx.arm.getVm(RG, `fleet-vm-${i}`)!.identity!.type)).toEqual(["SystemAssigned", "SystemAssigned", "SystemAssigned"]);
  });

  it("a VM that already has the identity is unchanged, with no write", async () => {
    const ids = addFleet(fx.arm, 2);
    const linux = vmId(fx.arm, "linux-vm"); // already SystemAssigned, UserAssigned
    const r = await runInProcess(["assign", "--ids", ...ids, linux, "--system", ...fx.flags]);
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout);
    expect(results[2]).toMatchObject({ resourceId: linux, status: "unchanged", identity: { type: "SystemAssigned, UserAssigned" } });
    expect(r.stderr).toMatch(/^3 VMs: 2 changed, 1 unchanged, 0 failed, 0 unknown/);
    expect(writesOf(fx.arm)).toHaveLength(2);
  });

  it("duplicate ids are one VM, reported once per id given", async () => {
    const [id] = addFleet(fx.arm, 1);
    const again = id!.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/");
    const r = await runInProcess(["assign", "--ids", id!, again, "--system", ...fx.flags]);
    expect(r.code).toBe(0);
    // One row per id given, as the library reports them; the VM itself got one PATCH.
    const rows = JSON.parse(r.stdout) as { resourceId: string; status: string }[];
    expect(rows.map((row) => [row.resourceId, row.status])).toEqual([[id, "changed"], [again, "changed"]]);
    expect(fx.arm.requests.filter((q) => q.method === "PATCH")).toHaveLength(1);
    expect(r.stderr).toMatch(/^2 VMs: 2 changed/);
  });

  it("-o table: name, group, status and identity type or error code; the summary after it; each failure's message on stderr", async () => {
    const ids = addFleet(fx.arm, 2);
    const missing = vmId(fx.arm, "no-such-vm");
    const r = await runInProcess(["assign", "--ids", ...ids, missing, "--system", "--user-assigned", fx.uai.app, "-o", "table", ...fx.flags]);
    expect(r.code).toBe(1);
    // A golden table: 80 columns, the RESULT column wrapped at a word boundary, every column aligned.
    const { table, summary } = tableAndSummary(r.stdout);
    expect(table).toBe(
      [
        "NAME        RESOURCE GROUP  STATUS   RESULT",
        "fleet-vm-0  cli-rg          changed  SystemAssigned, UserAssigned (1",
        "                                     user-assigned)",
        "fleet-vm-1  cli-rg          changed  SystemAssigned, UserAssigned (1",
        "                                     user-assigned)",
        "no-such-vm  cli-rg          failed   ResourceNotFound (404)",
        "",
      ].join("\n"),
    );
    expect(summary).toBe(`3 VMs: 2 changed, 0 unchanged, 1 failed, 0 unknown (${fx.arm.requests.length} requests; 0 429s absorbed; outcomes read by 4 VM reads; peak concurrency 3)\n`);
    for (const line of r.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(r.stderr).toMatch(/^error: no-such-vm: GET .* failed with 404 ResourceNotFound: .*no-such-vm/);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("--concurrency 2 runs two at once, and still counts the 429s it absorbed", async () => {
    const ids = addFleet(fx.arm, 5);
    fx.arm.injectFault({ method: "PATCH", status: 429, times: 1, headers: { "Retry-After": "0" }, body: { error: { code: "TooManyRequests", message: "slow down" } } });
    const r = await runInProcess(["assign", "--ids", ...ids, "--system", "--concurrency", "2", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^5 VMs: 5 changed, 0 unchanged, 0 failed, 0 unknown \(\d+ requests; 1 429 absorbed( \([a-zA-Z]+ 1\))?; outcomes read by 10 VM reads; peak concurrency 2\)\n$/);
  });

  it("429s from ARM are absorbed and counted in the summary", async () => {
    const ids = addFleet(fx.arm, 4);
    fx.arm.injectFault({ method: "PATCH", status: 429, times: 2, headers: { "Retry-After": "0" }, body: { error: { code: "TooManyRequests", message: "slow down" } } });
    const r = await runInProcess(["assign", "--ids", ...ids, "--system", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(fx.arm.stats.byStatus[429]).toBe(2);
    // The 429s carried no rate-limit header: the fleet blames the budget a system identity's PATCH spends.
    expect(r.stderr).toBe(
      `4 VMs: 4 changed, 0 unchanged, 0 failed, 0 unknown (${fx.arm.requests.length} requests; 2 429s absorbed (managedIdentity 2); outcomes read by 8 VM reads; peak concurrency 4)\n`,
    );
    expect(JSON.parse(r.stdout).every((x: { status: string }) => x.status === "changed")).toBe(true);
  });

  it("a single --ids keeps the one-VM output (an object, no summary)", async () => {
    const r = await runInProcess(["assign", "--ids", vmId(fx.arm, "win-vm"), "--system", ...fx.flags]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(Array.isArray(result)).toBe(false);
    expect(result).toMatchObject({ changed: true, identity: { type: "SystemAssigned" }, requestIds: expect.any(Array) });
    expect(r.stderr).toBe("");
  });

  it("--ids-file with one id still prints an array, so a script reading a file always gets one", async () => {
    const [id] = addFleet(fx.arm, 1);
    const r = await runInProcess(["assign", "--ids-file", await idsFile(`${id}\n`), "--system", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject([{ resourceId: id, status: "changed" }]);
  });
});

/** Ctrl+C (the run's signal aborted) once the emulator has received a request whose URL holds `urlPart`. */
async function interruptOnRequest(io: ReturnType<typeof memoryIo>, urlPart: string): Promise<void> {
  const started = Date.now();
  while (!fx.arm.requests.some((r) => r.url.includes(urlPart)) && Date.now() - started < 10_000) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  io.controller.abort(new Error("received SIGINT"));
}

describe("interrupted", () => {
  it("Ctrl+C: the results so far, the VMs not reached failed with AbortError, exit 130", async () => {
    const ids = addFleet(fx.arm, 6);
    // One VM at a time; the last one's read never answers, and Ctrl+C comes while it waits.
    fx.arm.injectFault({ method: "GET", pathIncludes: "fleet-vm-5", kind: "hang" });
    const io = memoryIo();
    const running = run(["assign", "--ids", ...ids, "--system", "--concurrency", "1", ...fx.flags], io);
    await interruptOnRequest(io, "fleet-vm-5");
    expect(await running).toBe(ExitCode.Interrupted);
    const results = JSON.parse(io.out.join(""));
    expect(results.map((x: { status: string }) => x.status)).toEqual(["changed", "changed", "changed", "changed", "changed", "failed"]);
    expect(results[5].error.code).toMatch(/Abort/);
    expect(io.err.join("")).toMatch(/^6 VMs: 5 changed, 0 unchanged, 1 failed, 0 unknown \(\d+ requests; 0 429s absorbed; outcomes read by 10 VM reads; peak concurrency 1\)\nInterrupted: stopped waiting\./);
  });
});

describe("fleets one after another, interrupted", () => {
  it("identity names resolve in each VM's group, so each group is a fleet of its own; the groups an interruption kept the run from are failed with AbortError, in the order given", async () => {
    const [mine] = addFleet(fx.arm, 1);
    fx.arm.addUserAssignedIdentity({ resourceGroup: "other-rg", name: "app-identity", location: "westeurope" });
    fx.arm.addVm({ resourceGroup: "other-rg", name: "later-vm", location: "westeurope", osType: "Linux" });
    const later = mine!.replace(`/resourceGroups/${RG}/`, "/resourceGroups/other-rg/").replace("fleet-vm-0", "later-vm");
    fx.arm.injectFault({ method: "GET", pathIncludes: "fleet-vm-0", kind: "hang" });
    const io = memoryIo();
    const running = run(["assign", "--ids", mine!, later, "--identities", "app-identity", ...fx.flags], io);
    await interruptOnRequest(io, "fleet-vm-0");
    expect(await running).toBe(ExitCode.Interrupted);
    const results = JSON.parse(io.out.join(""));
    expect(results.map((x: { resourceId: string; status: string; error: { code: string } }) => [x.resourceId, x.status, x.error.code])).toEqual([
      [mine, "failed", expect.stringMatching(/Abort/)],
      [later, "failed", "AbortError"],
    ]);
    // Nothing was sent for the group the run did not reach.
    expect(fx.arm.requests.some((r) => r.url.includes("later-vm"))).toBe(false);
  });
});

describe("remove on several VMs", () => {
  it("--user-assigned on VMs that do not all hold it: those fail (exit 1), the others change", async () => {
    const ids = addFleet(fx.arm, 1);
    const linux = vmId(fx.arm, "linux-vm");
    const r = await runInProcess(["remove", "--ids", linux, ids[0]!, "--user-assigned", fx.uai.ops, ...fx.flags]);
    expect(r.code).toBe(1);
    const [changed, failed] = JSON.parse(r.stdout);
    expect(changed, JSON.stringify(changed)).toMatchObject({ resourceId: linux, status: "changed", identity: { type: "SystemAssigned" } });
    expect(failed).toMatchObject({ resourceId: ids[0], status: "failed", error: { code: "IdentityNotAssigned", message: expect.stringContaining("ops-identity") } });
    expect(failed.error).not.toHaveProperty("statusCode"); // found before any write: no HTTP status
    expect(writesOf(fx.arm)).toHaveLength(1);
  });

  it("--all on several VMs", async () => {
    const r = await runInProcess(["remove", "--ids", vmId(fx.arm, "linux-vm"), vmId(fx.arm, "win-vm"), "--all", "-o", "table", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^linux-vm\s+cli-rg\s+changed\s+None$/m);
    expect(r.stdout).toMatch(/^win-vm\s+cli-rg\s+unchanged\s+None$/m);
    expect(r.stdout).toContain("2 VMs: 1 changed, 1 unchanged, 0 failed, 0 unknown (");
  });
});

describe("--dry-run on several VMs", () => {
  it("prints each VM's PATCH as a JSON array and writes nothing", async () => {
    const ids = addFleet(fx.arm, 2);
    const linux = vmId(fx.arm, "linux-vm");
    const r = await runInProcess(["assign", "--ids", ...ids, linux, "--system", "--dry-run", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(writesOf(fx.arm)).toEqual([]);
    const results = JSON.parse(r.stdout);
    expect(results).toHaveLength(3);
    expect(results[0]).toMatchObject({
      resourceId: ids[0],
      status: "changed",
      dryRun: true,
      current: { type: "None" },
      desired: { type: "SystemAssigned" },
      requests: [{ method: "PATCH", headers: { "if-match": expect.any(String) }, body: { identity: { type: "SystemAssigned" } } }],
    });
    expect(results[2]).toMatchObject({ resourceId: linux, status: "unchanged", dryRun: true, requests: [] });
    expect(r.stderr).toBe("3 VMs: 2 would change, 1 unchanged, 0 failed, 0 unknown (dry run: nothing was sent)\n");
  });

  it("as text: one block per VM with its request, a failure in one line", async () => {
    const ids = addFleet(fx.arm, 1);
    const r = await runInProcess(
      ["remove", "--ids", vmId(fx.arm, "linux-vm"), ids[0]!, vmId(fx.arm, "gone"), "--system", "--dry-run", "-o", "table", ...fx.flags],
    );
    expect(r.code).toBe(1);
    expect(writesOf(fx.arm)).toEqual([]);
    for (const line of r.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    const unwrapped = r.stdout.replace(/\n {2}(?=\S)/g, " ");
    expect(unwrapped).toMatch(/^Dry run: nothing was sent\.\n\nlinux-vm \(resource group cli-rg\): Identity now: SystemAssigned, UserAssigned \(1 user-assigned\); after: UserAssigned \(1 user-assigned\)\. This request would be sent:\n\nPATCH http/);
    expect(unwrapped).toContain('"type": "UserAssigned"');
    expect(unwrapped).toContain("fleet-vm-0 (resource group cli-rg): Identity now: None; after: None. Nothing would change, so no request would be sent.\n");
    expect(unwrapped).toContain("gone (resource group cli-rg): failed: ResourceNotFound (404): GET ");
    expect(unwrapped).toMatch(/\n3 VMs: 1 would change, 1 unchanged, 1 failed, 0 unknown \(dry run: nothing was sent\)\n$/);
  });

  it("extension install --dry-run: each VM's PUT, named after its OS, and nothing written", async () => {
    const ids = addFleet(fx.arm, 2);
    const r = await runInProcess(["extension", "install", "--ids", ...ids, "--port", "50343", "--dry-run", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(writesOf(fx.arm)).toEqual([]);
    const results = JSON.parse(r.stdout);
    expect(results[0]).toMatchObject({ status: "changed", dryRun: true, requests: [{ method: "PUT", url: expect.stringMatching(/fleet-vm-0\/extensions\/ManagedIdentityExtensionForWindows\?/), body: { properties: { settings: { port: 50343 } } } }] });
    expect(results[1].requests[0].url).toMatch(/fleet-vm-1\/extensions\/ManagedIdentityExtensionForLinux\?/);
    expect(r.stderr).toBe("2 VMs: 2 would change, 0 unchanged, 0 failed, 0 unknown (dry run: nothing was sent)\n");
  });

  it("extension remove --dry-run: each VM's DELETE", async () => {
    const ids = addFleet(fx.arm, 2);
    const r = await runInProcess(["extension", "remove", "--ids", ...ids, "--dry-run", "-o", "table", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(writesOf(fx.arm)).toEqual([]);
    expect(r.stdout.match(/^DELETE http/gm)).toHaveLength(2);
  });
});

describe("extension install|remove on several VMs", () => {
  it("installs on every VM, then removes from every VM", async () => {
    const ids = addFleet(fx.arm, 3);
    const install = await runInProcess(["extension", "install", "--ids", ...ids, ...fx.flags]);
    expect(install.code).toBe(0);
    const installed = JSON.parse(install.stdout);
    expect(installed).toHaveLength(3);
    expect(installed[0]).toMatchObject({ status: "changed", extension: { name: "ManagedIdentityExtensionForWindows", properties: { provisioningState: "Succeeded" } } });
    expect(installed[1]).toMatchObject({ status: "changed", extension: { name: "ManagedIdentityExtensionForLinux" } });
    expect(install.stderr).toMatch(/^note: The MSI extension is deprecated/);
    expect(install.stderr).toMatch(/\n3 VMs: 3 changed, 0 unchanged, 0 failed, 0 unknown \(\d+ requests; 0 429s absorbed; peak concurrency 3\)\n$/);
    expect(writesOf(fx.arm).map((w) => w.method)).toEqual(["PUT", "PUT", "PUT"]);

    const remove = await runInProcess(["extension", "remove", "--ids", ...ids.slice(0, 2), vmId(fx.arm, "win-vm"), "-o", "table", ...fx.flags]);
    expect(remove.code).toBe(0);
    const { table, summary } = tableAndSummary(remove.stdout);
    expect(table).toBe(
      [
        "NAME        RESOURCE GROUP  STATUS     RESULT",
        "fleet-vm-0  cli-rg          changed    removed",
        "                                       ManagedIdentityExtensionForWindows",
        "fleet-vm-1  cli-rg          changed    removed ManagedIdentityExtensionForLinux",
        "win-vm      cli-rg          unchanged  ManagedIdentityExtensionForWindows was",
        "                                       not installed",
        "",
      ].join("\n"),
    );
    expect(summary).toMatch(/^3 VMs: 2 changed, 1 unchanged, 0 failed, 0 unknown \(\d+ requests; 0 429s absorbed; peak concurrency 3\)\n$/);
  });

  it("extension remove as JSON: {resourceId, status, removed, name} per VM", async () => {
    const ids = addFleet(fx.arm, 2);
    const r = await runInProcess(["extension", "remove", "--ids", ...ids, ...fx.flags]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { resourceId: ids[0], status: "unchanged", removed: false, name: "ManagedIdentityExtensionForWindows" },
      { resourceId: ids[1], status: "unchanged", removed: false, name: "ManagedIdentityExtensionForLinux" },
    ]);
  });

  it("--vm-name and --ids-file conflict; -n/--name names the extension", async () => {
    const ids = addFleet(fx.arm, 2);
    const file = await idsFile(ids.join("\n"));
    const conflict = await runInProcess(["extension", "install", "--ids-file", file, "--vm-name", "x", ...fx.flags]);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain("Name the VMs either with --ids-file or with -g and --vm-name, not both.");
    const named = await runInProcess(["extension", "install", "--ids-file", file, "-n", "myMsi", ...fx.flags]);
    expect(named.code).toBe(0);
    expect(JSON.parse(named.stdout).map((x: { extension: { name: string } }) => x.extension.name)).toEqual(["myMsi", "myMsi"]);
  });
});

describe("usage errors exit 2 before any request", () => {
  async function expectUsageError(argv: string[], message: RegExp | string): Promise<void> {
    const r = await runInProcess([...argv, ...fx.flags]);
    expect(r.code).toBe(ExitCode.Usage);
    if (typeof message === "string") expect(r.stderr).toContain(message);
    else expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Usage: vm-identity /);
    expect(r.stdout).toBe("");
    expect(fx.arm.requests).toEqual([]);
  }

  it("a bad id in the file, named by its line", async () => {
    const ids = addFleet(fx.arm, 2);
    const file = await idsFile(`${ids[0]}\n# comment\n/subscriptions/${fx.arm.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/bad name!\n${ids[1]}\n`);
    await expectUsageError(["assign", "--ids-file", file, "--system"], new RegExp(`error: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} line 3: Invalid virtual machine .*\\[InvalidResourceId\\]`));
  });

  it("an id that is not a VM's", async () => {
    await expectUsageError(
      ["assign", "--ids", vmId(fx.arm, "a"), fx.uai.app, "--system"],
      /--ids value 2 \(it names a Microsoft.ManagedIdentity\/userAssignedIdentities, not a VM\): Invalid virtual machine id/,
    );
  });

  it("a missing file", async () => {
    await expectUsageError(["assign", "--ids-file", join(dir, "nope.txt"), "--system"], /Cannot read --ids-file .*nope\.txt: no such file\./);
  });

  it("--ids given no id (an empty selection)", async () => {
    await expectUsageError(["assign", "--ids", "--system"], /The selection is empty: --ids was given no VM id/);
  });

  it("--ids-file with -g/-n, and --ids-file with --ids", async () => {
    const file = await idsFile(vmId(fx.arm, "win-vm"));
    await expectUsageError(["assign", "--ids-file", file, "-g", RG, "-n", "win-vm", "--system"], "Name the VMs either with --ids-file or with -g and -n/--name, not both.");
    await expectUsageError(["assign", "--ids-file", file, "-g", RG, "--system"], "not both");
    await expectUsageError(["assign", "--ids-file", file, "--ids", vmId(fx.arm, "a"), "--system"], "Name the VMs either with --ids or with --ids-file, not both.");
  });

  it("several --ids with -g", async () => {
    await expectUsageError(["assign", "--ids", vmId(fx.arm, "a"), vmId(fx.arm, "b"), "-g", RG, "--system"], "Name the VM either with --ids or with -g and -n/--name, not both.");
  });



  it("a bad --concurrency", async () => {
    for (const value of ["0", "-3", "fast", "1.5"]) {
      await expectUsageError(["assign", "--ids", vmId(fx.arm, "a"), vmId(fx.arm, "b"), "--system", "--concurrency", value], /option '--concurrency <n\|adaptive>' argument .* is invalid\. expected "adaptive" or a positive integer/);
    }
  });

  it("a bad extension name on several VMs, dry run or not", async () => {
    const ids = [vmId(fx.arm, "a"), vmId(fx.arm, "b")];
    await expectUsageError(["extension", "install", "--ids", ...ids, "--name", "bad name!", "--dry-run"], /\[InvalidExtensionName\]/);
    await expectUsageError(["extension", "remove", "--ids", ...ids, "--name", "bad name!"], /\[InvalidExtensionName\]/);
  });
});

describe("the progress bar", () => {
  /** A fake terminal that records what is drawn on it. */
  function terminal(): TerminalStream & { text(): string } {
    const chunks: string[] = [];
    const stream = {
      isTTY: true,
      columns: 100,
      write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
        chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
        const callback = rest.find((x) => typeof x === "function") as (() => void) | undefined;
        callback?.();
        return true;
      },
      text: () => chunks.join(""),
    };
    return stream as unknown as TerminalStream & { text(): string };
  }

  it("is drawn on stderr when it is a terminal, and cleared before the summary", async () => {
    const ids = addFleet(fx.arm, 4);
    const tty = terminal();
    const r = await runInProcess(["assign", "--ids", ...ids, "--system", ...fx.flags], {}, { stderrTerminal: tty });
    expect(r.code).toBe(0);
    expect(tty.text()).toContain("assign ");
    expect(tty.text()).toContain("4/4 VMs | 0 failed");
    expect(tty.text()).toMatch(/\u001b\[2K$/); // the line is cleared at the end
    expect(JSON.parse(r.stdout)).toHaveLength(4);
    expect(r.stderr).toMatch(SUMMARY);
    expect(r.stderr).not.toMatch(ESCAPE);
  });

  it("is not drawn for one VM, with --verbose, or with TERM=dumb", async () => {
    const ids = addFleet(fx.arm, 2);
    const one = terminal();
    await runInProcess(["assign", "--ids", ids[0]!, "--system", ...fx.flags], {}, { stderrTerminal: one });
    expect(one.text()).toBe("");
    const verbose = terminal();
    await runInProcess(["remove", "--ids", ...ids, "--system", "--verbose", ...fx.flags], {}, { stderrTerminal: verbose });
    expect(verbose.text()).toBe("");
    const dumb = terminal();
    await runInProcess(["assign", "--ids", ...ids, "--system", ...fx.flags], { TERM: "dumb" }, { stderrTerminal: dumb });
    expect(dumb.text()).toBe("");
  });

  it("is not drawn when stderr is not a terminal: no escape codes anywhere", async () => {
    const ids = addFleet(fx.arm, 3);
    const r = await runInProcess(["extension", "install", "--ids", ...ids, "-o", "table", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(ESCAPE);
    expect(r.stdout).not.toMatch(ESCAPE);
  });
});

describe("help", () => {
  it("assign --help shows --ids <id...>, --ids-file and --concurrency", async () => {
    const r = await runInProcess(["assign", "--help"]);
    expect(r.stdout).toContain("Usage: vm-identity assign (-g RG [-n VM] | --ids ID... | --ids-file FILE |");
    expect(r.stdout).toMatch(/--ids \[id\.\.\.\]/);
    expect(r.stdout).toMatch(/--ids-file <file>/);
    expect(r.stdout).toMatch(/--concurrency <n\|adaptive>/);
  });

  it("show takes several --ids and --ids-file too; extension show takes several --ids", async () => {
    const r = await runInProcess(["show", "--help"]);
    expect(r.stdout).toContain("Usage: vm-identity show (-g RG [-n VM] | --ids ID... | --ids-file FILE |");
    const ext = await runInProcess(["extension", "show", "--help"]);
    expect(ext.stdout).toContain("Usage: vm-identity extension show|get (-g RG [--vm-name VM] | --ids ID... |");
    expect(ext.stdout).toMatch(/--ids-file <file>/);
  });
});
