/**
 * The emulator's counters, kept as requests arrive and are answered (never
 * derived from the request log, which is a bounded window).
 */
import type { ThrottledByStats } from "./budgetTypes.js";
import type { FakeArmStats } from "./types.js";

const WRITE_METHODS = new Set(["PUT", "PATCH", "POST", "DELETE"]);

/** Whether the method changes state (PUT, PATCH, POST, DELETE). */
export function isWrite(method: string): boolean {
  return WRITE_METHODS.has(method);
}

/** How a request was answered, for the counters. */
export interface Answer {
  /** Undefined when the connection was reset or left hanging without a status. */
  status: number | undefined;
  /** An injected fault answered (or dropped) the request. */
  faulted: boolean;
  /** The emulator handled the request and changed state, but the response was lost. */
  responseLost?: boolean;
}

/** The counters and their updates. */
export interface StatsCounter {
  /** Counts a request on arrival. */
  received(method: string): void;
  /** Counts how a request was answered. */
  answered(method: string, answer: Answer): void;
  /** Counts a 429 (or a throttled operation) by the budget family that caused it. */
  throttledBy(family: keyof ThrottledByStats): void;
  /** A copy of the counters. */
  snapshot(): FakeArmStats;
  clear(): void;
}

function zeroThrottledBy(): ThrottledByStats {
  return {
    armReads: 0,
    armWrites: 0,
    armDeletes: 0,
    computeResource: 0,
    computeSubscription: 0,
    managedIdentity: 0,
    resourceGraph: 0,
  };
}

function zero(): FakeArmStats {
  return {
    requests: 0,
    reads: 0,
    writes: 0,
    deletes: 0,
    appliedWrites: 0,
    throttled: 0,
    conflicts: 0,
    preconditionFailed: 0,
    faulted: 0,
    byStatus: {},
    throttledBy: zeroThrottledBy(),
  };
}

/** Creates counters at zero. */
export function createStats(): StatsCounter {
  let stats = zero();
  return {
    received(method) {
      stats.requests += 1;
      if (method === "GET" || method === "HEAD") stats.reads += 1;
      if (isWrite(method)) stats.writes += 1;
      if (method === "DELETE") stats.deletes += 1;
    },
    answered(method, { status, faulted, responseLost }) {
      if (status !== undefined) stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      if (faulted) stats.faulted += 1;
      if (faulted && !responseLost) return;
      if (status === undefined) return;
      if (isWrite(method) && status >= 200 && status < 300) stats.appliedWrites += 1;
      if (status === 429) stats.throttled += 1;
      else if (status === 409) stats.conflicts += 1;
      else if (status === 412) stats.preconditionFailed += 1;
    },
    throttledBy(family) {
      stats.throttledBy[family] += 1;
    },
    snapshot: () => ({ ...stats, byStatus: { ...stats.byStatus }, throttledBy: { ...stats.throttledBy } }),
    clear() {
      stats = zero();
    },
  };
}
