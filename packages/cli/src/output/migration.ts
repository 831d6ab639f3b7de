import type { ComputeResourceKind, MigrationResult, MigrationStatus } from "azure-vm-identity";
import type { RunFigures } from "../fleet/figures.js";
import { type FleetRow, errorJson, failureCell, failureText, nameAndGroup, throttledNote } from "./fleet.js";
import { armIdentity, identitySummary } from "./identity.js";
import { formatRequest } from "./requests.js";
import { formatTable } from "./table.js";

/**
 * The library's reasons and warnings name its options (`force`,
 * `upgradeInstances`); on the command line they are flags.
 */
export function asFlags(text: string): string {
  return text
    .replace(/\bpass force\b/g, "pass --force")
    .replace(/\(force\)/g, "(--force)")
    .replace(/\(upgradeInstances\)/g, "(--upgrade-instances)")
    .replace(/\bupgradeInstances\b/g, "--upgrade-instances");
}

/** One VM or scale set of a migration, as the command prints it. */
export interface MigrationRow extends FleetRow<MigrationStatus> {
  result: MigrationResult;
}

/** The statuses of a migration, in the order the summary counts them. */
const STATUSES: readonly MigrationStatus[] = ["removed", "skipped", "failed", "unknown"];

/** `VM` or `scale set`. */
export function kindLabel(kind: ComputeResourceKind): string {
  return kind === "virtualMachineScaleSet" ? "scale set" : "VM";
}

/** A migration result as a row (its JSON: the resource, what it carries, what happened and why). */
export function migrationRow(r: MigrationResult): MigrationRow {
  const json: Record<string, unknown> = {
    kind: r.kind,
    extension: r.extension ?? null,
    identity: r.identity ? armIdentity(r.identity) : null,
    ...(r.reasonCode !== undefined ? { reasonCode: r.reasonCode } : {}),
    ...(r.reason !== undefined && r.status !== "failed" && r.status !== "unknown" ? { reason: asFlags(r.reason) } : {}),
    warnings: r.warnings.map(asFlags),
    ...(r.upgradePolicy !== undefined
      ? { upgradePolicy: r.upgradePolicy, instancesPending: r.instancesPending ?? 0, upgradedInstances: r.upgradedInstances ?? [] }
      : {}),
    ...(r.requests !== undefined ? { requests: r.requests } : {}),
    ...(r.fromJournal ? { fromJournal: true } : {}),
    ...(r.duplicateOf !== undefined ? { duplicateOf: r.duplicateOf } : {}),
  };
  return { resourceId: r.resourceId, status: r.status, ...(r.error ? { error: r.error } : {}), json, detail: detailOf(r), result: r };
}

/** The RESULT cell: why it was skipped, what was upgraded or is pending, else the identity it keeps. */
function detailOf(r: MigrationResult): string {
  if (r.fromJournal) return "done before (journal)";
  if (r.status === "skipped") return r.reasonCode ?? "skipped";
  const parts = [r.identity ? `identity ${identitySummary(r.identity)}` : ""];
  if ((r.upgradedInstances?.length ?? 0) > 0) parts.push(`${r.upgradedInstances!.length} instances upgraded`);
  if ((r.instancesPending ?? 0) > 0) parts.push(`${r.instancesPending} instances pending`);
  return parts.filter((p) => p !== "").join("; ") || "-";
}

/** The JSON array: one object per resource, `{ resourceId, status, kind, ... , error? }`. */
export function migrationJson(rows: readonly MigrationRow[]): Record<string, unknown>[] {
  return rows.map((row) => ({ resourceId: row.resourceId, status: row.status, ...row.json, ...(row.error ? { error: errorJson(row.error) } : {}) }));
}

/** The results for people: one row per resource with its name, group, kind, status and outcome (or error code). */
export function migrationTable(rows: readonly MigrationRow[], width: number): string {
  return formatTable(
    ["NAME", "RESOURCE GROUP", "KIND", "STATUS", "RESULT"],
    rows.map((row) => {
      const { name, resourceGroup } = nameAndGroup(row.resourceId);
      return [name, resourceGroup, kindLabel(row.result.kind), row.status, row.status === "failed" || row.status === "unknown" ? failureCell(row.error) : row.detail];
    }),
    { width },
  );
}

/** What a resource carries: `ManagedIdentityExtensionForLinux (port 50342); identity SystemAssigned`. */
function carries(r: MigrationResult): string {
  const extension = r.extension ? `${r.extension.name}${r.extension.port !== undefined ? ` (port ${r.extension.port})` : ""}` : "the extension (gone already)";
  return `${extension}; identity ${r.identity ? identitySummary(r.identity) : "unknown"}`;
}

