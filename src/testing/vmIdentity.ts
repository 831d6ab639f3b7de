/**
 * Turns a validated identity update into the VM's stored identity: resolves
 * the user-assigned identities and creates or discards the system principal.
 */
import { randomUUID } from "node:crypto";
import { ArmError } from "./errors.js";
import { hasSystemAssigned, type IdentityState, type IdentityUpdate } from "./identitySemantics.js";
import type { EmulatorState } from "./context.js";
import type { VmIdentityRecord } from "./store.js";

/** A VM with no identity. */
export function noIdentity(): VmIdentityRecord {
  return { type: "None", user: [] };
}

/** What a request can change about a stored identity. */
export function identityStateOf(record: VmIdentityRecord): IdentityState {
  return { type: record.type, userAssignedIds: record.user.map((u) => u.id) };
}

/**
 * The stored identity after `update`. A system identity that stays keeps its
 * principal; one enabled anew gets a new principal (ARM creates a new service
 * principal each time). Returns a new record and changes nothing.
 *
 * @throws ArmError 400 `InvalidIdentityValues` when an added id names no existing identity.
 */
export function commitIdentity(
  current: VmIdentityRecord,
  update: IdentityUpdate,
  { store, tenantId }: Pick<EmulatorState, "store" | "tenantId">,
): VmIdentityRecord {
  const held = new Map(current.user.map((entry) => [entry.id.toLowerCase(), entry]));
  const user = update.state.userAssignedIds.map((id) => {
    const kept = held.get(id.toLowerCase());
    if (kept) return kept;
    const uai = store.findUaiById(id);
    if (!uai) {
      throw new ArmError(
        400,
        "InvalidIdentityValues",
        `The user-assigned identity '${id}' was not found. Create it before assigning it to a virtual machine.`,
        "identity.userAssignedIdentities",
      );
    }
    return { id, principalId: uai.principalId, clientId: uai.clientId };
  });
  const system = hasSystemAssigned(update.state.type)
    ? (current.system ?? { principalId: randomUUID(), tenantId })
    : undefined;
  return system ? { type: update.state.type, system, user } : { type: update.state.type, user };
}
