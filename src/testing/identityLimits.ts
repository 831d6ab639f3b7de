/**
 * Managed identity's limits: identities created (a system identity enabled,
 * a user-assigned identity created) and user-assigned identities assigned to
 * a resource, each a bucket per subscription. How Azure reports the limit on
 * a VM write is not known, so the emulator can answer the write 429, or
 * accept it and end its operation `Failed` (see `managedIdentityThrottling`).
 */
import type { ResolvedBudgets } from "./budgets.js";
import type { EmulatorClock } from "./clock.js";
import type { EmulatorState } from "./context.js";
import { ArmError } from "./errors.js";
import type { StatsCounter } from "./stats.js";
import { createBucketSet, waitSeconds, type BucketSet } from "./tokenBucket.js";

/** The code of a managed identity throttling error (a 429's, or a failed operation's). */
export const IDENTITY_THROTTLED_CODE = "TooManyRequests";

/** Why identity work was refused. */
export interface IdentityThrottle {
  /** Emulator seconds until the budget allows it. */
  retryAfterSeconds: number;
  message: string;
}

/** What a write does to identities. */
export interface IdentityWork {
  /** Identities created (0 or 1 system identity, or a new user-assigned identity). */
  creates: number;
  /** User-assigned identities newly assigned to the resource. */
  assigns: number;
}

/** Managed identity's buckets. */
export interface IdentityLimits {
  /** Takes the tokens for `work` from `subscription`'s buckets, or takes none and says why not. */
  charge(subscription: string, work: IdentityWork): IdentityThrottle | undefined;
  clear(): void;
}

/** Creates managed identity's buckets for the budgets in force. */
export function createIdentityLimits(budgets: ResolvedBudgets, clock: EmulatorClock, stats: StatsCounter): IdentityLimits {
  const create = budgets.managedIdentityCreate && createBucketSet(budgets.managedIdentityCreate);
  const assign = budgets.managedIdentityAssign && createBucketSet(budgets.managedIdentityAssign);

  return {
    charge(subscription, { creates, assigns }) {
      const key = subscription.toLowerCase();
      const now = clock.now();
      const needs: Array<[BucketSet, number, string]> = [];
      if (create && creates > 0) needs.push([create, creates, "identity creation"]);
      if (assign && assigns > 0) needs.push([assign, assigns, "identity assignment"]);
      const short = needs.find(([buckets, count]) => !buckets.has(key, Math.min(count, buckets.spec.bucket), now));
      if (short) {
        const [buckets, count, what] = short;
        stats.throttledBy("managedIdentity");
        const seconds = waitSeconds(buckets, key, Math.min(count, buckets.spec.bucket), now);
        return {
          retryAfterSeconds: seconds,
          message:
            `Request is temporarily throttled because subscription '${subscription}' has issued too many ${what} requests ` +
            `(at most ${buckets.spec.bucket}, refilled at ${buckets.spec.refillPerSecond} per second). Retry after ${seconds} seconds.`,
        };
      }
      for (const [buckets, count] of needs) buckets.take(key, count, now);
      return undefined;
    },
    clear() {
      create?.clear();
      assign?.clear();
    },
  };
}

/** The 429 for a refusal. */
function throttled(state: EmulatorState, throttle: IdentityThrottle): ArmError {
  return new ArmError(429, IDENTITY_THROTTLED_CODE, throttle.message, undefined, {
    headers: state.clock.retryAfter(throttle.retryAfterSeconds),
  });
}

/**
 * Charges a write's identity work. A synchronous write (a user-assigned
 * identity's PUT), or any write under `managedIdentityThrottling: "429"`, is
 * refused with a 429; under `"failedOperation"` the refusal is returned as the
 * error the write's operation ends with.
 *
 * @throws ArmError 429 `TooManyRequests` with `Retry-After`.
 */
export function chargeIdentityWork(
  state: EmulatorState,
  work: IdentityWork,
  { synchronous = false }: { synchronous?: boolean } = {},
): { code: string; message: string } | undefined {
  if (work.creates === 0 && work.assigns === 0) return undefined;
  const throttle = state.limits.identity.charge(state.subscriptionId, work);
  if (!throttle) return undefined;
  if (synchronous || state.config.managedIdentityThrottling === "429") throw throttled(state, throttle);
  return { code: IDENTITY_THROTTLED_CODE, message: throttle.message };
}
