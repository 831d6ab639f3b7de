/** Every budget the emulator enforces, made from the resolved budgets over one clock. */
import { createArmLimits, type ArmLimits } from "./armLimits.js";
import type { ResolvedBudgets } from "./budgets.js";
import type { EmulatorClock } from "./clock.js";
import { createComputeLimits, type ComputeLimits } from "./computeLimits.js";
import { createGraphLimits, type GraphLimits } from "./graphLimits.js";
import { createIdentityLimits, type IdentityLimits } from "./identityLimits.js";
import type { StatsCounter } from "./stats.js";

/** The emulator's budgets, by family. */
export interface Limits {
  readonly arm: ArmLimits;
  readonly compute: ComputeLimits;
  readonly identity: IdentityLimits;
  readonly graph: GraphLimits;
  /** Refills every bucket and forgets every window. */
  clear(): void;
}

/** Creates the budgets in force. */
export function createLimits(budgets: ResolvedBudgets, clock: EmulatorClock, stats: StatsCounter): Limits {
  const families = {
    arm: createArmLimits(budgets, clock, stats),
    compute: createComputeLimits(budgets, clock, stats),
    identity: createIdentityLimits(budgets, clock, stats),
    graph: createGraphLimits(budgets, clock, stats),
  };
  return {
    ...families,
    clear() {
      for (const family of Object.values(families)) family.clear();
    },
  };
}
