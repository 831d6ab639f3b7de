import { createQueue } from "./queue.js";

/** Runs tasks with at most `limit` at once. */
export interface ConcurrencyLimiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly limit: number;
  /** Tasks running now. */
  readonly active: number;
  /** The most tasks that ran at once. */
  readonly peak: number;
}

/** A semaphore with a first-come first-served, O(1) queue. */
export function createConcurrencyLimiter(limit: number): ConcurrencyLimiter {
  let active = 0;
  let peak = 0;
  const waiting = createQueue<() => void>();
  return {
    limit,
    get active() {
      return active;
    },
    get peak() {
      return peak;
    },
    async run(task) {
      if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      else active++;
      peak = Math.max(peak, active);
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        // The slot passes straight to the next task; otherwise it is freed.
        if (next) next();
        else active--;
      }
    },
  };
}
