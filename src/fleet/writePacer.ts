import { delay } from "@azure/core-util";
import type { AbortSignalLike } from "@azure/abort-controller";
import { isWriteMethod } from "../core/request.js";
import type { RequestGate } from "../http/requestFacts.js";
import { retryAfterInMs } from "../http/retryAfter.js";

/** Options of {@link createWritePacer}. */
export interface WritePacerOptions {
  /** Writes allowed in flight before ARM has said how many remain. Default 16. */
  initialBurst?: number;
  /** Writes to leave in ARM's bucket for other clients. Default 0. */
  reserve?: number;
  /** Called whenever ARM answers a write with 429. */
  onThrottled?: () => void;
  /** Called when a write response says fewer than `lowWatermark` writes remain. */
  onScarce?: () => void;
  /** Default 5. */
  lowWatermark?: number;
  /** `false`: only count writes and 429s, never wait (for fixed-concurrency runs). Default true. */
  pace?: boolean;
}

/** What the pacer has seen, for reports and benchmarks. */
export interface WritePacerStats {
  writes: number;
  throttled: number;
  /** Estimated refill rate of ARM's write bucket, per second; undefined until measured. */
  writesPerSecond?: number;
}

/**
 * Paces writes to ARM's per-subscription write limit, learned from the
 * `x-ms-ratelimit-remaining-subscription-writes` header and from 429s.
 */
export interface WritePacer {
  /** Wait until a write may be sent. Every acquire is followed by one `observe` or `release`. */
  acquire(abortSignal?: AbortSignalLike): Promise<void>;
  /** Record the response to a write. */
  observe(status: number, header: (name: string) => string | undefined): void;
  /** Record a write that got no response. */
  release(): void;
  readonly stats: WritePacerStats;
}

interface Sample {
  at: number;
  remaining: number;
  consumed: number;
}

const REMAINING = "x-ms-ratelimit-remaining-subscription-writes";
const WINDOW_MS = 3000;

/**
 * Create a pacer. ARM's write limit is a token bucket: the remaining-writes
 * header says how full it is, and its rise between responses (plus the writes
 * spent meanwhile) says how fast it refills. The pacer spends what remains,
 * then sends one write per refilled token, so a fleet runs at the limit
 * instead of into it. A 429 pauses every write for its Retry-After.
 */
export function createWritePacer(options: WritePacerOptions = {}): WritePacer {
  const initialBurst = options.initialBurst ?? 16;
  const reserve = options.reserve ?? 0;
  let tokens: number | undefined; // unknown until ARM reports it
  let lastRefill = Date.now();
  let perMs: number | undefined;
  let pausedUntil = 0;
  let inFlight = 0;
  const samples: Sample[] = [];
  let brim = 0; // the most remaining writes ARM has reported: its bucket size, less one
  const stats: WritePacerStats = { writes: 0, throttled: 0 };

  function refill(now: number): void {
    if (tokens !== undefined && perMs !== undefined) tokens += perMs * (now - lastRefill);
    lastRefill = now;
  }

  function learnRate(now: number): void {
    while (samples.length > 2 && samples[0]!.at < now - WINDOW_MS) samples.shift();
    // Between two responses ARM refilled what the header rose by, plus the write
    // it spent on the second. An interval that ends at the brim may have thrown
    // tokens away, so it is left out rather than under-counted.
    let refilled = 0;
    let elapsed = 0;
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1]!;
      const b = samples[i]!;
      if (b.remaining >= brim) continue;
      refilled += b.remaining - a.remaining + b.consumed;
      elapsed += b.at - a.at;
    }
    if (elapsed >= 100 && refilled > 0) {
      const measured = refilled / elapsed;
      perMs = perMs === undefined ? measured : 0.7 * perMs + 0.3 * measured;
      stats.writesPerSecond = perMs * 1000;
    }
  }


  return {
    stats,
    async acquire(abortSignal) {
      if (options.pace === false) {
        inFlight++;
        stats.writes++;
        return;
      }
      for (;;) {
        const now = Date.now();
        if (now < pausedUntil) {
          await delay(pausedUntil - now, { abortSignal });
          continue;
        }
        refill(now);
        const free = tokens === undefined ? initialBurst - inFlight : tokens - reserve;
        // With nothing in flight and no measured refill rate, no response will
        // ever refill the estimate: send one write as a probe.
        const probe = free < 1 && inFlight === 0 && perMs === undefined;
        if (free >= 1 || probe) {
          if (tokens !== undefined) tokens -= 1;
          inFlight++;
          stats.writes++;
          return;
        }
        // Wait for the next token; without a measured rate, probe gently.
        const wait = perMs && tokens !== undefined ? (1 + reserve - tokens) / perMs : 50;
        await delay(Math.min(1000, Math.max(2, Math.ceil(wait))), { abortSignal });
      }
    },
    observe(status, header) {
      inFlight = Math.max(0, inFlight - 1);
      const now = Date.now();
      refill(now);
      if (status === 429) {
        stats.throttled++;
        pausedUntil = Math.max(pausedUntil, now + (retryAfterInMs(header) ?? (perMs ? 1 / perMs : 1000)));
        tokens = 0;
        options.onThrottled?.();
      }
      const remaining = Number(header(REMAINING));
      if (header(REMAINING) !== undefined && Number.isFinite(remaining)) {
        brim = Math.max(brim, remaining);
        samples.push({ at: now, remaining, consumed: status >= 200 && status < 300 ? 1 : 0 });
        learnRate(now);
        // Writes still in flight will spend some of what ARM says is left.
        tokens = Math.max(0, remaining - inFlight);
        if (remaining < (options.lowWatermark ?? 5)) options.onScarce?.();
      }
    },
    release() {
      inFlight = Math.max(0, inFlight - 1);
    },
  };
}

/** The pacer as a request gate: it admits and hears every attempt of a write; reads pass straight through. */
export function writePacerGate(pacer: WritePacer): RequestGate {
  return {
    async admit(request) {
      if (isWriteMethod(request.method)) await pacer.acquire(request.abortSignal);
    },
    settle(request, response) {
      if (!isWriteMethod(request.method)) return;
      if (response) pacer.observe(response.status, (name) => response.headers.get(name));
      else pacer.release();
    },
  };
}
