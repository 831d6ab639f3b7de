/**
 * The migration off the deprecated MSI extension, over a fleet of VMs and
 * scale sets: inventory (from list pages), the per-resource task at the
 * fleet's pace and under its budgets (`runFleet`), its journal and resume,
 * and a report of one entry per resource that carries the extension.
 */
import { InvalidInputError, describeValue } from "../core/errors.js";
import type { VmIdentity } from "../core/identity.js";
import { type ListedMsiExtension, msiExtensionsIn } from "../core/msiExtension.js";
import type { RawArmRequest } from "../core/request.js";
import type { ComputeResourceKind } from "../core/resourceId.js";
import type { UpgradePolicyMode } from "../core/scaleSet.js";
import type { ArmConnection } from "../http/connection.js";
import { logger } from "../logger.js";
import type { MigrationOptions, MigrationProgress } from "../options.js";
import { fleetFingerprint } from "./journal.js";
import { readJournalStatuses } from "./journalStatuses.js";
import { type Candidate, type MigrationSource, inventory } from "./migrationInventory.js";
import { type MigrationEntry, MigrationSkip, type MigrationSkipCode, type MigrationTaskOutcome, migrationTask } from "./migrationTask.js";
import { type FleetResult, type FleetRunStats, type FleetStatus, errorJson } from "./results.js";
import { checkFleetOptions, runFleet } from "./runFleet.js";
import { checkShard, inShard } from "./shard.js";

export type { MigrationSelection, MigrationTarget } from "./migrationInventory.js";
export { migrationSource } from "./migrationInventory.js";
export type { MigrationSkipCode } from "./migrationTask.js";

/** How one resource of a migration ended. */
export type MigrationStatus = "removed" | "skipped" | "failed" | "unknown" | "planned";

/** One VM or scale set of a migration. Plain data (errors aside): `JSON.stringify` of the report writes it whole. */
export interface MigrationResult {
  /** The id as given, or as its list page showed it. */
  resourceId: string;
  /** Its position in the inventory, from 0. */
  index: number;
  /** A VM or a scale set. */
  kind: ComputeResourceKind;
  /** The MSI extension it carries (the first, when it lists several); undefined when an earlier run already removed it. */
  extension?: ListedMsiExtension;
  /** Its managed identities as read; undefined when it could not be read. */
  identity?: VmIdentity;
  /**
   * `removed`: the extension is gone (by this run, or by an earlier one the
   * journal shows); `skipped`: left as it is (see `reason`); `failed`:
   * nothing of this run's landed; `unknown`: a write was sent and its outcome
   * not seen (rerun with the same journal); `planned`: a dry run's.
   */
  status: MigrationStatus;
  /** Why it was skipped, failed or is unknown. */
  reason?: string;
  /** Why it was skipped, as a stable code. */
  reasonCode?: MigrationSkipCode;
  /** What the operator should know (instances still running the extension, a forced removal). */
  warnings: string[];
  /** Dry run: the exact requests it would send (each DELETE, and the `manualupgrade` of Manual scale sets when `upgradeInstances`). */
  requests?: RawArmRequest[];
  /** Scale sets: their upgrade policy. */
  upgradePolicy?: UpgradePolicyMode;
  /** Scale sets: instances that still run the extension and get its removal only from a manual upgrade. */
  instancesPending?: number;
  /** Scale sets: the instances upgraded (or, in a dry run, to be upgraded). */
  upgradedInstances?: string[];
  /** Why it failed, or why its outcome is unknown. */
  error?: Error;
  /** Set when the journal showed it done by an earlier run: nothing was sent for it. */
  fromJournal?: boolean;
  /** Set on a later entry naming the same resource: the earlier entry's id. */
  duplicateOf?: string;
  /** The correlation id shared by this resource's requests. */
  correlationId?: string;
  /** `x-ms-request-id` of this resource's responses, in order. */
  requestIds?: string[];
}

/** The figures of a migration. */
export interface MigrationStats {
  /** Resources in the report. */
  total: number;
  /** Of which `removed`, `skipped`, `failed`, `unknown` and (dry run) `planned`. */
  removed: number;
  /** See {@link MigrationStats.removed}. */
  skipped: number;
  /** See {@link MigrationStats.removed}. */
  failed: number;
  /** See {@link MigrationStats.removed}. */
  unknown: number;
  /** See {@link MigrationStats.removed}. */
  planned: number;
  /** Of which the journal showed done. */
  fromJournal: number;
  /** Resources the inventory looked at (those without the extension included). */
  inventoried: number;
  /** Of which carried no MSI extension (and are not in the report). */
  withoutExtension: number;
  /** Scale-set instances upgraded (a dry run: to be upgraded). */
  instancesUpgraded: number;
  /** Wall time, ms. */
  durationInMs: number;
  /** The fleet's own figures: requests, reads, writes, deletes, 429s and budgets. (Its `failed` counts skips too.) */
  fleet: FleetRunStats;
}

