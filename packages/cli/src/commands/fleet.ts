import type { Command } from "commander";
import type { FleetOptions, FleetProgress, FleetResult, FleetRunStats, RawArmRequest, VmHandle, VmIdentityClient } from "azure-vm-identity";
import { INTERRUPTED_MESSAGE } from "../errors.js";
import { ExitCode } from "../exitCodes.js";
import type { VmRef } from "../options/targets.js";
import { type FleetDryRunRow, type FleetRow, type FleetStatus, failureLines, fleetDryRunText, fleetJson, fleetTable, summaryLine } from "../output/fleet.js";
import type { Printer } from "../output/printer.js";
import { progressView } from "../output/progress.js";
import type { CliRuntime, ResolvedVmRef } from "../runtime.js";
import { mapLimit } from "../util/mapLimit.js";

/** VMs that run as one library fleet: the same subscription (and, when the change depends on it, the same resource group). */
export interface FleetGroup {
  client: VmIdentityClient;
  vms: ResolvedVmRef[];
  /** The resource ids to give the library, as given on the command line. */
  ids: string[];
}

/** What a command on several VMs runs. */
export interface FleetCommandSpec<Row extends FleetRow> {
  /** What is being done, for the progress bar, e.g. `assign`. */
  label: string;
  vms: readonly VmRef[];
  dryRun: boolean;
  /** `--concurrency`; undefined is adaptive. */
  concurrency: number | "adaptive" | undefined;
  /** Beyond the subscription, what else a fleet's VMs must share (e.g. the resource group bare identity names resolve in). */
  groupKey?: (vm: ResolvedVmRef) => string;
  /** Run on a group of VMs; must give one row per VM and not reject because one VM failed. */
  run(group: FleetGroup, options: FleetOptions): Promise<{ rows: Row[]; stats?: FleetRunStats }>;
}

/** The resource id of a VM as the command line gave it (or as it is built from -g/-n). */
export function idOf(vm: ResolvedVmRef): string {
  return vm.id ?? `/subscriptions/${vm.subscriptionId}/resourceGroups/${vm.resourceGroup}/providers/Microsoft.Compute/virtualMachines/${vm.name}`;
}

