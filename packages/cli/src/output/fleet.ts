import { type RawArmRequest, isRestError, parseComputeResourceId } from "azure-vm-identity";
import type { RunFigures } from "../fleet/figures.js";
import { formatRequest } from "./requests.js";
import { formatTable } from "./table.js";

/** What happened to one VM; `unknown`: a write was sent but its outcome was not seen (an interrupted run). */
export type FleetStatus = "changed" | "unchanged" | "failed" | "unknown";

/** The statuses, in the order the summary counts them. */
export const FLEET_STATUSES: readonly FleetStatus[] = ["changed", "unchanged", "failed", "unknown"];

/** The outcome for one VM (or scale set) of a run on several, as the command prints it; `S` its statuses. */
export interface FleetRow<S extends string = FleetStatus> {
  resourceId: string;
  status: S;
  error?: Error;
  /** What the JSON output shows besides `resourceId`, `status` and `error`. */
  json: Record<string, unknown>;
  /** The RESULT cell of the table (not used for failures). */
  detail: string;
}

/** One VM of a dry run on several. */
export interface FleetDryRunRow extends FleetRow {
  /** What the VM is like now and would be after, e.g. `Identity now: None; after: SystemAssigned. ` */
  preamble: string;
  requests: RawArmRequest[];
}

/** How a failed VM's error is printed: ARM's code, message and status, never a stack. */
export interface ErrorJson {
  code: string;
  message: string;
  statusCode?: number;
  requestId?: string;
}

/** An error as {@link ErrorJson}: ARM's code (else the library's, else the error's name). */
export function errorJson(e: Error): ErrorJson {
  const code = (e as { code?: unknown }).code;
  const out: ErrorJson = { code: typeof code === "string" && code !== "" ? code : e.name, message: e.message };
  if (isRestError(e)) {
    if (e.statusCode !== undefined) out.statusCode = e.statusCode;
    const requestId = e.response?.headers.get("x-ms-request-id");
    if (requestId) out.requestId = requestId;
  }
  return out;
}

/** The JSON array: one object per VM, `{ resourceId, status, ..., error? }`. */
export function fleetJson(rows: readonly FleetRow[]): Record<string, unknown>[] {
  return rows.map((row) => ({
    resourceId: row.resourceId,
    status: row.status,
    ...(row.status === "failed" ? {} : row.json),
    ...(row.error ? { error: errorJson(row.error) } : {}),
  }));
}

/** The name and resource group of a VM or scale set (or one of their extensions) from its id; the id itself when it is none. */
export function nameAndGroup(resourceId: string): { name: string; resourceGroup: string } {
  try {
    return parseComputeResourceId(resourceId);
  } catch {
    return { name: resourceId, resourceGroup: "-" };
  }
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? "";
}

/** A failure in one line: the library's message, which names the request, ARM's code and the request id. */
export function failureText(e: Error | undefined): string {
  return e ? firstLine(e.message) : "failed";
}

/** The error code of a failed VM, for its table cell, e.g. `ResourceNotFound (404)`. */
export function failureCell(e: Error | undefined): string {
  if (!e) return "-";
  const { code, statusCode } = errorJson(e);
  return statusCode === undefined ? code : `${code} (${statusCode})`;
}

/**
 * The results as a table: one row per VM with its name, group, status, and
 * the outcome (identity type, extension) or the error code.
 */
export function fleetTable(rows: readonly FleetRow[], width: number): string {
  return formatTable(
    ["NAME", "RESOURCE GROUP", "STATUS", "RESULT"],
    rows.map((row) => {
      const { name, resourceGroup } = nameAndGroup(row.resourceId);
      return [name, resourceGroup, row.status, row.status === "failed" ? failureCell(row.error) : row.detail];
    }),
    { width },
  );
}

/** Why each failed VM failed, one line each, e.g. `error: vm-7: GET ... failed with 404 ResourceNotFound: ...`. */
export function failureLines(rows: readonly FleetRow<string>[]): string {
  return rows
    .filter((row) => row.status === "failed")
    .map((row) => `error: ${nameAndGroup(row.resourceId).name}: ${failureText(row.error)}\n`)
    .join("");
}

