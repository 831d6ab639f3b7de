import type { Command } from "commander";
import { type FleetOptions, type VmHandle, parseVmResourceId } from "azure-vm-identity";
import { ExitCode } from "../exitCodes.js";
import { type FleetGroup, fleetInputOf } from "../fleet/groups.js";
import type { VmTargets } from "../options/targets.js";
import { type FleetRow, failureLines } from "../output/fleet.js";
import type { Printer } from "../output/printer.js";
import type { CliRuntime } from "../runtime.js";
import { mapLimit } from "../util/mapLimit.js";
import { type EmitRow, type FleetCommandSpec, collectFleet, finishFleet, reportEmpty, rowBase } from "./fleet.js";

/**
 * Whether a read goes through the library's fleet: a selection, a shard, or
 * an empty list (which says so); other targets are read VM by VM, as named.
 */
export function readsAsFleet(targets: VmTargets, shard: string | undefined): targets is Exclude<VmTargets, { mode: "one" }> {
  return targets.mode === "select" || (targets.mode === "many" && (shard !== undefined || targets.vms.length === 0));
}

/** Reads made at once when the library has no fleet form of a read (one VM's extension). */
const READ_CONCURRENCY = 8;

/** One VM a read of several found, in the shape of `az vm list`'s entries: `id`, `name`, `resourceGroup`, then what was read. */
export interface VmEntry {
  id: string;
  name: string;
  resourceGroup: string;
  [key: string]: unknown;
}

/** The entry of a VM (named by its resource id) with `more`. */
export function vmEntry(resourceId: string, more: Record<string, unknown>): VmEntry {
  const { name, resourceGroup } = parseVmResourceId(resourceId);
  return { id: resourceId, name, resourceGroup, ...more };
}

/** A VM read: its entry as the row's JSON. */
export function readRow(resourceId: string, entry: VmEntry): FleetRow {
  return { resourceId, status: "unchanged", json: entry, detail: "" };
}

/**
 * The VMs of a group, by id, for a read or plan the library has no fleet
 * form of: listed ids as given (when no shard leaves some out); otherwise
 * what the library's fleet selects (an identity plan of no change, which
 * reads list pages, or a VM when its page has no etag, and writes
 * nothing). A VM that could not be read is emitted as a failed row.
 */
export async function vmIdsOf<Row extends FleetRow>(group: FleetGroup, options: FleetOptions, emit: EmitRow<Row>): Promise<{ id: string; index: number }[]> {
  if (Array.isArray(group.targets) && options.shard === undefined) return group.targets.map((id, index) => ({ id, index }));
  const results = await group.client.vms(group.targets).identity().plan(options);
  const ids: { id: string; index: number }[] = [];
  for (const r of results) {
    if (r.status === "failed") emit({ ...rowBase(r), json: {}, detail: "" } as Row, r.index);
    else ids.push({ id: r.resourceId, index: r.index });
  }
  return ids;
}

/** The library's handle on a VM named by its resource id, in its own subscription. */
export async function vmOf(rt: CliRuntime, command: Command, id: string): Promise<VmHandle> {
  const { subscriptionId, resourceGroup, name } = parseVmResourceId(id);
  return rt.vm(command, { subscriptionId, resourceGroup, name, id });
}

/**
 * For each VM of a group, a read the library makes for one VM at a time
 * (a few at once), as rows: a VM that could not be read is a failed row.
 */
export async function readEachOf<Row extends FleetRow>(
  ids: readonly { id: string; index: number }[],
  options: FleetOptions,
  emit: EmitRow<Row>,
  read: (id: string) => Promise<Row>,
): Promise<void> {
  let done = 0;
  let failed = 0;
  await mapLimit(ids, typeof options.concurrency === "number" ? options.concurrency : READ_CONCURRENCY, async ({ id, index }) => {
    let row: Row;
    try {
      row = await read(id);
    } catch (e) {
      if ((options.abortSignal as AbortSignal | undefined)?.aborted) throw e;
      row = { resourceId: id, status: "failed", error: e as Error, json: {}, detail: "" } as Row;
      failed++;
    }
    emit(row, index);
    done++;
    options.onProgress?.({ total: ids.length, done, failed, changed: 0, unchanged: done - failed, unknown: 0 });
  });
}

/**
 * A read of several VMs selected (or sharded): the entries read, as one
 * JSON array in listing order (or a table), each VM that could not be read
 * an `error: <vm>: ...` line on stderr and exit 1; an empty selection says
 * so and exits 0.
 */
export async function printFleetRead(
  rt: CliRuntime,
  command: Command,
  out: Printer,
  targets: Exclude<VmTargets, { mode: "one" }>,
  options: { shard?: string | undefined; concurrency?: number | "adaptive" | undefined },
  read: { label: string; run: FleetCommandSpec<FleetRow>["run"]; table: (entries: VmEntry[], width: number) => string },
): Promise<void> {
  const input = fleetInputOf(targets);
  const run = await collectFleet(rt, command, { label: read.label, input, shard: options.shard, concurrency: options.concurrency, run: read.run });
  if (reportEmpty(rt, out, input, options.shard, run.rows, run.aborted)) return;
  const entries = run.rows.filter((r) => r.status !== "failed").map((r) => r.json as VmEntry);
  out.result(entries, (_value, width) => read.table(entries, width));
  rt.stderr(failureLines(run.rows));
  finishFleet(rt, run);
  if (!run.aborted && run.rows.some((r) => r.status === "failed")) rt.exitCode = ExitCode.Failed;
}
