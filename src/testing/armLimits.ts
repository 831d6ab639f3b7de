/**
 * ARM's front door: reads, writes and deletes each have a token bucket per
 * subscription and calling principal. Every response to a request charged
 * here carries the bucket's remaining whole tokens.
 */
import type { Principal } from "./auth.js";
import type { ResolvedBudgets } from "./budgets.js";
import type { EmulatorClock } from "./clock.js";
import { errorResponse } from "./errors.js";
import type { ArmResponse } from "./response.js";
import type { StatsCounter } from "./stats.js";
import { createBucketSet, waitSeconds, type BucketSet } from "./tokenBucket.js";

/** ARM's three request categories. */
export type ArmCategory = "reads" | "writes" | "deletes";

/** GET (and HEAD) read, DELETE deletes, every other method writes. */
export function armCategoryOf(method: string): ArmCategory {
  if (method === "GET" || method === "HEAD") return "reads";
  return method === "DELETE" ? "deletes" : "writes";
}

const CATEGORIES = {
  reads: { budget: "armReads", word: "read" },
  writes: { budget: "armWrites", word: "write" },
  deletes: { budget: "armDeletes", word: "delete" },
} as const;

/** The verdict on one request: headers to send with its response, or the 429 to answer instead. */
export type ArmCharge = { headers: Record<string, string> } | { throttled: ArmResponse };

/** The front door's buckets. */
export interface ArmLimits {
  /** Charges one request of `method` to `subscription` by `principal`. */
  charge(subscription: string, principal: Principal, method: string): ArmCharge;
  clear(): void;
}

/** Creates the front door's buckets for the budgets in force. */
export function createArmLimits(budgets: ResolvedBudgets, clock: EmulatorClock, stats: StatsCounter): ArmLimits {
  const sets: Partial<Record<ArmCategory, BucketSet>> = {};
  for (const category of Object.keys(CATEGORIES) as ArmCategory[]) {
    const spec = budgets[CATEGORIES[category].budget];
    if (spec) sets[category] = createBucketSet(spec);
  }

  return {
    charge(subscription, principal, method) {
      const category = armCategoryOf(method);
      const buckets = sets[category];
      if (!buckets) return { headers: {} };
      const header = `x-ms-ratelimit-remaining-subscription-${category}`;
      const key = `${subscription.toLowerCase()}|${principal.objectId}`;
      const now = clock.now();
      if (!buckets.has(key, 1, now)) {
        stats.throttledBy(CATEGORIES[category].budget);
        const seconds = waitSeconds(buckets, key, 1, now);
        return {
          throttled: errorResponse(
            429,
            "SubscriptionRequestsThrottled",
            `Number of '${CATEGORIES[category].word}' requests for subscription '${subscription}' actor '${principal.objectId}' ` +
              `exceeded. Please try again after '${seconds}' seconds.`,
            undefined,
            { ...clock.retryAfter(seconds), [header]: "0" },
          ),
        };
      }
      buckets.take(key, 1, now);
      return { headers: { [header]: String(Math.floor(buckets.level(key, now) + 1e-9)) } };
    },
    clear() {
      for (const set of Object.values(sets)) set.clear();
    },
  };
}