/**
 * One result per resource carrying the extension, in inventory order: an
 * array with `stats`; `results` is the same entries as a plain array;
 * `JSON.stringify` writes `{ results, stats }`, each error as its name,
 * message, code and status.
 */
export type MigrationReport = MigrationResult[] & {
  readonly stats: MigrationStats;
  readonly results: MigrationResult[];
  toJSON(): { results: MigrationResult[]; stats: MigrationStats };
};

const FLEET_NAME = "VmIdentityClient.fleet.migrateFromMsiExtension";

function checkBoolean(name: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== "boolean") {
    throw new InvalidInputError("InvalidOption", `Invalid ${name} ${describeValue(value)}: expected true or false.`, value);
  }
  return value === true;
}

/** Check the migration's options before any request; returns its own ones and the fleet's. */
function checkMigrationOptions(options: MigrationOptions) {
  if (options === null || typeof options !== "object") {
    throw new InvalidInputError("InvalidOption", `Invalid migration options ${describeValue(options)}: expected an object.`, options);
  }
  const { dryRun, force, upgradeInstances, onProgress, shard, ...fleetOptions } = options;
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw new InvalidInputError("InvalidOption", `Invalid onProgress ${describeValue(onProgress)}: expected a function.`, onProgress);
  }
  checkFleetOptions(fleetOptions);
  return {
    task: { dryRun: checkBoolean("dryRun", dryRun), force: checkBoolean("force", force), upgradeInstances: checkBoolean("upgradeInstances", upgradeInstances) },
    shard: shard === undefined ? undefined : checkShard(shard),
    onProgress,
    fleetOptions,
  };
}

