/**
 * Several VMs at once with the built command (`node packages/cli/dist/main.js`) as a
 * child process: stderr is a pipe here, so there must be no progress bar and
 * no escape code, only the summary line.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ESCAPE, type Fixture, RG, addFleet, runCli, startFixture, vmId, writesOf } from "./helpers.js";

let fx: Fixture;
let dir: string;
beforeEach(async () => {
  fx = await startFixture();
  dir = await mkdtemp(join(tmpdir(), "vm-identity-fleet-e2e-"));
});
afterEach(async () => {
  await fx.arm.close();
});

const NO_STACK = /\n\s+at /;

describe("vm-identity on several VMs, as a child process", () => {
  it("assign --system --ids a b c: a JSON array of 3, exit 0, the summary on stderr and no escape codes", async () => {
    const ids = addFleet(fx.arm, 3);
    const r = await runCli(["assign", "--ids", ...ids, "--system", ...fx.flags]);
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout);
    expect(results).toHaveLength(3);
    expect(results.map((x: { resourceId: string; status: string }) => [x.resourceId, x.status])).toEqual(ids.map((id) => [id, "changed"]));
    expect(results.every((x: { identity: { type: string } }) => x.identity.type === "SystemAssigned")).toBe(true);
    expect(r.stderr).toBe(`3 VMs: 3 changed, 0 unchanged, 0 failed, 0 unknown (${fx.arm.requests.length} requests; 0 429s absorbed; outcomes read by 6 VM reads; peak concurrency 3)\n`);
    expect(r.stderr).not.toMatch(ESCAPE);
    expect(r.stdout).not.toMatch(ESCAPE);
  });

  it("--ids-file with a comment and a blank line; one missing VM: exit 1, it failed with ResourceNotFound, the others changed", async () => {
    const ids = addFleet(fx.arm, 3);
    const missing = vmId(fx.arm, "decommissioned-vm");
    const file = join(dir, "vms.txt");
    await writeFile(file, `# VMs of the batch job\n${ids[0]}\n\n${missing}\n${ids[1]}\n${ids[2]}\n`);
    const r = await runCli(["assign", "--ids-file", file, "--system", ...fx.flags]);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout);
    expect(results.map((x: { status: string }) => x.status)).toEqual(["changed", "failed", "changed", "changed"]);
    expect(results[1]).toEqual({
      resourceId: missing,
      status: "failed",
      error: { code: "ResourceNotFound", message: expect.stringContaining("decommissioned-vm"), statusCode: 404, requestId: expect.any(String) },
    });
    expect(r.stdout).not.toMatch(NO_STACK);
    expect(r.stderr).toMatch(/^4 VMs: 3 changed, 0 unchanged, 1 failed, 0 unknown \(\d+ requests; 0 429s absorbed; outcomes read by 6 VM reads; peak concurrency \d+\)\n$/);
    expect(r.stderr).not.toMatch(ESCAPE);
    expect(writesOf(fx.arm)).toHaveLength(3);
  });

  it("--dry-run on several VMs prints each VM's request and writes nothing", async () => {
    const ids = addFleet(fx.arm, 3);
    const r = await runCli(["assign", "--ids", ...ids, "--system", "--user-assigned", fx.uai.app, "--dry-run", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(writesOf(fx.arm)).toEqual([]);
    const results = JSON.parse(r.stdout);
    expect(results).toHaveLength(3);
    for (const result of results) {
      expect(result.requests).toEqual([
        expect.objectContaining({ method: "PATCH", body: { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [fx.uai.app]: {} } } } }),
      ]);
    }
    expect(r.stderr).toBe("3 VMs: 3 would change, 0 unchanged, 0 failed, 0 unknown (dry run: nothing was sent)\n");
  });

  it("extension install on several VMs, as a table", async () => {
    const ids = addFleet(fx.arm, 3);
    const r = await runCli(["extension", "install", "--ids", ...ids, "-o", "table", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "NAME        RESOURCE GROUP  STATUS   RESULT",
        "fleet-vm-0  cli-rg          changed  ManagedIdentityExtensionForWindows",
        "                                     (Succeeded)",
        "fleet-vm-1  cli-rg          changed  ManagedIdentityExtensionForLinux",
        "                                     (Succeeded)",
        "fleet-vm-2  cli-rg          changed  ManagedIdentityExtensionForWindows",
        "                                     (Succeeded)",
        "",
        `3 VMs: 3 changed, 0 unchanged, 0 failed, 0 unknown (${fx.arm.requests.length} requests; 0 429s`,
        "  absorbed; peak concurrency 3)",
        "",
      ].join("\n"),
    );
    expect(r.stderr).toMatch(/^note: The MSI extension is deprecated/);
    expect(r.stderr).not.toMatch(ESCAPE);
    expect(writesOf(fx.arm).map((w) => w.method)).toEqual(["PUT", "PUT", "PUT"]);
    expect(fx.arm.getVm(RG, "fleet-vm-2")).toBeDefined();
  });

  it("a bad id in the file exits 2, naming the line, before any request", async () => {
    const ids = addFleet(fx.arm, 2);
    const file = join(dir, "vms.txt");
    await writeFile(file, `${ids[0]}\n${ids[1]}\n/subscriptions/${fx.arm.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/disks/data-disk\n`);
    const r = await runCli(["assign", "--ids-file", file, "--system", ...fx.flags]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`error: ${file} line 3 (it names a Microsoft.Compute/disks, not a VM): Invalid virtual machine id`);
    expect(r.stderr).toContain("Usage: vm-identity assign (-g RG [-n VM] | --ids ID... | --ids-file FILE |");
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(fx.arm.requests).toEqual([]);
  });

  it("a missing file, and --ids-file with -g/-n, exit 2 before any request", async () => {
    const missing = await runCli(["remove", "--ids-file", join(dir, "absent.txt"), "--all", ...fx.flags]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read --ids-file .*absent\.txt: no such file\./);
    const file = join(dir, "vms.txt");
    await writeFile(file, vmId(fx.arm, "win-vm"));
    const both = await runCli(["extension", "remove", "--ids-file", file, "-g", RG, "-n", "win-vm", ...fx.flags]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("not both");
    expect(fx.arm.requests).toEqual([]);
  });
});
