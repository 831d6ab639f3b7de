import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { type FleetOptions, type FleetProgress, type FleetResult, type FleetRunStats, type RawArmRequest, type VmHandle, isInvalidInputError } from "azure-vm-identity";
import { INTERRUPTED_MESSAGE, UsageError } from "../errors.js";
import { ExitCode } from "../exitCodes.js";
import { type RunFigures, addFigures, figuresOf } from "../fleet/figures.js";
import { type FleetGroup, type FleetInput, type SharedScope, describeInput, idOf, planGroups } from "../fleet/groups.js";
import { type FleetDryRunRow, type FleetRow, type FleetStatus, failureLines, fleetDryRunText, fleetJson, fleetTable, summaryLine } from "../output/fleet.js";
import type { Printer } from "../output/printer.js";
import { progressView } from "../output/progress.js";
import type { CliRuntime } from "../runtime.js";
import { mapLimit } from "../util/mapLimit.js";

export { type FleetGroup, idOf } from "../fleet/groups.js";

/** Gives the rows of a group's VMs as they finish, each with its index in the group's input (in listing order for a selection). */
export type EmitRow<Row extends FleetRow<string>> = (row: Row, index: number) => void;

/** What a command on several VMs runs. */
export interface FleetCommandSpec<Row extends FleetRow<string>> {
  /** What is being done, for the progress bar, e.g. `assign`. */
  label: string;
  input: FleetInput;
  dryRun: boolean;
  /** `--concurrency`; undefined is adaptive. */
  concurrency: number | "adaptive" | undefined;
  /** `--journal`: a file that makes the run resumable (writes only). */
  journal?: string | undefined;
  /** `--shard K/N`. */
  shard?: string | undefined;
  /** Where the VMs of one fleet must be for the change to be the same for all (bare identity names). Default `none`. */
  shared?: SharedScope;
  /**
   * Run on a group of VMs: emit one row per VM (as they finish, or all at
   * the end), never reject because one VM failed; resolve with the fleet's
   * figures.
   */
  run(group: FleetGroup, options: FleetOptions, emit: EmitRow<Row>): Promise<{ stats?: FleetRunStats }>;
}

/** The fleet options of every group of a run: concurrency, journal, shard, progress and the run's signal. */
function fleetOptionsOf(spec: Pick<FleetCommandSpec<FleetRow>, "concurrency" | "journal" | "shard">, signal: AbortSignal, onProgress: (p: FleetProgress) => void): FleetOptions {
  return {
    ...(spec.concurrency === undefined ? {} : { concurrency: spec.concurrency }),
    ...(spec.journal === undefined ? {} : { journal: spec.journal }),
    ...(spec.shard === undefined ? {} : { shard: spec.shard }),
    onProgress,
    abortSignal: signal,
  };
}

/** `--journal`'s checks the library cannot make before it writes the file: not with a dry run, and in a directory that exists. */
export function checkJournal(journal: string | undefined, dryRun: boolean): void {
  if (journal === undefined) return;
  if (dryRun) throw new UsageError("--journal records what a run wrote, and a --dry-run writes nothing: leave out one of them.");
  const dir = dirname(resolve(journal));
  if (!existsSync(dir)) throw new UsageError(`Cannot create the journal ${JSON.stringify(journal)}: its directory ${dir} does not exist.`);
}

/** One group's outcome: its rows so far, and its figures or why it stopped. */
interface GroupOutcome<Row> {
  rows: { row: Row; index: number }[];
  ran: boolean;
  stats?: FleetRunStats;
  error?: unknown;
}

/** Run the groups: lanes at once, the groups of a lane one after another; all one after another with a journal (one file). */
async function runGroups<Row>(
  groups: readonly FleetGroup[],
  sequential: boolean,
  signal: AbortSignal,
  runOne: (group: FleetGroup, g: number, outcome: GroupOutcome<Row>) => Promise<void>,
): Promise<{ outcomes: GroupOutcome<Row>[]; figures: RunFigures | undefined }> {
  const outcomes: GroupOutcome<Row>[] = groups.map(() => ({ rows: [], ran: false }));
  const lanes = new Map<string, number[]>();
  groups.forEach((group, g) => {
    const lane = sequential ? "" : group.lane;
    lanes.set(lane, [...(lanes.get(lane) ?? []), g]);
  });
  const laneFigures = await Promise.all(
    [...lanes.values()].map(async (members) => {
      let figures: RunFigures | undefined;
      for (const g of members) {
        if (signal.aborted) break;
        const outcome = outcomes[g]!;
        outcome.ran = true;
        try {
          await runOne(groups[g]!, g, outcome);
          if (outcome.stats) figures = addFigures(figures, figuresOf(outcome.stats), false);
        } catch (e) {
          outcome.error = e;
          // A mistake in the input is the same for every group: stop before the next one.
          if (isInvalidInputError(e) || e instanceof UsageError) break;
        }
      }
      return figures;
    }),
  );
  return { outcomes, figures: laneFigures.reduce<RunFigures | undefined>((sum, f) => addFigures(sum, f, true), undefined) };
}

