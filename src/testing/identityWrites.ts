/**
 * The identity part of a PUT or PATCH, shared by VMs and scale sets: the
 * request's `identity` validated and merged (identitySemantics.ts), checked by
 * the resource kind's own rule, resolved into a stored identity (vmIdentity.ts),
 * and charged to managed identity's limits (identityLimits.ts).
 */
import type { EmulatorState } from "./context.js";
import { chargeIdentityWork } from "./identityLimits.js";
import { applyIdentityRequest, hasSystemAssigned, NO_IDENTITY, type IdentityUpdate } from "./identitySemantics.js";
import type { VmIdentityRecord } from "./store.js";
import { commitIdentity, identityStateOf, noIdentity } from "./vmIdentity.js";

/** A rule a resource kind adds over the shared ones (a Flexible scale set refuses a system identity). @throws ArmError */
export type IdentityRule = (update: IdentityUpdate) => void;

/** The outcome of a write's identity: the stored identity after it, and what changed. */
export interface IdentityWrite {
  identity: VmIdentityRecord;
  /** Undefined when the request left the identity alone (a PATCH without `identity`). */
  update: IdentityUpdate | undefined;
}

/** A PUT replaces the identity: an omitted (or null) `identity` means none. */
export function identityOfPut(
  current: VmIdentityRecord | undefined,
  requested: unknown,
  state: Pick<EmulatorState, "store" | "tenantId">,
  rule?: IdentityRule,
): IdentityWrite {
  const held = current ?? noIdentity();
  const update =
    requested === undefined || requested === null
      ? { state: NO_IDENTITY, addedIds: [] }
      : applyIdentityRequest(identityStateOf(held), requested, "PUT");
  rule?.(update);
  return { identity: commitIdentity(held, update, state), update };
}

/** A PATCH merges into the identity; without `identity` it stays as it is. */
export function identityOfPatch(
  current: VmIdentityRecord,
  requested: unknown,
  state: Pick<EmulatorState, "store" | "tenantId">,
  rule?: IdentityRule,
): IdentityWrite {
  if (requested === undefined) return { identity: current, update: undefined };
  const update = applyIdentityRequest(identityStateOf(current), requested, "PATCH");
  rule?.(update);
  return { identity: commitIdentity(current, update, state), update };
}

/**
 * Charges managed identity's limits for what `update` does to the identity it
 * replaces (`current`; undefined for a resource being created): enabling a
 * system identity creates one, each user-assigned identity added is assigned.
 * Returns the error the write's operation must end with, if the limits say so.
 *
 * @throws ArmError 429 `TooManyRequests` under `managedIdentityThrottling: "429"`.
 */
export function chargeIdentityUpdate(
  state: EmulatorState,
  current: VmIdentityRecord | undefined,
  update: IdentityUpdate | undefined,
): { code: string; message: string } | undefined {
  if (!update) return undefined;
  const creates = hasSystemAssigned(update.state.type) && !current?.system ? 1 : 0;
  return chargeIdentityWork(state, { creates, assigns: update.addedIds.length });
}