/** A dry run on several VMs as text: for each VM what it is like now and the request it would get. */
export function fleetDryRunText(rows: readonly FleetDryRunRow[]): string {
  const blocks = rows.map((row) => {
    const { name, resourceGroup } = nameAndGroup(row.resourceId);
    const head = `${name} (resource group ${resourceGroup}): `;
    if (row.status === "failed") return `${head}failed: ${failureCell(row.error)}: ${failureText(row.error)}\n`;
    if (row.requests.length === 0) return `${head}${row.preamble}Nothing would change, so no request would be sent.\n`;
    const count = row.requests.length === 1 ? "This request would be sent:" : `These ${row.requests.length} requests would be sent, in order:`;
    return `${head}${row.preamble}${count}\n\n` + row.requests.map((r) => formatRequest(r)).join("\n");
  });
  return "Dry run: nothing was sent.\n\n" + blocks.join("\n");
}

/** How the summary line is worded. */
export interface SummaryOptions {
  dryRun: boolean;
  /** The run's figures; absent for dry runs made VM by VM. */
  stats?: RunFigures;
  /** `--shard K/N`, when given. */
  shard?: string;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** `2 429s absorbed (armWrites 2, managedIdentity 1)`. */
export function throttledNote(stats: RunFigures): string {
  const by = Object.entries(stats.throttledBy).filter(([, n]) => n > 0);
  const head = `${plural(stats.throttled, "429")} absorbed`;
  return by.length > 0 ? `${head} (${by.map(([budget, n]) => `${budget} ${n}`).join(", ")})` : head;
}

/** `outcomes read by 1 list sweep of 2 pages and 3 VM reads`, or undefined when nothing was read back. */
function confirmationNote({ confirmations: c }: RunFigures): string | undefined {
  if (c.sweeps === 0 && c.vmReads === 0) return undefined;
  const parts = [
    ...(c.sweeps > 0 ? [`${plural(c.sweeps, "list sweep")} of ${plural(c.sweepPages, "page")}`] : []),
    ...(c.vmReads > 0 || c.sweeps === 0 ? [plural(c.vmReads, "VM read")] : []),
  ];
  return `outcomes read by ${parts.join(" and ")}`;
}

/**
 * One line, e.g.
 * `12 VMs: 10 changed, 1 unchanged, 1 failed, 0 unknown (31 requests; 3 429s absorbed (armWrites 3); outcomes read by 1 list sweep of 1 page; peak concurrency 12)`;
 * every status is counted, zeros included. A dry run says `would change`
 * and `(dry run: nothing was sent)`.
 */
export function summaryLine(rows: readonly FleetRow[], options: SummaryOptions): string {
  const count = (status: FleetStatus): number => rows.filter((r) => r.status === status).length;
  const counts = FLEET_STATUSES.map((status) =>
    status === "changed" && options.dryRun ? `${count(status)} would change` : `${count(status)} ${status}`,
  );
  const shard = options.shard !== undefined ? `shard ${options.shard}: ` : "";
  const head = `${shard}${plural(rows.length, "VM")}: ${counts.join(", ")}`;
  if (options.dryRun) return `${head} (dry run: nothing was sent)\n`;
  const notes: string[] = [];
  const stats = options.stats;
  if (stats) {
    notes.push(plural(stats.requests, "request"), throttledNote(stats));
    const confirmed = confirmationNote(stats);
    if (confirmed) notes.push(confirmed);
    if (stats.fromJournal > 0) notes.push(`${stats.fromJournal} done before, per the journal`);
    if (stats.duplicates > 0) notes.push(plural(stats.duplicates, "duplicate"));
    // The library reports the highest limit reached; no more VMs than there are can have run at once.
    notes.push(`peak concurrency ${Math.min(stats.peakConcurrency, rows.length)}`);
  }
  return notes.length > 0 ? `${head} (${notes.join("; ")})\n` : `${head}\n`;
}
