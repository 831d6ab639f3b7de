/** The longest wait of any backoff: 30 s. */
export const MAX_BACKOFF_IN_MS = 30_000;

/**
 * The `step`-th wait (from 0) of a jittered exponential backoff starting at
 * `baseInMs`: the base doubled each step up to {@link MAX_BACKOFF_IN_MS},
 * half of it fixed and half random, which spreads callers that failed at the
 * same moment.
 */
export function jitteredBackoffInMs(baseInMs: number, step: number): number {
  const exponential = Math.min(MAX_BACKOFF_IN_MS, baseInMs * 2 ** step);
  return exponential / 2 + Math.random() * (exponential / 2);
}