/** What a dry run would do to one resource, in a sentence. */
function plannedAction(r: MigrationResult): string {
  if (r.status === "skipped") return `Would be skipped: ${r.reasonCode ? `${r.reasonCode}: ` : ""}${asFlags(r.reason ?? "")}`.trimEnd();
  if (r.status === "failed") return `Failed: ${failureCell(r.error)}: ${failureText(r.error)}`;
  const upgrades = r.upgradedInstances?.length ?? 0;
  const pending = r.instancesPending ?? 0;
  const instances =
    upgrades > 0 ? ` and upgrade ${upgrades} instance${upgrades === 1 ? "" : "s"} (${r.upgradedInstances!.join(", ")})` : pending > 0 ? `; ${pending} instance${pending === 1 ? "" : "s"} would keep it until upgraded` : "";
  return `Would remove the extension${instances}.`;
}

/**
 * A migration's dry run as text: the inventory (each VM or scale set with its
 * extension, identities and upgrade policy), what would happen to each and
 * why, and the exact requests it would send.
 */
export function migrationDryRunText(rows: readonly MigrationRow[], counts: { inventoried: number; withoutExtension: number }): string {
  const head =
    `Dry run: nothing was sent. Inventory: ${rows.length} of the ${counts.inventoried} VMs and scale sets looked at carry the MSI extension ` +
    `(${counts.withoutExtension} ${counts.withoutExtension === 1 ? "does" : "do"} not, and ${counts.withoutExtension === 1 ? "is" : "are"} left out).\n`;
  const blocks = rows.map((row) => {
    const r = row.result;
    const { name, resourceGroup } = nameAndGroup(r.resourceId);
    const policy = r.upgradePolicy !== undefined ? `, upgrade policy ${r.upgradePolicy}` : "";
    const warnings = r.warnings.map((w) => `Warning: ${asFlags(w)} `).join("");
    const line = `${name} (${kindLabel(r.kind)}, resource group ${resourceGroup}${policy}): ${carries(r)}. ${plannedAction(r)} ${warnings}`;
    const requests = r.requests ?? [];
    if (requests.length === 0) return `${line.trimEnd()}\n`;
    const count = requests.length === 1 ? "This request would be sent:" : `These ${requests.length} requests would be sent, in order:`;
    return `${line}${count}\n\n${requests.map((q) => formatRequest(q)).join("\n")}`;
  });
  return [head, ...blocks].join("\n");
}

/** Options of {@link migrationSummary}. */
export interface MigrationSummaryOptions {
  dryRun: boolean;
  /** VMs and scale sets looked at, and of which carried no extension. */
  counts: { inventoried: number; withoutExtension: number; instancesUpgraded: number };
  /** The run's figures (absent when a group failed as a whole). */
  stats?: RunFigures;
  shard?: string;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/**
 * One line, e.g. `3 VMs and scale sets: 2 removed, 1 skipped, 0 failed, 0
 * unknown (5 looked at, 2 without the extension; 2 instances upgraded; 14
 * requests; 0 429s absorbed; peak concurrency 3)`. A dry run counts `would
 * be removed` and says nothing was sent.
 */
export function migrationSummary(rows: readonly MigrationRow[], options: MigrationSummaryOptions): string {
  const count = (status: MigrationStatus): number => rows.filter((r) => r.status === status).length;
  const shard = options.shard !== undefined ? `shard ${options.shard}: ` : "";
  const counts = options.dryRun
    ? [`${count("planned")} would be removed`, `${count("skipped")} skipped`, `${count("failed")} failed`]
    : STATUSES.map((status) => `${count(status)} ${status}`);
  const head = `${shard}${plural(rows.length, "VM or scale set", "VMs and scale sets")}: ${counts.join(", ")}`;
  const notes = [`${options.counts.inventoried} looked at, ${options.counts.withoutExtension} without the extension`];
  if (options.dryRun) return `${head} (dry run: nothing was sent; ${notes[0]})\n`;
  if (options.counts.instancesUpgraded > 0) notes.push(plural(options.counts.instancesUpgraded, "instance upgraded", "instances upgraded"));
  const stats = options.stats;
  if (stats) {
    notes.push(plural(stats.requests, "request"), throttledNote(stats));
    if (stats.fromJournal > 0) notes.push(`${stats.fromJournal} done before, per the journal`);
    if (stats.duplicates > 0) notes.push(plural(stats.duplicates, "duplicate"));
    notes.push(`peak concurrency ${Math.min(stats.peakConcurrency, Math.max(rows.length, 1))}`);
  }
  return `${head} (${notes.join("; ")})\n`;
}

/** Each resource's warnings, one line each: `warning: ss-1: 2 instances ...`. */
export function migrationWarnings(rows: readonly MigrationRow[]): string[] {
  return rows.flatMap((row) => row.result.warnings.map((w) => `warning: ${nameAndGroup(row.resourceId).name}: ${asFlags(w)}\n`));
}