/** Put each group's rows in order: for ids, at the positions given on the command line; for selections, in listing order, group after group. */
function orderRows<Row extends FleetRow<string>>(input: FleetInput, groups: readonly FleetGroup[], outcomes: readonly GroupOutcome<Row>[], aborted: boolean, sharded: boolean): Row[] {
  if (input.kind === "select") {
    return outcomes.flatMap((o) => [...o.rows].sort((a, b) => a.index - b.index).map((r) => r.row));
  }
  const placed: (Row | undefined)[] = input.vms.map(() => undefined);
  outcomes.forEach((outcome, g) => {
    const group = groups[g]!;
    const ids = group.targets as string[];
    if (!outcome.ran) {
      // A fleet an interruption kept from starting: its VMs were not reached (unknown which are in a shard).
      if (aborted && !sharded) group.at.forEach((at, i) => (placed[at] = notReached(ids[i]!) as Row));
      return;
    }
    // The results of a shard are a subsequence of the ids given, in their order, each id exactly as given.
    const rows = [...outcome.rows].sort((a, b) => a.index - b.index);
    let next = 0;
    ids.forEach((id, i) => {
      if (next < rows.length && rows[next]!.row.resourceId === id) placed[group.at[i]!] = rows[next++]!.row;
    });
  });
  return placed.filter((row): row is Row => row !== undefined);
}

/** What {@link collectFleet} found: the rows in order, the figures, and how the run ended. */
export interface CollectedFleet<Row> {
  rows: Row[];
  figures: RunFigures | undefined;
  aborted: boolean;
  /** Errors of fleets that failed as a whole (their list or query refused). */
  errors: unknown[];
  /** Labels of selection groups an interruption kept from being listed. */
  unlisted: string[];
}

/**
 * Run the library fleets of a command on several VMs and collect their
 * rows: VMs named by id (in any subscriptions) or selected (a resource
 * group, subscriptions with filters, a Resource Graph query). One library
 * fleet per client runs every subscription at its own budgets, at once. A
 * progress bar on stderr when it is a terminal. A mistake in the input (a
 * bad shard, a journal of another fleet: the library's coded errors,
 * before any request) rejects.
 */
export async function collectFleet<Row extends FleetRow<string>>(
  rt: CliRuntime,
  command: Command,
  spec: Omit<FleetCommandSpec<Row>, "dryRun"> & { dryRun?: boolean },
): Promise<CollectedFleet<Row>> {
  checkJournal(spec.journal, spec.dryRun === true);
  const shared = spec.shared ?? "none";
  const groups = await planGroups(rt, command, spec.input, shared);
  if (spec.journal !== undefined && groups.length > 1 && shared !== "none") {
    throw new UsageError(
      "--journal records one change, and identity names make this a different change in each " +
        `${shared === "subscription" ? "subscription" : "resource group"} (${groups.map((g) => g.label).join("; ")}): ` +
        "name the identities by resource id, or run once per group, each with its own journal.",
    );
  }
  const signal = rt.io.signal;
  const total = spec.input.kind === "list" ? spec.input.vms.length : 0;
  const progress = progressView(rt.io, { label: spec.label, total, verbose: rt.verbose });
  const latest = new Map<number, FleetProgress>();
  const report = (): void => {
    const sum: FleetProgress = { total: 0, done: 0, failed: 0, changed: 0, unchanged: 0, unknown: 0 };
    for (const p of latest.values()) for (const key of Object.keys(sum) as (keyof FleetProgress)[]) sum[key] += p[key];
    progress.update(sum);
  };
  let run: Awaited<ReturnType<typeof runGroups<Row>>>;
  try {
    run = await runGroups<Row>(groups, spec.journal !== undefined, signal, async (group, g, outcome) => {
      const options = fleetOptionsOf(spec, signal, (p) => {
        latest.set(g, p);
        report();
      });
      const { stats } = await spec.run(group, options, (row, index) => outcome.rows.push({ row, index }));
      if (stats) outcome.stats = stats;
    });
  } finally {
    progress.stop();
  }
  const aborted = signal.aborted;
  const failures = run.outcomes.filter((o) => o.error !== undefined && !(aborted && isAbortError(o.error)));
  const early = failures.find((o) => isInvalidInputError(o.error) || o.error instanceof UsageError);
  if (early) throw early.error;
  const rows = orderRows(spec.input, groups, run.outcomes, aborted, spec.shard !== undefined);
  if (failures.length > 0 && rows.length === 0) throw failures[0]!.error;
  return {
    rows,
    figures: failures.length === 0 ? run.figures : undefined,
    aborted,
    errors: failures.map((f) => f.error),
    unlisted: spec.input.kind === "select" ? groups.filter((_g, i) => !run.outcomes[i]!.ran).map((g) => g.label) : [],
  };
}

