/**
 * Token buckets, one per key, refilled continuously on emulator time. A bucket
 * starts full; a full bucket is not stored, so memory holds only the buckets
 * that something has drawn from recently.
 */
import type { TokenBucketSpec } from "./budgetTypes.js";

/** Buckets of one size and refill rate, keyed by string. */
export interface BucketSet {
  readonly spec: TokenBucketSpec;
  /** Tokens in `key`'s bucket at emulator time `now` (fractions included). */
  level(key: string, now: number): number;
  /** Whether `key`'s bucket holds `count` tokens (tolerating floating-point dust). */
  has(key: string, count: number, now: number): boolean;
  /** Removes `count` tokens from `key`'s bucket (the caller checked the level). */
  take(key: string, count: number, now: number): void;
  /** Emulator seconds until `key`'s bucket holds `count` tokens (0 when it does). */
  secondsUntil(key: string, count: number, now: number): number;
  /** Refills every bucket. */
  clear(): void;
}

/** Refill arithmetic in floating point may land a hair below a whole token. */
const EPSILON = 1e-9;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Whole emulator seconds until `key`'s bucket holds `count` tokens, at least 1: the wait a 429 asks for. */
export function waitSeconds(buckets: BucketSet, key: string, count: number, now: number): number {
  return Math.max(1, Math.ceil(buckets.secondsUntil(key, count, now) - EPSILON));
}

/** Creates a set of buckets of the given size and rate. */
export function createBucketSet(spec: TokenBucketSpec): BucketSet {
  const buckets = new Map<string, Bucket>();

  function level(key: string, now: number): number {
    const bucket = buckets.get(key);
    if (!bucket) return spec.bucket;
    const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
    const tokens = bucket.tokens + elapsedSeconds * spec.refillPerSecond;
    if (tokens >= spec.bucket) {
      buckets.delete(key);
      return spec.bucket;
    }
    bucket.tokens = tokens;
    bucket.updatedAt = Math.max(now, bucket.updatedAt);
    return tokens;
  }

  return {
    spec,
    level,
    has: (key, count, now) => level(key, now) + EPSILON >= count,
    take(key, count, now) {
      buckets.set(key, { tokens: level(key, now) - count, updatedAt: now });
    },
    secondsUntil(key, count, now) {
      const missing = count - level(key, now);
      return missing <= EPSILON ? 0 : missing / spec.refillPerSecond;
    },
    clear() {
      buckets.clear();
    },
  };
}
