import { type IdentityResult, type IdentityType, type VmIdentity, parseUserAssignedIdentityId } from "azure-vm-identity";
import { cell, formatKeyValues, formatTable } from "./table.js";

/**
 * A VM's identity in ARM's own shape, as `az vm identity show` prints it:
 * `principalId` and `tenantId` of the system-assigned identity at the top,
 * `userAssignedIdentities` keyed by resource id. `{ "type": "None" }` when
 * the VM has none.
 */
export interface ArmIdentity {
  type: IdentityType;
  principalId?: string;
  tenantId?: string;
  userAssignedIdentities?: Record<string, { principalId?: string; clientId?: string }>;
}

/** The library's {@link VmIdentity} in ARM's shape. */
export function armIdentity(identity: VmIdentity): ArmIdentity {
  const out: ArmIdentity = { type: identity.type };
  if (identity.systemAssigned) {
    out.principalId = identity.systemAssigned.principalId;
    out.tenantId = identity.systemAssigned.tenantId;
  }
  if (identity.userAssigned.length > 0) {
    out.userAssignedIdentities = Object.fromEntries(
      identity.userAssigned.map((u) => [
        u.id,
        { ...(u.principalId ? { principalId: u.principalId } : {}), ...(u.clientId ? { clientId: u.clientId } : {}) },
      ]),
    );
  }
  return out;
}

/**
 * What `assign` and `remove` print as JSON: the fields `az vm identity
 * assign` prints (`systemAssignedIdentity`: the system-assigned principal id
 * or ""; `userAssignedIdentities`), the VM's whole identity in ARM's shape,
 * whether a write was made, and the request ids.
 */
export interface IdentityChangeJson {
  systemAssignedIdentity: string;
  userAssignedIdentities: NonNullable<ArmIdentity["userAssignedIdentities"]>;
  identity: ArmIdentity;
  changed: boolean;
  requestIds: string[];
}

/** An identity change's result as {@link IdentityChangeJson}. */
export function identityChangeJson(result: IdentityResult): IdentityChangeJson {
  const identity = armIdentity(result.identity);
  return {
    systemAssignedIdentity: identity.principalId ?? "",
    userAssignedIdentities: identity.userAssignedIdentities ?? {},
    identity,
    changed: result.changed,
    requestIds: result.requestIds,
  };
}

/** A user-assigned identity's name and resource group, from its id. */
function nameAndGroup(id: string): { name: string; resourceGroup: string } {
  try {
    return parseUserAssignedIdentityId(id);
  } catch {
    return { name: id, resourceGroup: "-" };
  }
}

/**
 * The identities of a VM for people: its type, then the system-assigned
 * identity and each user-assigned one with its principal and client id, each
 * on a line of its own so that ids are never cut.
 */
export function identityTable(identity: VmIdentity, width: number): string {
  if (identity.type === "None" || (!identity.systemAssigned && identity.userAssigned.length === 0)) {
    return `Type: ${identity.type} (no managed identity)\n`;
  }
  let out = `Type: ${identity.type}\n`;
  if (identity.systemAssigned) {
    out += "\nSystem-assigned identity\n";
    out += formatKeyValues(
      [
        ["Principal ID", cell(identity.systemAssigned.principalId)],
        ["Tenant ID", cell(identity.systemAssigned.tenantId)],
      ],
      { indent: "  ", width },
    );
  }
  for (const uai of identity.userAssigned) {
    const { name, resourceGroup } = nameAndGroup(uai.id);
    out += `\nUser-assigned identity ${name}\n`;
    out += formatKeyValues(
      [
        ["Resource group", resourceGroup],
        ["Principal ID", cell(uai.principalId)],
        ["Client ID", cell(uai.clientId)],
      ],
      { indent: "  ", width },
    );
  }
  return out;
}

/** The identities of several VMs (or scale sets: `first` names the column), one row each: name, resource group, type and user-assigned identities. */
export function identitiesTable(vms: readonly { name: string; resourceGroup: string; identity: VmIdentity }[], width: number, first = "VM"): string {
  return formatTable(
    [first, "RESOURCE GROUP", "TYPE", "USER-ASSIGNED"],
    vms.map(({ name, resourceGroup, identity }) => [
      name,
      resourceGroup,
      identity.type,
      identity.userAssigned.length > 0 ? identity.userAssigned.map((u) => nameAndGroup(u.id).name).join(", ") : "-",
    ]),
    { width },
  );
}

/** An identity change's outcome: whether a write was made, then the identity read back. `kind` names the resource (`VM`, `scale set`). */
export function identityResultTable(result: IdentityResult, width: number, kind = "VM"): string {
  const changed = result.changed ? "Changed." : `Nothing to change: the ${kind} already had this identity.`;
  return `${changed}\n${identityTable(result.identity, width)}`;
}

/** A one-line summary, e.g. `SystemAssigned, UserAssigned (2 user-assigned)`. */
export function identitySummary(identity: VmIdentity): string {
  const n = identity.userAssigned.length;
  return n > 0 ? `${identity.type} (${n} user-assigned)` : identity.type;
}
