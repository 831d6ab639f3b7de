import { createQueue } from "./queue.js";

/** Options of {@link createConcurrencyLimiter}. */
export interface ConcurrencyLimiterOptions {
  /** A fixed limit; when omitted the limit adapts between 1 and `max`. */
  fixed?: number;
  /** Where an adaptive limit starts. Default 8. */
  initial?: number;
  /** The largest adaptive limit. Default 64. */
  max?: number;
  /** At most one halving per this many ms, so one burst of 429s counts once. Default 1000. */
  backoffIntervalInMs?: number;
}

/** Runs tasks with a bounded number at once. */
export interface ConcurrencyLimiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** A task finished without being throttled: grow (adaptive only). */
  succeeded(): void;
  /** ARM throttled us: halve (adaptive only). */
  throttled(): void;
  /** ARM's write budget runs low: stop growing and ease off by a tenth (adaptive only). */
  scarce(): void;
  readonly limit: number;
  /** The most tasks that ran at once. */
  readonly peak: number;
}

/**
 * A limiter whose bound adapts like TCP's congestion window: it grows by one
 * per clean task (doubling each round) until the first 429, then by one per
 * round (additive increase), and halves on a 429 (multiplicative decrease), so
 * it settles just under what ARM accepts and grows back once throttling stops.
 */
export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions = {}): ConcurrencyLimiter {
  const adaptive = options.fixed === undefined;
  const max = options.fixed ?? options.max ?? 64;
  const backoffInterval = options.backoffIntervalInMs ?? 1000;
  let limit = options.fixed ?? Math.min(options.initial ?? 8, max);
  let peak = 0;
  let credit = 0;
  let lastBackoff = 0;
  let slowStart = true;
  let lastEase = 0;
  let active = 0;
  const waiting = createQueue<() => void>();

  function pump(): void {
    while (active < Math.floor(limit) && waiting.length > 0) {
      active++;
      peak = Math.max(peak, active);
      waiting.shift()!();
    }
  }

  return {
    get limit() {
      return Math.floor(limit);
    },
    get peak() {
      return peak;
    },
    async run(task) {
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        pump();
      });
      try {
        return await task();
      } finally {
        active--;
        pump();
      }
    },
    succeeded() {
      if (!adaptive || limit >= max) return;
      credit += 1;
      if (slowStart || credit >= Math.floor(limit)) {
        credit = 0;
        limit = Math.min(max, limit + 1);
        pump();
      }
    },
    scarce() {
      const now = Date.now();
      if (!adaptive) return;
      slowStart = false;
      credit = 0;
      if (now - lastEase < backoffInterval) return;
      lastEase = now;
      limit = Math.max(1, limit * 0.9);
    },
    throttled() {
      const now = Date.now();
      if (!adaptive || now - lastBackoff < backoffInterval) return;
      lastBackoff = now;
      slowStart = false;
      credit = 0;
      limit = Math.max(1, Math.floor(limit / 2));
    },
  };
}
