import type { FakeArmRequest, FakeArmStats } from "./types.js";

const WRITE_METHODS = new Set(["PUT", "PATCH", "DELETE"]);

/** Whether the method changes state (and so is throttled as a write). */
export function isWrite(method: string): boolean {
  return WRITE_METHODS.has(method);
}

/** The record of every request received, and the stats derived from it. */
export interface RequestLog {
  readonly entries: readonly FakeArmRequest[];
  /** Appends a request; the returned entry is completed as it is answered. */
  record(entry: Omit<FakeArmRequest, "status" | "faulted">): FakeArmRequest;
  stats(): FakeArmStats;
  clear(): void;
}

/** Creates an empty request log. */
export function createRequestLog(): RequestLog {
  const entries: FakeArmRequest[] = [];

  return {
    entries,
    record(entry) {
      const full: FakeArmRequest = { ...entry, status: undefined, faulted: false };
      entries.push(full);
      return full;
    },
    stats() {
      const stats: FakeArmStats = {
        requests: entries.length,
        writes: 0,
        appliedWrites: 0,
        throttled: 0,
        conflicts: 0,
        preconditionFailed: 0,
        faulted: 0,
        byStatus: {},
      };
      for (const { method, status, faulted } of entries) {
        if (status !== undefined) stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
        if (isWrite(method)) stats.writes += 1;
        if (faulted) {
          stats.faulted += 1;
          continue;
        }
        if (isWrite(method) && status !== undefined && status >= 200 && status < 300) stats.appliedWrites += 1;
        if (status === 429) stats.throttled += 1;
        else if (status === 409) stats.conflicts += 1;
        else if (status === 412) stats.preconditionFailed += 1;
      }
      return stats;
    },
    clear() {
      // Emptied in place: `arm.requests` hands out this very array.
      entries.length = 0;
    },
  };
}
