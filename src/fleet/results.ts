/** What a fleet reports: one result per entry of the selection, and the run's figures. */

/** How one entry of a fleet ended. */
export type FleetStatus = "changed" | "unchanged" | "failed" | "unknown";

/** The outcome for one entry, plus what the operation reports (`identity`, `extension`, `plan`). Never a rejection. */
export type FleetResult<E extends object = object> = {
  /** The VM's resource id exactly as given (for `{ resourceGroup, name }` entries, the id they name). */
  resourceId: string;
  /** The entry's position in the selection, from 0. */
  index: number;
  /**
   * `changed`: this run changed the VM; `unchanged`: nothing to do;
   * `failed`: nothing of this run's landed (see `error`); `unknown`: a write
   * was sent but its outcome was not seen (abort, deadline, a status that
   * could not be read): read the VM, or rerun with the same journal.
   */
  status: FleetStatus;
  /** The correlation id shared by this VM's requests. */
  correlationId?: string;
  /** `x-ms-request-id` of this VM's responses, in order. */
  requestIds?: string[];
  /** Why the VM failed, or why its outcome is unknown. */
  error?: Error;
  /** Set when a journal showed this VM done by an earlier run of the same fleet: nothing was sent for it. */
  fromJournal?: boolean;
  /** Set on a later entry naming the same VM as an earlier one (ids compare case-insensitively): the earlier entry's id as given. Its outcome is the earlier entry's; the VM was worked on once. */
  duplicateOf?: string;
} & Partial<E>;

/** The figures of a fleet run. Plain data: they survive `JSON.stringify`. */
export interface FleetRunStats {
  /** Entries of the selection, duplicates included. */
  total: number;
  /** Entries that ended `changed`: the VM was changed (for `plan()`: would be). */
  changed: number;
  /** Entries that ended `unchanged`: the VM needed no change. */
  unchanged: number;
  /** Entries that ended `failed`: nothing of this run's landed (see each result's `error`). */
  failed: number;
  /** Entries that ended `unknown`: a write was sent but its outcome was not seen. */
  unknown: number;
  /** Entries that named a VM already named earlier. */
  duplicates: number;
  /** Entries a journal showed done by an earlier run (nothing was sent for them). */
  fromJournal: number;
  /** Requests sent (each attempt counts). */
  requests: number;
  /** Of which reads (GET), by ARM's count (adaptive runs). */
  reads: number;
  /** Of which writes (PUT, PATCH, POST and DELETE). */
  writes: number;
  /** Of which deletes, by ARM's count (adaptive runs). */
  deletes: number;
  /** Of which Resource Graph queries (adaptive runs). */
  queries?: number;
  /** Responses with status 429. */
  throttled: number;
  /** The 429s by the budget they came from: `armReads`, `armWrites`, `armDeletes`, `computeSubscription`, `computeResource`, `managedIdentity`, `resourceGraph` (adaptive runs). */
  throttledBy: Record<string, number>;
  /** What the run learned of each budget, by subscription (remaining tokens, refill per second, 429s). */
  budgets?: Record<string, Record<string, { tokens?: number; refillPerSecond?: number; brim: number; throttled: number; inFlight: number }>>;
  /** How outcomes were read: reads of single VMs, and list sweeps with their pages. */
  confirmations?: { vmReads: number; sweeps: number; sweepPages: number };
  /** The most VMs worked on at once. */
  peakConcurrency: number;
  /** The refill rate of ARM's write budget the run measured, per second. */
  writesPerSecond?: number;
  /** Wall time of the run, ms. */
  durationInMs: number;
}

/**
 * One result per entry, in input order, with the run's figures in `stats`.
 * It is an array (index it, `filter` it, `length`), with `stats` as an
 * enumerable property; `results` is the same entries as a plain array, and
 * `JSON.stringify` writes an object of `results` and `stats` (each error as
 * its name, message, code and statusCode), so nothing is lost in JSON.
 */
export type FleetResults<E extends object = object> = FleetResult<E>[] & {
  readonly stats: FleetRunStats;
  readonly results: FleetResult<E>[];
  toJSON(): { results: FleetResult<E>[]; stats: FleetRunStats };
};

/** Make the array of results a {@link FleetResults}. */
export function fleetResults<E extends object>(results: FleetResult<E>[], stats: FleetRunStats): FleetResults<E> {
  const plain = (): FleetResult<E>[] => Array.from(results);
  Object.defineProperty(results, "stats", { value: stats, enumerable: true });
  Object.defineProperty(results, "results", { get: plain, enumerable: false });
  const json = (): FleetResult<E>[] => results.map((r) => (r.error ? ({ ...r, error: errorJson(r.error) } as unknown as FleetResult<E>) : r));
  Object.defineProperty(results, "toJSON", { value: () => ({ results: json(), stats }), enumerable: false });
  return results as FleetResults<E>;
}

/** An error as JSON writes it: `name`, `message`, `code`, `statusCode` (an `Error`'s own fields are not enumerable). */
export function errorJson(error: Error): Record<string, unknown> {
  const e = error as Error & { code?: unknown; statusCode?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(e.code === undefined ? {} : { code: e.code }),
    ...(e.statusCode === undefined ? {} : { statusCode: e.statusCode }),
  };
}
