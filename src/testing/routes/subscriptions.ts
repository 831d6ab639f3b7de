/** `GET /subscriptions` and `GET /subscriptions/{id}`: the subscriptions the emulator serves. */
import type { EmulatorState, RouteHandler } from "../context.js";
import { json } from "../response.js";

/** A subscription as ARM's subscriptions API returns it. */
export function renderSubscription(state: EmulatorState): Record<string, unknown> {
  const displayName = state.config.subscriptions.find((s) => s.id.toLowerCase() === state.subscriptionId.toLowerCase())?.displayName;
  return {
    id: `/subscriptions/${state.subscriptionId}`,
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: state.subscriptionId,
    tenantId: state.tenantId,
    displayName,
    state: "Enabled",
    subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
  };
}

/** Creates the subscription handlers: `get` answers the state's own subscription, `list` every one served. */
export function createSubscriptionRoutes(state: EmulatorState): { get: RouteHandler; list: RouteHandler } {
  return {
    get: () => json(renderSubscription(state)),
    list: () => json({ value: [...state.subscriptions.values()].map(renderSubscription) }),
  };
}
