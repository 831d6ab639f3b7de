/** The verdict of the throttle on one write. */
export type ThrottleVerdict =
  | { allowed: true; /** Whole tokens left after this write. */ remaining: number }
  | { allowed: false; /** Seconds until a token is available, at least 1. */ retryAfterSeconds: number };

/** A token bucket per subscription on writes. */
export interface Throttle {
  /** Replaces the limits (buckets start full again); undefined disables. */
  set(spec: { writesPerSecond: number; burst?: number } | undefined): void;
  /** Takes a token for a write to `subscription`; undefined when throttling is off. */
  take(subscription: string, now?: number): ThrottleVerdict | undefined;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Creates a throttle, disabled until {@link Throttle.set} is called. */
export function createThrottle(): Throttle {
  let limits: { rate: number; burst: number } | undefined;
  let buckets = new Map<string, Bucket>();

  return {
    set(spec) {
      if (spec === undefined || spec.writesPerSecond === Infinity) {
        limits = undefined;
      } else {
        const rate = spec.writesPerSecond;
        const burst = spec.burst ?? Math.max(1, Math.ceil(rate));
        if (!(rate > 0) || !Number.isFinite(burst) || burst < 1) {
          throw new RangeError(
            `Invalid throttle { writesPerSecond: ${rate}, burst: ${burst} }: ` +
              "writesPerSecond must be > 0 and burst a finite number >= 1.",
          );
        }
        limits = { rate, burst };
      }
      buckets = new Map();
    },

    take(subscription, now = Date.now()) {
      if (!limits) return undefined;
      const key = subscription.toLowerCase();
      const bucket = buckets.get(key) ?? { tokens: limits.burst, updatedAt: now };
      bucket.tokens = Math.min(limits.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * limits.rate);
      bucket.updatedAt = now;
      buckets.set(key, bucket);
      if (bucket.tokens < 1) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limits.rate)) };
      }
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    },
  };
}
