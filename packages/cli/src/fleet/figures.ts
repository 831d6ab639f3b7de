import type { FleetRunStats } from "azure-vm-identity";

/** The figures of a run on several VMs that its summary line shows, added up over its library fleets. */
export interface RunFigures {
  /** Every attempt of every request. */
  requests: number;
  /** 429s ARM answered (each retried). */
  throttled: number;
  /** Which budget each 429 was blamed on, e.g. `{ armWrites: 2 }`. */
  throttledBy: Record<string, number>;
  /** The most VMs in progress at once. */
  peakConcurrency: number;
  /** How the outcomes of writes were read back: VM reads, and list sweeps of how many pages. */
  confirmations: { vmReads: number; sweeps: number; sweepPages: number };
  /** VMs a journal showed done, skipped. */
  fromJournal: number;
  /** Entries that named a VM given before. */
  duplicates: number;
}

/** The figures of one library fleet. */
export function figuresOf(stats: FleetRunStats): RunFigures {
  return {
    requests: stats.requests,
    throttled: stats.throttled,
    throttledBy: { ...stats.throttledBy },
    peakConcurrency: stats.peakConcurrency,
    confirmations: { vmReads: stats.confirmations?.vmReads ?? 0, sweeps: stats.confirmations?.sweeps ?? 0, sweepPages: stats.confirmations?.sweepPages ?? 0 },
    fromJournal: stats.fromJournal,
    duplicates: stats.duplicates,
  };
}

/**
 * Two runs' figures added up. `together`: they ran at the same time (their
 * peaks add up), else one after the other (the higher peak).
 */
export function addFigures(a: RunFigures | undefined, b: RunFigures | undefined, together: boolean): RunFigures | undefined {
  if (!a || !b) return a ?? b;
  const throttledBy = { ...a.throttledBy };
  for (const [budget, n] of Object.entries(b.throttledBy)) throttledBy[budget] = (throttledBy[budget] ?? 0) + n;
  return {
    requests: a.requests + b.requests,
    throttled: a.throttled + b.throttled,
    throttledBy,
    peakConcurrency: together ? a.peakConcurrency + b.peakConcurrency : Math.max(a.peakConcurrency, b.peakConcurrency),
    confirmations: {
      vmReads: a.confirmations.vmReads + b.confirmations.vmReads,
      sweeps: a.confirmations.sweeps + b.confirmations.sweeps,
      sweepPages: a.confirmations.sweepPages + b.confirmations.sweepPages,
    },
    fromJournal: a.fromJournal + b.fromJournal,
    duplicates: a.duplicates + b.duplicates,
  };
}
