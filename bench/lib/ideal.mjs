// The ideal wall time of a fleet, from the budgets alone: every budget the
// fleet must spend N tokens of lets `bucket` through at once and the rest at
// `refillPerSecond`, so no client can finish before max over budgets of
// (N - bucket) / refill; the last VM's operation then still runs once.
import { AZURE_BUDGETS } from "../../dist/testing/index.js";

/** A budget's bucket and refill, per second, at the level a fleet of one subscription meets it. */
function level(name) {
  const spec = AZURE_BUDGETS[name];
  return spec.subscription ?? spec;
}

/**
 * Tokens a fleet must spend per subscription, by budget, for `vms` VMs of one
 * subscription: one write and one Compute UpdateVM per VM; a system identity
 * is one managed identity creation, a user-assigned identity one assignment;
 * the list pages that select them are reads and Compute HighCostGets.
 */
export function demand({ vms, change, pageSize = 1000 }) {
  const pages = Math.max(1, Math.ceil(vms / pageSize));
  return {
    armWrites: vms,
    computeUpdateVm: vms,
    [change === "system" ? "managedIdentityCreate" : "managedIdentityAssign"]: vms,
    armReads: pages,
    computeHighCostGet: pages,
  };
}

/**
 * The ideal, in emulator seconds, and the budget that sets it. Subscriptions
 * have budgets of their own (ARM's per subscription and principal), so a
 * fleet spread over several is bound by one subscription's share.
 */
export function idealSeconds({ vmsPerSubscription, change, operationSeconds }) {
  let binding = { name: "none", seconds: 0 };
  for (const [name, tokens] of Object.entries(demand({ vms: vmsPerSubscription, change }))) {
    const { bucket, refillPerSecond } = level(name);
    const seconds = Math.max(0, tokens - bucket) / refillPerSecond;
    if (seconds > binding.seconds) binding = { name, seconds, tokens, bucket, refillPerSecond };
  }
  return { seconds: binding.seconds + operationSeconds, binding };
}