/** Group VMs by subscription (and `extra`), keeping each VM's position. */
function groupsOf(vms: readonly ResolvedVmRef[], extra: ((vm: ResolvedVmRef) => string) | undefined): { vms: ResolvedVmRef[]; at: number[] }[] {
  const groups = new Map<string, { vms: ResolvedVmRef[]; at: number[] }>();
  vms.forEach((vm, i) => {
    const key = `${vm.subscriptionId.toLowerCase()} ${extra ? extra(vm).toLowerCase() : ""}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { vms: [], at: [] }));
    group.vms.push(vm);
    group.at.push(i);
  });
  return [...groups.values()];
}

/** Put a group's rows at the positions of its VMs: one row per VM in order, else matched by resource id. */
function placeRows<Row extends FleetRow>(into: (Row | undefined)[], at: readonly number[], ids: readonly string[], rows: readonly Row[]): void {
  if (rows.length === ids.length) {
    rows.forEach((row, i) => (into[at[i]!] = row));
    return;
  }
  const byId = new Map(rows.map((row) => [row.resourceId.toLowerCase(), row]));
  ids.forEach((id, i) => {
    const row = byId.get(id.toLowerCase());
    if (row) {
      into[at[i]!] = row;
      byId.delete(id.toLowerCase());
    }
  });
}

/** The figures the summary line shows, added up over the fleets of a command. */
export type RunFigures = Pick<FleetRunStats, "writes" | "throttled" | "peakConcurrency">;

function addStats(total: RunFigures | undefined, more: RunFigures | undefined): RunFigures | undefined {
  if (!more) return total;
  if (!total) return { writes: more.writes, throttled: more.throttled, peakConcurrency: more.peakConcurrency };
  return { writes: total.writes + more.writes, throttled: total.throttled + more.throttled, peakConcurrency: Math.max(total.peakConcurrency, more.peakConcurrency) };
}

/**
 * Run a command on several VMs, one library fleet per subscription: a
 * progress bar on stderr when it is a terminal; then the results (a JSON
 * array on stdout, one entry per VM in the order given, or a table) and a
 * summary line (on stdout after a table for people, on stderr otherwise so
 * that stdout stays one document), with each failed VM's message on stderr.
 * Sets exit code 1 when any VM failed or its outcome is unknown, 130 when
 * interrupted.
 */
export async function runFleetCommand<Row extends FleetRow>(rt: CliRuntime, command: Command, out: Printer, spec: FleetCommandSpec<Row>): Promise<void> {
  const vms = await Promise.all(spec.vms.map((vm) => rt.resolve(command, vm)));
  const progress = progressView(rt.io, { label: spec.label, total: vms.length, verbose: rt.verbose });
  const latest = new Map<number, FleetProgress>();
  const report = (): void => {
    const sum: FleetProgress = { total: vms.length, done: 0, failed: 0, changed: 0, unchanged: 0, unknown: 0 };
    for (const p of latest.values()) {
      sum.done += p.done;
      sum.failed += p.failed;
      sum.changed += p.changed;
      sum.unchanged += p.unchanged;
      sum.unknown += p.unknown;
    }
    progress.update(sum);
  };
  const placed: (Row | undefined)[] = vms.map(() => undefined);
  let stats: RunFigures | undefined;
  try {
    // Groups run one after another: two fleets at once in one subscription would each pace writes to the whole budget.
    for (const [g, group] of groupsOf(vms, spec.groupKey).entries()) {
      if (rt.io.signal.aborted) break;
      const ids = group.vms.map(idOf);
      const client = await rt.client(command, group.vms[0]!.subscriptionId);
      const outcome = await spec.run(
        { client, vms: group.vms, ids },
        {
          ...(spec.concurrency === undefined ? {} : { concurrency: spec.concurrency }),
          onProgress: (p) => {
            latest.set(g, p);
            report();
          },
          abortSignal: rt.io.signal,
        },
      );
      placeRows(placed, group.at, ids, outcome.rows);
      stats = addStats(stats, outcome.stats);
    }
  } finally {
    progress.stop();
  }
  if (rt.io.signal.aborted) {
    // A subscription's fleet that an interruption kept from starting: its VMs were not reached.
    for (let i = 0; i < vms.length; i++) placed[i] ??= notReached(vms[i]!) as Row;
  }
  // The library gives one result per id, a repeated id included (worked on once, marked duplicateOf).
  const rows = placed.filter((row): row is Row => row !== undefined);
  const summary = summaryLine(rows, { dryRun: spec.dryRun, ...(stats ? { stats } : {}) });
  out.result(fleetJson(rows), (_value, width) =>
    spec.dryRun ? fleetDryRunText(rows as unknown as FleetDryRunRow[]) : fleetTable(rows, width),
  );
  if (out.forPeople) {
    out.text(`\n${summary}`);
  } else {
    rt.stderr(summary);
  }
  // A failed VM's message (and request id) goes where errors go, unless the JSON on stdout holds it.
  if (!spec.dryRun && !out.wholeJson) rt.stderr(failureLines(rows));
  if (rt.io.signal.aborted) {
    rt.stderr(INTERRUPTED_MESSAGE);
    rt.exitCode = ExitCode.Interrupted;
  } else if (rows.some((r) => r.status === "failed" || r.status === "unknown")) {
    rt.exitCode = ExitCode.Failed;
  }
}

/** The row of a VM an interruption kept the run from reaching: failed, with an `AbortError`, as the library reports such VMs. */
function notReached(vm: ResolvedVmRef): FleetRow {
  const error = new Error("Not started: the run was interrupted before this VM's subscription was reached.");
  error.name = "AbortError";
  return { resourceId: idOf(vm), status: "failed", error, json: {}, detail: "" };
}

/** The common part of a row from a library fleet result. */
export function rowBase(result: FleetResult): Pick<FleetRow, "resourceId" | "status" | "error"> {
  return { resourceId: result.resourceId, status: result.status as FleetStatus, ...(result.error ? { error: result.error } : {}) };
}

/** Reads made at once by a dry run done VM by VM, unless --concurrency says otherwise. */
const DRY_RUN_CONCURRENCY = 16;

/**
 * A dry run the library has no fleet form of (the MSI extension's
 * `planInstall`/`planRemove`): plan each VM, a bounded number at once, and
 * report progress; a VM that fails to plan is a failed row, not a rejection.
 */
export async function planEach(
  vms: readonly { handle: VmHandle; id: string }[],
  plan: (vm: VmHandle, abortSignal: AbortSignal | undefined) => Promise<RawArmRequest>,
  options: FleetOptions,
): Promise<{ rows: FleetDryRunRow[] }> {
  const progress: FleetProgress = { total: vms.length, done: 0, failed: 0, changed: 0, unchanged: 0, unknown: 0 };
  const limit = typeof options.concurrency === "number" ? options.concurrency : DRY_RUN_CONCURRENCY;
  const rows = await mapLimit(vms, limit, async ({ handle, id }): Promise<FleetDryRunRow> => {
    let row: FleetDryRunRow;
    try {
      const request = await plan(handle, options.abortSignal as AbortSignal | undefined);
      row = { resourceId: id, status: "changed", json: { dryRun: true, requests: [request] }, detail: "", preamble: "", requests: [request] };
      progress.changed++;
    } catch (e) {
      row = { resourceId: id, status: "failed", error: e as Error, json: {}, detail: "", preamble: "", requests: [] };
      progress.failed++;
    }
    progress.done++;
    options.onProgress?.({ ...progress });
    return row;
  });
  return { rows };
}
