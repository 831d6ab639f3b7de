/**
 * Compute's throttling policies: each policy has a token bucket per resource
 * and one per subscription, refilled per minute. A charged response carries
 * `x-ms-ratelimit-remaining-resource: Microsoft.Compute/<Policy>SubscriptionMaximum;<n>,Microsoft.Compute/<Policy>Resource;<n>`;
 * an empty bucket answers 429 `OperationNotAllowed` naming the policy.
 */
import type { ComputePolicyName } from "./budgetTypes.js";
import type { ResolvedBudgets } from "./budgets.js";
import type { EmulatorClock } from "./clock.js";
import type { EmulatorState, RouteRequest } from "./context.js";
import { ArmError } from "./errors.js";
import type { StatsCounter } from "./stats.js";
import { createBucketSet, waitSeconds, type BucketSet } from "./tokenBucket.js";

/** The header Compute reports its policies' remaining tokens in. */
export const REMAINING_RESOURCE = "x-ms-ratelimit-remaining-resource";

/**
 * Policy names as Compute reports them. PutVM, UpdateVM, LowCostGet and
 * GetOperation (with the order of their two levels) are as recorded from
 * Azure; HighCostGet and UpdateVMScaleSet follow the same pattern.
 */
const POLICIES: Record<ComputePolicyName, { name: string; resourceFirst: boolean }> = {
  computePutVm: { name: "PutVM", resourceFirst: false },
  computeUpdateVm: { name: "UpdateVM", resourceFirst: false },
  computeLowCostGet: { name: "LowCostGet", resourceFirst: false },
  computeHighCostGet: { name: "HighCostGet", resourceFirst: false },
  computeGetOperation: { name: "GetOperation", resourceFirst: true },
  computeUpdateVmss: { name: "UpdateVMScaleSet", resourceFirst: false },
};

interface Level {
  /** `<Policy>SubscriptionMaximum` or `<Policy>Resource`. */
  group: string;
  buckets: BucketSet;
  key: string;
  kind: "computeSubscription" | "computeResource";
}

/** Compute's buckets. */
export interface ComputeLimits {
  /**
   * Charges one request under `policy` to `subscription` and (when given) to
   * the resource `resourceId`. Returns the `x-ms-ratelimit-remaining-resource`
   * value, or undefined when the policy is off.
   *
   * @throws ArmError 429 `OperationNotAllowed` when a bucket is empty (nothing is taken then).
   */
  charge(policy: ComputePolicyName, subscription: string, resourceId: string | undefined): string | undefined;
  clear(): void;
}

/** Creates Compute's buckets for the budgets in force. */
export function createComputeLimits(budgets: ResolvedBudgets, clock: EmulatorClock, stats: StatsCounter): ComputeLimits {
  const sets = new Map<ComputePolicyName, { resource?: BucketSet; subscription?: BucketSet }>();
  for (const [policy, spec] of Object.entries(budgets.compute) as [ComputePolicyName, (typeof budgets.compute)[ComputePolicyName]][]) {
    if (!spec) continue;
    sets.set(policy, {
      ...(spec.resource && { resource: createBucketSet(spec.resource) }),
      ...(spec.subscription && { subscription: createBucketSet(spec.subscription) }),
    });
  }

  function levelsOf(policy: ComputePolicyName, subscription: string, resourceId: string | undefined): Level[] {
    const set = sets.get(policy);
    const { name, resourceFirst } = POLICIES[policy];
    const levels: Level[] = [];
    if (set?.subscription) {
      levels.push({ group: `${name}SubscriptionMaximum`, buckets: set.subscription, key: subscription.toLowerCase(), kind: "computeSubscription" });
    }
    if (set?.resource && resourceId !== undefined) {
      const level: Level = { group: `${name}Resource`, buckets: set.resource, key: resourceId.toLowerCase(), kind: "computeResource" };
      if (resourceFirst) levels.unshift(level);
      else levels.push(level);
    }
    return levels;
  }

  return {
    charge(policy, subscription, resourceId) {
      const levels = levelsOf(policy, subscription, resourceId);
      if (levels.length === 0) return undefined;
      const now = clock.now();
      const empty = levels.filter((l) => !l.buckets.has(l.key, 1, now));
      const remaining = () =>
        levels.map((l) => `Microsoft.Compute/${l.group};${Math.floor(l.buckets.level(l.key, now) + 1e-9)}`).join(",");
      if (empty.length === 0) {
        for (const l of levels) l.buckets.take(l.key, 1, now);
        return remaining();
      }
      // The per-resource bucket is named first when both are empty: it is the one a retry loop drains.
      const binding = empty.find((l) => l.kind === "computeResource") ?? (empty[0] as Level);
      stats.throttledBy(binding.kind);
      const seconds = Math.max(...empty.map((l) => waitSeconds(l.buckets, l.key, 1, now)));
      const scope = binding.kind === "computeResource" ? "this resource" : "this subscription";
      throw new ArmError(
        429,
        "OperationNotAllowed",
        `The server rejected the request because too many requests have been received for ${scope}.`,
        undefined,
        {
          headers: { ...clock.retryAfter(seconds), [REMAINING_RESOURCE]: remaining() },
          details: [
            {
              code: "TooManyRequests",
              target: binding.group,
              message: JSON.stringify({
                operationGroup: binding.group,
                startTime: new Date(now).toISOString(),
                endTime: new Date(now + seconds * 1000).toISOString(),
                allowedRequestCount: binding.buckets.spec.bucket,
              }),
            },
          ],
        },
      );
    },
    clear() {
      for (const set of sets.values()) {
        set.resource?.clear();
        set.subscription?.clear();
      }
    },
  };
}

/**
 * Charges a request to a Compute policy on behalf of a route handler: the
 * remaining-tokens header goes onto the request's response. For routes whose
 * policy the router does not charge by itself (e.g. scale-set writes under
 * `computeUpdateVmss`), call it first thing in the handler.
 *
 * @param resourceId the resource the policy's per-resource bucket belongs to (omit for subscription-only policies).
 * @throws ArmError 429 `OperationNotAllowed` when a bucket is empty.
 */
export function chargeCompute(
  state: EmulatorState,
  req: RouteRequest,
  policy: ComputePolicyName,
  resourceId?: string,
): void {
  const header = state.limits.compute.charge(policy, state.subscriptionId, resourceId);
  if (header !== undefined) req.responseHeaders[REMAINING_RESOURCE] = header;
}