/**
 * Say that a selection is empty, and exit 0: where results would go, so
 * that `-o json` still prints one document (`[]`). True when it was.
 */
export function reportEmpty(rt: CliRuntime, out: Printer, input: FleetInput, shard: string | undefined, rows: readonly unknown[], aborted: boolean): boolean {
  if (rows.length > 0 || aborted) return false;
  const why = shard !== undefined && (input.kind === "select" || input.vms.length > 0) ? `no VM of the selection is in shard ${shard}` : describeInput(input);
  const message = `The selection is empty: ${why}.\n`;
  if (out.forPeople) {
    out.text(message);
  } else {
    out.result([], () => "");
    rt.stderr(message);
  }
  return true;
}

/** After the results of a run on several VMs: 130 when interrupted, else the error of a fleet that failed as a whole. */
export function finishFleet(rt: CliRuntime, run: CollectedFleet<unknown>): void {
  if (run.aborted) {
    if (run.unlisted.length > 0) rt.stderr(`note: the run was interrupted before the VMs of ${run.unlisted.join("; ")} were listed.\n`);
    rt.stderr(INTERRUPTED_MESSAGE);
    rt.exitCode = ExitCode.Interrupted;
    return;
  }
  // A group that failed as a whole (its list or query refused): its error, after the rows of the others.
  if (run.errors.length > 0) throw run.errors[0];
}

/**
 * Run a command that changes several VMs (see {@link collectFleet}), then
 * print the results (a JSON array on stdout, one entry per VM, or a table)
 * and a summary line (on stdout after a table for people, on stderr
 * otherwise so that stdout stays one document), with each failed VM's
 * message on stderr. Sets exit code 1 when any VM failed or its outcome is
 * unknown, 130 when interrupted. An empty selection says so and exits 0.
 */
export async function runFleetCommand<Row extends FleetRow>(rt: CliRuntime, command: Command, out: Printer, spec: FleetCommandSpec<Row>): Promise<void> {
  const run = await collectFleet(rt, command, spec);
  const { rows } = run;
  if (reportEmpty(rt, out, spec.input, spec.shard, rows, run.aborted)) return;
  const summary = summaryLine(rows, {
    dryRun: spec.dryRun,
    ...(run.figures ? { stats: run.figures } : {}),
    ...(spec.shard !== undefined ? { shard: spec.shard } : {}),
  });
  out.result(fleetJson(rows), (_value, width) => (spec.dryRun ? fleetDryRunText(rows as unknown as FleetDryRunRow[]) : fleetTable(rows, width)));
  if (out.forPeople) out.text(`\n${summary}`);
  else rt.stderr(summary);
  // A failed VM's message (and request id) goes where errors go, unless the JSON on stdout holds it.
  if (!spec.dryRun && !out.wholeJson) rt.stderr(failureLines(rows));
  finishFleet(rt, run);
  if (!run.aborted && rows.some((r) => r.status === "failed" || r.status === "unknown")) rt.exitCode = ExitCode.Failed;
}

function isAbortError(e: unknown): boolean {
  return e instanceof Error && (e.name === "AbortError" || (e as { code?: unknown }).code === "ABORT_ERR");
}

/** The row of a VM an interruption kept the run from reaching: failed, with an `AbortError`, as the library reports such VMs. */
function notReached(resourceId: string): FleetRow {
  const error = new Error("Not started: the run was interrupted before this VM's fleet was reached.");
  error.name = "AbortError";
  return { resourceId, status: "failed", error, json: {}, detail: "" };
}

/** The common part of a row from a library fleet result. */
export function rowBase(result: FleetResult): Pick<FleetRow, "resourceId" | "status" | "error"> {
  return { resourceId: result.resourceId, status: result.status as FleetStatus, ...(result.error ? { error: result.error } : {}) };
}

/** The JSON and table cell of a VM a journal showed done: skipped, with nothing read. */
export const FROM_JOURNAL = { json: { fromJournal: true }, detail: "done before (journal)" } as const;

/** Emit each result of a library fleet (its `index` kept) as a row. */
export function emitAll<R extends FleetResult, Row extends FleetRow>(results: readonly R[], emit: EmitRow<Row>, toRow: (result: R) => Row): void {
  for (const result of results) emit(toRow(result), result.index);
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
