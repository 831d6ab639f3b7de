import {
  type FleetOptions,
  type FleetProgress,
  type FleetResult,
  type FleetRunStats,
  type RawArmRequest,
  type VmHandle,
} from "azure-vm-identity";
import { INTERRUPTED_MESSAGE } from "../errors.js";
import { ExitCode } from "../exitCodes.js";
import { type FleetDryRunRow, type FleetRow, failureLines, fleetDryRunText, fleetJson, fleetTable, summaryLine } from "../output/fleet.js";
import { toJson } from "../output/printer.js";
import { progressView } from "../output/progress.js";
import type { CliRuntime, FleetSession } from "../runtime.js";

/** What a command on several VMs runs. */
export interface FleetCommandSpec<Row extends FleetRow> {
  /** What is being done, for the progress bar, e.g. `assign`. */
  label: string;
  /** The number of VMs (after duplicates were dropped). */
  total: number;
  dryRun: boolean;
  /** `--concurrency`; undefined is adaptive. */
  concurrency: number | "adaptive" | undefined;
  /** Run on every VM; must not reject because one VM failed. */
  run(options: FleetOptions): Promise<{ rows: Row[]; stats?: FleetRunStats }>;
}

/**
 * Run a command on several VMs: a progress bar on stderr when it is a
 * terminal; then the results (a JSON array on stdout, or a table) and a
 * summary line (on stderr with JSON, so stdout stays one JSON document; after
 * the table otherwise, with each failed VM's message on stderr). Sets exit code 1 when any VM failed, 130 when
 * interrupted.
 */
export async function runFleetCommand<Row extends FleetRow>(rt: CliRuntime, session: FleetSession, spec: FleetCommandSpec<Row>): Promise<void> {
  const progress = progressView(rt.io, { label: spec.label, total: spec.total, verbose: rt.verbose });
  let outcome: { rows: Row[]; stats?: FleetRunStats };
  try {
    outcome = await spec.run({
      ...(spec.concurrency === undefined ? {} : { concurrency: spec.concurrency }),
      onProgress: (p) => progress.update(p),
      abortSignal: rt.io.signal,
    });
  } finally {
    progress.stop();
  }
  const { rows, stats } = outcome;
  const summary = summaryLine(rows, { dryRun: spec.dryRun, ...(stats ? { stats } : {}) });
  const { out } = session;
  if (out.format === "json") {
    out.text(toJson(fleetJson(rows)));
    rt.stderr(summary);
  } else {
    out.text(spec.dryRun ? fleetDryRunText(rows as unknown as FleetDryRunRow[]) : fleetTable(rows));
    out.text(`\n${summary}`);
    // The table shows each failed VM's error code; its message (and request id) goes where errors go.
    if (!spec.dryRun) rt.stderr(failureLines(rows));
  }
  if (rt.io.signal.aborted) {
    rt.stderr(INTERRUPTED_MESSAGE);
    rt.exitCode = ExitCode.Interrupted;
  } else if (rows.some((r) => r.status === "failed")) {
    rt.exitCode = ExitCode.Failed;
  }
}

/** The common part of a row from a library fleet result. */
export function rowBase(result: FleetResult): Pick<FleetRow, "resourceId" | "status" | "error"> {
  return { resourceId: result.resourceId, status: result.status, ...(result.error ? { error: result.error } : {}) };
}

/** Reads made at once by a dry run done VM by VM, unless --concurrency says otherwise. */
const DRY_RUN_CONCURRENCY = 16;

/**
 * A dry run the library has no fleet form of (the MSI extension's
 * `planInstall`/`planRemove`): plan each VM, a bounded number at once, and
 * report progress; a VM that fails to plan is a failed row, not a rejection.
 */
export async function planEach(
  vms: readonly VmHandle[],
  plan: (vm: VmHandle, abortSignal: AbortSignal | undefined) => Promise<RawArmRequest>,
  options: FleetOptions,
): Promise<{ rows: FleetDryRunRow[] }> {
  const width = typeof options.concurrency === "number" ? options.concurrency : DRY_RUN_CONCURRENCY;
  const progress: FleetProgress = { total: vms.length, done: 0, failed: 0, changed: 0, unchanged: 0, unknown: 0 };
  const rows: FleetDryRunRow[] = new Array(vms.length);
  let next = 0;
  // A few workers take the VMs in order; a dry run only reads.
  const worker = async (): Promise<void> => {
    for (let i = next++; i < vms.length; i = next++) rows[i] = await planOne(vms[i]!);
  };
  const planOne = async (vm: VmHandle): Promise<FleetDryRunRow> => {
        let row: FleetDryRunRow;
        try {
          const request = await plan(vm, options.abortSignal as AbortSignal | undefined);
          row = { resourceId: vm.resourceId, status: "changed", json: { dryRun: true, requests: [request] }, detail: "", preamble: "", requests: [request] };
          progress.changed++;
        } catch (e) {
          row = { resourceId: vm.resourceId, status: "failed", error: e as Error, json: {}, detail: "", preamble: "", requests: [] };
          progress.failed++;
        }
        progress.done++;
        options.onProgress?.({ ...progress });
        return row;
  };
  await Promise.all(Array.from({ length: Math.min(width, vms.length) }, worker));
  return { rows };
}
