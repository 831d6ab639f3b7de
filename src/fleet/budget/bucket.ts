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
  /**
   * An operation that spent this bucket ended refused (a bucket no header
   * reports, whose refusals come as operations that end `Failed`): pause as a
   * 429 would, and from now on count a write as accepted only when its
   * operation ends well ({@link Bucket.succeeded}), not when ARM answers it.
   */
  refusedLate(now: number, throttledForMs: number): void;
  /** An operation that spent this bucket ended well: counted as accepted once {@link Bucket.refusedLate} was heard. */
  succeeded(now: number): void;
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
  /** Tokens taken since the bucket was made, when this was reported. */
  spent: number;
  /** Whether the report was at the bucket's brim (refills may have been thrown away before it). */
  full: boolean;
}

const WINDOW_MS = 4000;
/** The most requests in flight a bucket that no header reports ever lets through at once. */
const MAX_WINDOW = 1024;
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
  let lastAnswerAt = -Infinity;
  let window = initialBurst;
  let inFlight = 0;
  let brim = 0;
  let throttled = 0;
  let spentTotal = 0;
  const samples: Sample[] = [];
  // For a bucket without count headers: requests that went through since the last 429,
  // and whether the rate still doubles (until the second 429) rather than creeps.
  let acceptedSince = 0;
  let slowStart = true;
  /** When the last requests went through (a bucket without count headers), oldest first. */
  const accepted: number[] = [];
  // Whether refusals come as operations that end Failed: an answer then says nothing of acceptance.
  let refusesLate = false;
  // Then, when the writes whose operations have not ended yet were answered, oldest first: an
  // operation's end is matched to the oldest, so that the pace is learned from when writes went
  // through, not from when a sweep of the list happened to see many of them end at once.
  const answered: number[] = [];

  /** A request this bucket let through was accepted (a bucket without count headers): pace up. */
  function onAccepted(now: number): void {
    if (tokens === undefined) window = Math.min(window + 1, MAX_WINDOW);
    accepted.push(now);
    if (accepted.length > 30) accepted.shift();
    if (perMs !== undefined && ++acceptedSince >= 10) {
      // Refusals learned only when operations end come seconds late: creep up more slowly.
      perMs *= slowStart ? 2 : refusesLate ? 1.05 : 1.1;
      acceptedSince = 0;
    }
  }

  /** Pause for a refusal and learn from it. */
  function onThrottled(now: number, throttledForMs: number): void {
    throttled++;
    // 429s that arrive while a pause runs answer requests sent before it: one cut per pause.
    const fresh = now >= pausedUntil;
    pausedUntil = Math.max(pausedUntil, now + throttledForMs);
    tokens = 0;
    if (!measured && fresh) learnFromThrottling(throttledForMs);
  }

  function refill(now: number): void {
    if (tokens !== undefined && perMs !== undefined && now > lastRefill) {
      const refilled = tokens + perMs * (now - lastRefill);
      // A bucket never holds more than its size (known once a report showed it).
      tokens = brim > 0 ? Math.min(refilled, Math.max(brim, tokens)) : refilled;
    }
    lastRefill = now;
  }

  /**
   * The refill rate over the last few seconds: what the count rose by, plus
   * what was spent meanwhile, over the time between the first and the last
   * report. Requests in flight at either end are about as many, so they
   * cancel out. A window that touches the brim is left out: a full bucket
   * throws refills away.
   */
  function learn(now: number, remaining: number): void {
    samples.push({ at: now, remaining, spent: spentTotal, full: remaining >= brim });
    while (samples.length > 2 && samples[0]!.at < now - WINDOW_MS) samples.shift();
    let first = 0;
    for (let i = samples.length - 1; i >= 0; i--) {
      if (samples[i]!.full && i < samples.length - 1) {
        first = i + 1;
        break;
      }
    }
    const a = samples[first]!;
    const b = samples[samples.length - 1]!;
    if (b.full || b.at - a.at < 250) return;
    const refilled = b.remaining - a.remaining + (b.spent - a.spent);
    if (refilled <= 0) return;
    perMs = refilled / (b.at - a.at);
    measured = true;
  }

  /**
   * A bucket no header reports (managed identity's) is paced by its 429s.
   * While it refuses requests it is empty, so what went through just before
   * is its refill rate: each 429 sets the pace to that (the first, with too
   * little seen, to one token per Retry-After, which is surely allowed).
   * While nothing is refused the pace rises (doubling until the second 429,
   * then a tenth every ten requests), so it settles at the limit with few 429s.
   */
  function learnFromThrottling(retryAfterMs: number): void {
    const seen = accepted.length;
    const span = seen > 1 ? accepted[seen - 1]! - accepted[0]! : 0;
    if (seen >= 10 && span > 0) perMs = (seen - 1) / span;
    else if (perMs === undefined) perMs = retryAfterMs > 0 ? 1 / retryAfterMs : undefined;
    else perMs *= 0.8;
    if (seen >= 10) slowStart = false;
    acceptedSince = 0;
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
      // Unreported: a bucket that has never refused grows its window with every answer, as TCP's slow start does.
      if (tokens === undefined) return inFlight < window ? 0 : PROBE_INTERVAL_MS;
      if (tokens - reserve >= 1) return 0;
      if (perMs !== undefined && perMs > 0) return Math.max(1, Math.ceil((1 + reserve - tokens) / perMs));
      // Nothing refills the estimate but a response: probe, one request at a time, a little after the last answer.
      return inFlight === 0 ? Math.max(0, lastAnswerAt + PROBE_INTERVAL_MS - now) : PROBE_INTERVAL_MS;
    },
    take(now) {
      refill(now);
      if (tokens !== undefined) tokens -= 1;
      inFlight++;
      spentTotal++;
    },
    settle(now, remaining, throttledForMs) {
      inFlight = Math.max(0, inFlight - 1);
      lastAnswerAt = now;
      refill(now);
      if (throttledForMs !== undefined) {
        onThrottled(now, throttledForMs);
        return;
      }
      if (remaining !== undefined && Number.isFinite(remaining)) {
        brim = Math.max(brim, remaining);
        learn(now, remaining);
        // ARM reports whole tokens: the bucket holds between `remaining` and
        // `remaining + 1`. Keep the estimate's fraction if it lies in that
        // range, so that a bucket read at 0.9 is not waited out as if at 0.
        // Requests still in flight will spend some of what is left.
        const low = remaining - inFlight;
        tokens = Math.max(0, tokens !== undefined && tokens >= low && tokens < low + 1 ? tokens : low);
      } else if (!measured) {
        if (!refusesLate) onAccepted(now);
        else if (answered.push(now) > MAX_WINDOW) answered.shift();
      }
    },
    release() {
      inFlight = Math.max(0, inFlight - 1);
    },
    refusedLate(now, throttledForMs) {
      refusesLate = true;
      answered.shift();
      refill(now);
      onThrottled(now, throttledForMs);
    },
    succeeded(now) {
      if (refusesLate && !measured) onAccepted(answered.shift() ?? now);
    },
  };
}
