/**
 * Resource Graph's user quota: a number of queries per calling principal in
 * each fixed window, reported in `x-ms-user-quota-remaining` and
 * `x-ms-user-quota-resets-after` (`hh:mm:ss`, real time).
 */
import type { ResolvedBudgets } from "./budgets.js";
import type { EmulatorClock } from "./clock.js";
import type { StatsCounter } from "./stats.js";

/** The verdict on one query. */
export type GraphCharge =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; headers: Record<string, string>; retryAfterSeconds: number };

/** Resource Graph's quota windows. */
export interface GraphLimits {
  /** Charges one query by the principal with `objectId`. */
  charge(objectId: string): GraphCharge;
  clear(): void;
}

/** `hh:mm:ss` of whole seconds. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** Creates the quota windows for the budgets in force. */
export function createGraphLimits(budgets: ResolvedBudgets, clock: EmulatorClock, stats: StatsCounter): GraphLimits {
  const quota = budgets.resourceGraph;
  const windows = new Map<string, { start: number; used: number }>();

  return {
    charge(objectId): GraphCharge {
      if (!quota) return { allowed: true, headers: {} };
      const now = clock.now();
      const windowMs = quota.windowSeconds * 1000;
      let window = windows.get(objectId);
      if (!window || now >= window.start + windowMs) {
        window = { start: now, used: 0 };
        windows.set(objectId, window);
      }
      const leftEmulatorSeconds = (window.start + windowMs - now) / 1000;
      const resetsAfter = formatDuration(clock.toRealMs(leftEmulatorSeconds * 1000) / 1000);
      if (window.used >= quota.queries) {
        stats.throttledBy("resourceGraph");
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil(leftEmulatorSeconds)),
          headers: { "x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": resetsAfter },
        };
      }
      window.used += 1;
      return {
        allowed: true,
        headers: { "x-ms-user-quota-remaining": String(quota.queries - window.used), "x-ms-user-quota-resets-after": resetsAfter },
      };
    },
    clear() {
      windows.clear();
    },
  };
}
