/**
 * What the client knows of one of Azure's token buckets (ARM's reads,
 * writes or deletes, a Compute policy, managed identity's creations): how
 * many tokens it believes are left, how fast they come back, and whether a
 * 429 asked it to pause. Learned from the remaining-count headers ARM and
 * Compute send with every response, and from 429s.
 */
export interface Bucket {
  readonly name: string;
  /** Milliseconds until one more request may be admitted (0: now). */
  waitInMs(now: number): number;
  /** One request admitted: a token spent, one more in flight. */
  take(now: number): void;
  /** The admitted request got a response; `remaining` is what its headers reported for this bucket, if anything. */
  settle(now: number, remaining: number | undefined, throttledForMs?: number): void;
  /** The admitted request got no response. */
  release(): void;
  /** What the bucket has learned, for reports. */
  readonly state: BucketState;
}

/** What a {@link Bucket} has learned. */
export interface BucketState {
  /** Tokens believed left (undefined until a response reported them). */
  tokens?: number;
  /** The refill rate learned, per second. */
  refillPerSecond?: number;
  /** Requests admitted and not yet answered. */
  inFlight: number;
  /** The most tokens ever reported: the bucket's size, less one. */
  brim: number;
  /** 429s heard for this bucket. */
  throttled: number;
}

/** Options of {@link createBucket}. */
export interface BucketOptions {
  /** Requests let through before any response reported the bucket. Default 8. */
  initialBurst?: number;
  /** Tokens left alone for other clients. Default 0. */
  reserve?: number;
  /** A refill rate to assume until one is measured, per second; none by default (probe instead). */
  refillPerSecond?: number;
}

interface Sample {
  at: number;
  remaining: number;
}

const WINDOW_MS = 4000;
/** Without a measured rate, how often to look again while requests are in flight. */
const PROBE_INTERVAL_MS = 50;

/**
 * A bucket estimate. Its remaining-count reports say how full it is; their
 * rise between responses, plus the tokens spent meanwhile, says how fast it
 * refills. It spends what is left, then one token per refilled token, so a
 * fleet runs at the limit instead of into it. A 429 empties it and pauses it
 * for the Retry-After; for a bucket without remaining-count headers (managed
 * identity's), the Retry-After also says how long one token takes.
 */
export function createBucket(name: string, options: BucketOptions = {}): Bucket {
  const initialBurst = options.initialBurst ?? 8;
  const reserve = options.reserve ?? 0;
  let tokens: number | undefined;
  let perMs = options.refillPerSecond === undefined ? undefined : options.refillPerSecond / 1000;
  let measured = false;
  let lastRefill = 0;
  let pausedUntil = 0;
  let inFlight = 0;
  let brim = 0;
  let throttled = 0;
  let spentSinceSample = 0;
  const samples: Sample[] = [];
  // Since the last 429, for a bucket learned only from 429s: admissions that went through.
  let cleanSinceThrottle = 0;

  function refill(now: number): void {
    if (tokens !== undefined && perMs !== undefined && now > lastRefill) {
      const refilled = tokens + perMs * (now - lastRefill);
      // A bucket never holds more than its size (known once a report showed it).
      tokens = brim > 0 ? Math.min(refilled, Math.max(brim, tokens)) : refilled;
    }
    lastRefill = now;
  }

  function learn(now: number, remaining: number, spent: number): void {
    const previous = samples.at(-1);
    samples.push({ at: now, remaining });
    while (samples.length > 2 && samples[0]!.at < now - WINDOW_MS) samples.shift();
    if (!previous || remaining >= brim) return; // at the brim, refills may have been thrown away
    const elapsed = now - previous.at;
    const refilled = remaining - previous.remaining + spent;
    if (elapsed < 20 || refilled <= 0) return;
    const rate = refilled / elapsed;
    perMs = measured && perMs !== undefined ? 0.8 * perMs + 0.2 * rate : rate;
    measured = true;
  }

  return {
    name,
    get state(): BucketState {
      return {
        ...(tokens === undefined ? {} : { tokens }),
        ...(perMs === undefined ? {} : { refillPerSecond: perMs * 1000 }),
        inFlight,
        brim,
        throttled,
      };
    },
    waitInMs(now) {
      if (now < pausedUntil) return pausedUntil - now;
      refill(now);
      if (tokens === undefined) return inFlight < initialBurst ? 0 : PROBE_INTERVAL_MS;
      if (tokens - reserve >= 1) return 0;
      if (perMs !== undefined && perMs > 0) return Math.max(1, Math.ceil((1 + reserve - tokens) / perMs));
      // Nothing refills the estimate but a response: send one probe when nothing is in flight.
      return inFlight === 0 ? 0 : PROBE_INTERVAL_MS;
    },
    take(now) {
      refill(now);
      if (tokens !== undefined) tokens -= 1;
      inFlight++;
      spentSinceSample++;
    },
    settle(now, remaining, throttledForMs) {
      inFlight = Math.max(0, inFlight - 1);
      refill(now);
      if (throttledForMs !== undefined) {
        throttled++;
        pausedUntil = Math.max(pausedUntil, now + throttledForMs);
        tokens = 0;
        // No remaining-count header to learn from: one token takes about the Retry-After.
        if (!measured && throttledForMs > 0) perMs = Math.min(perMs ?? Infinity, 1 / throttledForMs);
        cleanSinceThrottle = 0;
        return;
      }
      if (remaining !== undefined && Number.isFinite(remaining)) {
        brim = Math.max(brim, remaining);
        learn(now, remaining, spentSinceSample);
        spentSinceSample = 0;
        // Requests still in flight will spend some of what ARM says is left.
        tokens = Math.max(0, remaining - inFlight);
      } else if (!measured && perMs !== undefined && ++cleanSinceThrottle >= 10) {
        // Learned only from 429s, whose whole seconds round up: creep back up while nothing is refused.
        perMs *= 1.1;
        cleanSinceThrottle = 0;
      }
    },
    release() {
      inFlight = Math.max(0, inFlight - 1);
    },
  };
}
