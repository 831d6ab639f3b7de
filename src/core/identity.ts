import { asRecord } from "./record.js";

/** The identity types ARM knows, in their canonical spelling. */
export type IdentityType = "None" | "SystemAssigned" | "UserAssigned" | "SystemAssigned, UserAssigned";

/** A user-assigned identity attached to a VM. */
export interface UserAssignedIdentityRef {
  /** The identity's full resource id, in the casing ARM holds. */
  id: string;
  /** Known once ARM has finished attaching the identity. */
  principalId?: string;
  /** Known once ARM has finished attaching the identity. */
  clientId?: string;
}

/** The managed identities of a virtual machine. */
export interface VmIdentity {
  /** The identity type, in its canonical spelling; `None` when the VM has no identity. */
  type: IdentityType;
  /** Present when the type includes `SystemAssigned` and ARM reported the principal. */
  systemAssigned?: { principalId: string; tenantId: string };
  /** The user-assigned identities, in the order ARM lists them; `[]` when none. */
  userAssigned: UserAssignedIdentityRef[];
}

/**
 * Whether `actual` is the identity `desired` describes: the same type and the
 * same user-assigned ids (compared case-insensitively; principals aside).
 */
export function holdsIdentity(actual: VmIdentity, desired: VmIdentity): boolean {
  if (actual.type !== desired.type) return false;
  const ids = (identity: VmIdentity) => new Set((hasUserAssigned(identity.type) ? identity.userAssigned : []).map((ref) => ref.id.toLowerCase()));
  const a = ids(actual);
  const d = ids(desired);
  return a.size === d.size && [...d].every((id) => a.has(id));
}

/** The canonical type for a combination of system and user-assigned identities. */
export function identityTypeOf(system: boolean, user: boolean): IdentityType {
  if (system && user) return "SystemAssigned, UserAssigned";
  if (system) return "SystemAssigned";
  if (user) return "UserAssigned";
  return "None";
}

/** Whether a type includes the system-assigned identity. */
export function hasSystemAssigned(type: IdentityType): boolean {
  return type === "SystemAssigned" || type === "SystemAssigned, UserAssigned";
}

/** Whether a type includes user-assigned identities. */
export function hasUserAssigned(type: IdentityType): boolean {
  return type === "UserAssigned" || type === "SystemAssigned, UserAssigned";
}

/**
 * Parse an identity type as ARM may spell it: any casing, with or without the
 * space after the comma. Returns undefined for anything else.
 */
export function parseIdentityType(value: unknown): IdentityType | undefined {
  if (typeof value !== "string") return undefined;
  switch (value.replace(/\s+/g, "").toLowerCase()) {
    case "none":
      return "None";
    case "systemassigned":
      return "SystemAssigned";
    case "userassigned":
      return "UserAssigned";
    case "systemassigned,userassigned":
      return "SystemAssigned, UserAssigned";
    default:
      return undefined;
  }
}


function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/**
 * Normalise the `identity` property of a VM as ARM returns it: an absent or
 * `None` identity becomes `{ type: "None", userAssigned: [] }`, the type gets
 * its canonical spelling, and the user-assigned map becomes a list.
 */
export function fromArmIdentity(armIdentity: unknown): VmIdentity {
  const raw = asRecord(armIdentity);
  if (!raw) return { type: "None", userAssigned: [] };
  const map = asRecord(raw["userAssignedIdentities"]) ?? {};
  const userAssigned: UserAssignedIdentityRef[] = Object.entries(map).map(([id, value]) => {
    const entry: UserAssignedIdentityRef = { id };
    const details = asRecord(value);
    const principalId = optionalString(details?.["principalId"]);
    const clientId = optionalString(details?.["clientId"]);
    if (principalId) entry.principalId = principalId;
    if (clientId) entry.clientId = clientId;
    return entry;
  });
  // An unknown or missing type is derived from what is there rather than trusted.
  const parsed = parseIdentityType(raw["type"]);
  const principalId = optionalString(raw["principalId"]);
  const type =
    parsed ?? identityTypeOf(principalId !== undefined, userAssigned.length > 0);
  const identity: VmIdentity = { type, userAssigned: hasUserAssigned(type) ? userAssigned : [] };
  const tenantId = optionalString(raw["tenantId"]);
  if (hasSystemAssigned(type) && principalId) {
    identity.systemAssigned = { principalId, tenantId: tenantId ?? "" };
  }
  return identity;
}