/** The kind an id names, for an entry that could not be resolved. */
const kindOfId = (id: string): ComputeResourceKind => (/\/virtualMachineScaleSets\//i.test(id) ? "virtualMachineScaleSet" : "virtualMachine");

/** The fleet entry of a candidate; undefined for a resource with nothing to migrate (no extension, and unknown to the journal). */
function entryOf(candidate: Candidate, previous: ReadonlyMap<string, FleetStatus>): MigrationEntry | undefined {
  const { resourceId, ref, snapshot, error } = candidate;
  if (error || !ref || !snapshot) return { resourceId, error: error ?? new Error(`Invalid entry ${describeValue(resourceId)}.`), ...(ref ? { ref } : {}) };
  const extensions = msiExtensionsIn(snapshot.body);
  const before = previous.get(resourceId.toLowerCase());
  if (extensions.length === 0 && before === undefined) return undefined;
  // runFleet keys entries by subscription, group and name: a scale set's key is kept apart from a VM of the same name.
  const vm = ref.kind === "virtualMachine" ? ref : { ...ref, resourceGroup: `${ref.resourceGroup}/virtualMachineScaleSets` };
  return { resourceId, vm, snapshot, ref, extensions, ...(before === undefined ? {} : { previous: before }) };
}

/** The report's entry for one fleet result. */
function resultOf(fleet: FleetResult<MigrationTaskOutcome>, entry: MigrationEntry | undefined): MigrationResult {
  const { outcome, reason, reasonCode, warnings, requests, upgradePolicy, instancesPending, upgradedInstances } = fleet;
  const result: MigrationResult = {
    resourceId: fleet.resourceId,
    index: fleet.index,
    kind: entry?.ref?.kind ?? kindOfId(fleet.resourceId),
    status: "failed",
    warnings: warnings ?? [],
  };
  const extension = entry?.extensions?.[0];
  if (extension) result.extension = extension;
  if (entry?.snapshot) result.identity = entry.snapshot.identity;
  const error = fleet.error;
  if (fleet.fromJournal) {
    result.fromJournal = true;
    result.status = fleet.status === "changed" ? "removed" : "skipped";
    if (result.status === "skipped") Object.assign(result, { reasonCode: "DoneEarlier", reason: "The journal shows it done by an earlier run." });
  } else if (error instanceof MigrationSkip) {
    Object.assign(result, { status: "skipped", reasonCode: error.code, reason: error.message });
  } else if (fleet.status === "failed" || fleet.status === "unknown") {
    result.status = fleet.status;
    if (error) Object.assign(result, { error, reason: error.message });
  } else {
    result.status = outcome ?? (fleet.status === "changed" ? "removed" : "skipped");
    if (reason !== undefined) result.reason = reason;
    if (reasonCode !== undefined) result.reasonCode = reasonCode;
  }
  if (requests !== undefined) result.requests = requests;
  if (upgradePolicy !== undefined) Object.assign(result, { upgradePolicy, instancesPending, upgradedInstances });
  if (fleet.duplicateOf !== undefined) result.duplicateOf = fleet.duplicateOf;
  if (fleet.correlationId !== undefined) result.correlationId = fleet.correlationId;
  if (fleet.requestIds !== undefined) result.requestIds = fleet.requestIds;
  return result;
}

function reportOf(results: MigrationResult[], stats: MigrationStats): MigrationReport {
  const plain = (): MigrationResult[] => Array.from(results);
  Object.defineProperty(results, "stats", { value: stats, enumerable: true });
  Object.defineProperty(results, "results", { get: plain, enumerable: false });
  const json = () => results.map((r) => (r.error ? ({ ...r, error: errorJson(r.error) } as unknown as MigrationResult) : r));
  Object.defineProperty(results, "toJSON", { value: () => ({ results: json(), stats }), enumerable: false });
  return results as MigrationReport;
}

/**
 * Run a migration over `source`. A `journal` makes it resumable: each
 * resource's outcome is appended as it ends, and a rerun skips those done,
 * looks again at those skipped or failed, and finishes those an interrupted
 * run left halfway (a Manual scale set whose extension is gone from the
 * model but whose instances were not upgraded yet is found again through the
 * journal, as its list entry no longer shows the extension). A dry run
 * reads the journal, writes none, and sends no write.
 */
export async function migrateFromMsiExtension(connection: ArmConnection, source: MigrationSource, options: MigrationOptions = {}): Promise<MigrationReport> {
  const started = Date.now();
  const { task, shard, onProgress, fleetOptions } = checkMigrationOptions(options);
  const { journal, ...runOptions } = fleetOptions;
  // What the run does: a journal of a run with another upgradeInstances is another fleet's (JournalMismatch).
  const work = { upgradeInstances: task.upgradeInstances };
  const previous = journal === undefined ? new Map<string, FleetStatus>() : await readJournalStatuses(journal, FLEET_NAME, fleetFingerprint(FLEET_NAME, work));
  const keep = (resourceId: string): boolean => shard === undefined || inShard(resourceId, shard);
  const entries = new Map<number, MigrationEntry>();
  const counts = { inventoried: 0, withoutExtension: 0 };
  let yielded = 0;
  const entrySource = (fleet: Parameters<typeof inventory>[0]) => ({
    async *[Symbol.asyncIterator]() {
      for await (const candidate of inventory(fleet, source, keep)) {
        counts.inventoried++;
        const entry = entryOf(candidate, previous);
        if (!entry) {
          counts.withoutExtension++;
          continue;
        }
        entries.set(yielded++, entry);
        yield entry;
      }
    },
  });
  const run = runFleet(connection, { name: FLEET_NAME, work }, entrySource, migrationTask(task), {
    ...runOptions,
    ...(journal !== undefined && !task.dryRun ? { journal } : {}),
  });

  const results: MigrationResult[] = [];
  // A later entry naming a resource again reports what the earlier one did (runFleet works on it once).
  const byId = new Map<string, MigrationResult>();
  const progress: MigrationProgress = { total: 0, done: 0, removed: 0, skipped: 0, failed: 0, unknown: 0, planned: 0 };
  const stream = run.results();
  let fleetStats: FleetRunStats;
  for (;;) {
    const next = await stream.next();
    if (next.done) {
      fleetStats = next.value;
      break;
    }
    const { duplicateOf, index } = next.value;
    const earlier = duplicateOf === undefined ? undefined : byId.get(duplicateOf.toLowerCase());
    let result: MigrationResult;
    if (earlier && duplicateOf !== undefined) {
      const { fromJournal: _journal, correlationId: _correlation, requestIds: _requests, ...same } = earlier;
      result = { ...same, resourceId: next.value.resourceId, index, duplicateOf };
    } else {
      result = resultOf(next.value, entries.get(index));
      byId.set(result.resourceId.toLowerCase(), result);
    }
    entries.delete(index);
    results.push(result);
    progress[result.status]++;
    progress.done++;
    progress.total = yielded;
    if (onProgress) {
      const snapshot = { ...progress };
      Promise.resolve()
        .then(() => onProgress(snapshot))
        .catch((e: unknown) => logger.warning(`${FLEET_NAME}: onProgress failed: ${(e as Error)?.message ?? String(e)}`));
    }
  }
  results.sort((a, b) => a.index - b.index);
  const stats: MigrationStats = {
    total: results.length,
    removed: progress.removed,
    skipped: progress.skipped,
    failed: progress.failed,
    unknown: progress.unknown,
    planned: progress.planned,
    fromJournal: results.filter((r) => r.fromJournal).length,
    ...counts,
    instancesUpgraded: results.reduce((n, r) => n + (r.upgradedInstances?.length ?? 0), 0),
    durationInMs: Date.now() - started,
    fleet: fleetStats,
  };
  return reportOf(results, stats);
}
