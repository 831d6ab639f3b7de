/**
 * Runs on several VMs, in-process, where the test needs to interrupt them
 * or look inside: subscriptions run at once in one library fleet, Ctrl+C
 * during a selection, a journaled run resumed after Ctrl+C, and the exit
 * code of outcomes that are unknown.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeArm, startFakeArm } from "azure-vm-identity/testing";
import { runFleetCommand } from "../src/commands/fleet.js";
import { ExitCode, run } from "../src/program.js";
import type { FleetRow } from "../src/output/fleet.js";
import { Printer } from "../src/output/printer.js";
import { CliRuntime } from "../src/runtime.js";
import { flagsFor, memoryIo, untilRequests, writesOf } from "./helpers.js";

const SUB1 = "aaaaaaaa-0000-4000-8000-00000000000a";
const SUB2 = "bbbbbbbb-0000-4000-8000-000000000002";

let arm: FakeArm | undefined;
afterEach(async () => {
  await arm?.close();
  arm = undefined;
});

/**
 * Resolve once `--verbose` has logged `count` answered requests (lines `METHOD URL -> status`) matching
 * `pattern`, and `also` (given every answered request's line, in order) holds.
 */
async function untilLogged(io: ReturnType<typeof memoryIo>, pattern: RegExp, count = 1, also: (lines: string[]) => boolean = () => true): Promise<void> {
  const started = Date.now();
  const answered = (): string[] => io.err.join("").split("\n").filter((line) => / -> \d{3} in /.test(line));
  const done = (): boolean => answered().filter((line) => pattern.test(line)).length >= count && also(answered());
  while (!done()) {
    if (Date.now() - started > 10_000) throw new Error(`${pattern} was never logged ${count} times (or the condition never held)`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // The answer is back; what it settles (the VM's row) follows within a few turns of the event loop.
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe("several subscriptions in one library fleet", () => {
  it("run at once: while a VM of the first subscription hangs, the second's VM is changed; Ctrl+C then ends the run with 130", async () => {
    arm = await startFakeArm({ retryAfterSeconds: 0, subscriptionIds: [SUB1, SUB2], operationDurationMs: 0 });
    const slow = arm.addVm({ resourceGroup: "rg", name: "slow-vm", location: "westeurope", osType: "Linux" });
    const quick = arm.addVm({ resourceGroup: "rg", name: "quick-vm", location: "westeurope", osType: "Linux", subscriptionId: SUB2 });
    arm.injectFault({ method: "GET", pathIncludes: "slow-vm", kind: "hang" });
    const io = memoryIo();
    const running = run(["assign", "--ids", slow, quick, "--verbose", ...(await flagsFor(arm))], io);
    // The second subscription's VM is patched while the first's read still hangs: not one subscription after the other.
    await untilLogged(io, /^PATCH .*quick-vm/);
    // Its read before the PATCH, and the read that confirms it.
    await untilLogged(io, /^GET .*quick-vm/, 2);
    io.controller.abort(new Error("received SIGINT"));
    expect(await running).toBe(ExitCode.Interrupted);
    const results = JSON.parse(io.out.join("")) as { resourceId: string; status: string }[];
    expect(results.map((r) => r.resourceId)).toEqual([slow, quick]);
    expect(results[0]!.status).toBe("failed");
    expect(results[1]!.status).toBe("changed");
    expect(arm.getVm("rg", "quick-vm", SUB2)!.identity!.type).toBe("SystemAssigned");
    expect(io.err.join("")).toContain("Interrupted: stopped waiting.");
  });
});

describe("Ctrl+C during a selection", () => {
  it("prints the rows seen so far (in listing order), the summary and exits 130", async () => {
    arm = await startFakeArm({ retryAfterSeconds: 0, operationDurationMs: 0 });
    const ids = [0, 1, 2].map((i) => arm!.addVm({ resourceGroup: "web", name: `web-${i}`, location: "westeurope", osType: "Linux" }));
    arm.injectFault({ method: "GET", pathIncludes: "web-2", kind: "hang" });
    const io = memoryIo();
    const running = run(["assign", "-g", "web", "--verbose", ...(await flagsFor(arm))], io);
    await untilRequests(arm, (r) => r.method === "GET" && r.url.includes("web-2"));
    await untilLogged(io, /^PATCH /, 2);
    // Both PATCHes confirmed: by a sweep of the list after them, or (a VM that waited alone at a look)
    // by a read of the VM after its PATCH.
    await untilLogged(io, /^GET /, 0, (lines) => ["web-0", "web-1"].every((vm) => {
      const patched = lines.findIndex((l) => l.startsWith("PATCH ") && l.includes(`/${vm}?`));
      return patched >= 0 && lines.slice(patched + 1).some((l) => l.startsWith("GET ") && (l.includes("/virtualMachines?") || l.includes(`/${vm}?`)));
    }));
    io.controller.abort(new Error("received SIGINT"));
    expect(await running).toBe(ExitCode.Interrupted);
    const results = JSON.parse(io.out.join("")) as { resourceId: string; status: string }[];
    expect(results.map((r) => r.resourceId)).toEqual(ids);
    expect(results.map((r) => r.status)).toEqual(["changed", "changed", "failed"]);
    expect(io.err.join("")).toMatch(/\n3 VMs: 2 changed, 0 unchanged, 1 failed, 0 unknown \(.*\)\nInterrupted: stopped waiting\./);
  });
});

describe("--journal after Ctrl+C", () => {
  it("the rerun writes only the VMs the interrupted run did not finish", async () => {
    arm = await startFakeArm({ retryAfterSeconds: 0 });
    const ids = [0, 1, 2, 3].map((i) => arm!.addVm({ resourceGroup: "web", name: `web-${i}`, location: "westeurope", osType: "Linux" }));
    const journal = join(await mkdtemp(join(tmpdir(), "vm-identity-resume-")), "web.jsonl");
    const flags = await flagsFor(arm);
    arm.injectFault({ method: "GET", pathIncludes: "web-3", kind: "hang" });
    const io = memoryIo();
    const first = run(["assign", "--ids", ...ids, "--journal", journal, "--concurrency", "1", ...flags], io);
    await untilRequests(arm, (r) => r.method === "GET" && r.url.includes("web-3"));
    io.controller.abort(new Error("received SIGINT"));
    expect(await first).toBe(ExitCode.Interrupted);
    const recorded = (await readFile(journal, "utf8")).trim().split("\n").slice(1).map((l) => JSON.parse(l) as { resourceId: string; status: string });
    expect(recorded.filter((l) => l.status === "changed").map((l) => l.resourceId)).toEqual(ids.slice(0, 3));

    arm.clearFaults();
    arm.clearRequests();
    const again = memoryIo();
    expect(await run(["assign", "--ids", ...ids, "--journal", journal, ...flags], again)).toBe(ExitCode.Ok);
    expect(writesOf(arm).map((w) => new URL(w.url).pathname)).toEqual([ids[3]]);
    const results = JSON.parse(again.out.join("")) as { status: string; fromJournal?: boolean }[];
    expect(results.map((r) => [r.status, r.fromJournal === true])).toEqual([
      ["changed", true],
      ["changed", true],
      ["changed", true],
      ["changed", false],
    ]);
    expect(again.err.join("")).toContain("3 done before, per the journal");
  });
});

describe("the exit code of a run on several VMs", () => {
  const SUB = "11111111-1111-4111-8111-111111111111";
  const id = (name: string) => `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}`;

  /** Run the command's fleet runner on two VMs whose rows the test makes up; nothing is sent. */
  async function exitCodeWith(statuses: FleetRow["status"][]): Promise<{ code: number | undefined; stderr: string }> {
    const io = memoryIo();
    const rt = new CliRuntime(io);
    const program = new Command("vm-identity").option("--subscription <s>").option("--endpoint <url>").option("--access-token <t>");
    program.parse(["--subscription", SUB, "--endpoint", "http://127.0.0.1:9", "--access-token", "tok-123456"], { from: "user" });
    await runFleetCommand(rt, program, new Printer(rt.stdout, { format: "json" }), {
      label: "test",
      input: { kind: "list", vms: statuses.map((_, i) => ({ subscriptionId: SUB, resourceGroup: "rg", name: `vm-${i}`, id: id(`vm-${i}`) })) },
      dryRun: false,
      concurrency: undefined,
      run: async (group, _options, emit) => {
        (group.targets as string[]).forEach((resourceId, i) => emit({ resourceId, status: statuses[i]!, json: {}, detail: "" }, i));
        return {};
      },
    });
    rt.dispose();
    return { code: rt.exitCode, stderr: io.err.join("") };
  }

  it("is 1 when any VM's outcome is unknown (or failed), and unset (0) when every VM is changed or unchanged", async () => {
    expect((await exitCodeWith(["changed", "unknown"])).code).toBe(ExitCode.Failed);
    expect((await exitCodeWith(["unchanged", "failed"])).code).toBe(ExitCode.Failed);
    expect((await exitCodeWith(["changed", "unchanged"])).code).toBeUndefined();
    expect((await exitCodeWith(["changed", "unknown"])).stderr).toBe("2 VMs: 1 changed, 0 unchanged, 0 failed, 1 unknown\n");
  });
});
