import { InvalidInputError, describeValue } from "./errors.js";
import {
  type IdentityType,
  type UserAssignedIdentityRef,
  type VmIdentity,
  hasUserAssigned,
  identityTypeOf,
  hasSystemAssigned,
  parseIdentityType,
} from "./identity.js";
import { validateUserAssignedIdentityId } from "./resourceId.js";

/** One step of an identity change. Steps fold in order over the current identity. */
export type IdentityChange =
  | { op: "enableSystemAssigned" }
  | { op: "disableSystemAssigned" }
  | { op: "assignUserAssigned"; ids: string[] }
  | { op: "removeUserAssigned"; ids: string[] }
  | { op: "removeAll" };

/** The `identity` object of a PATCH body, as sent to ARM. */
export interface IdentityPatchBody {
  /** The identity type the resource is to have, in its canonical spelling. */
  type: IdentityType;
  /** `{}` adds or keeps an id, `null` removes it; `null` for the whole map clears it. */
  userAssignedIdentities?: Record<string, Record<string, never> | null> | null;
}

/** What {@link planIdentityChange} returns. */
export interface IdentityChangePlan {
  /** The identity the VM will have once the change is applied. */
  desired: VmIdentity;
  /** The exact PATCH body to send; undefined when nothing would change. */
  patch?: { identity: IdentityPatchBody };
}

const key = (id: string): string => id.toLowerCase();

/** Accepts ids one by one, as arrays, or both. */
export function toIdList(ids: string | readonly string[]): string[] {
  if (typeof ids === "string") return [ids];
  if (!Array.isArray(ids)) {
    throw new InvalidInputError(
      "InvalidUserAssignedIdentityId",
      `Invalid user-assigned identity ids ${describeValue(ids)}: expected a resource id or an array of them.`,
      ids,
    );
  }
  return [...ids];
}

/**
 * A user-assigned change with every id validated, so that builders refuse a
 * malformed id when it is given, before any request.
 */
export function userAssignedChange(op: "assignUserAssigned" | "removeUserAssigned", ids: unknown): IdentityChange {
  return { op, ids: checkIds(op, ids) };
}

function checkIds(op: string, ids: unknown): string[] {
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new InvalidInputError(
      "InvalidIdentityChange",
      `Invalid ${op} change: expected a non-empty list of user-assigned identity ids, got ${describeValue(ids)}.`,
      ids,
    );
  }
  return ids.map((id) => validateUserAssignedIdentityId(id));
}

/**
 * The current identity with its type in canonical spelling. ARM's own spellings
 * (no space, any casing) are accepted; anything else is refused rather than
 * read as "nothing held", which would plan a PATCH that drops every identity.
 */
function canonicalCurrent(current: VmIdentity): VmIdentity {
  const type = parseIdentityType((current as Partial<VmIdentity> | null)?.type);
  if (!type || !Array.isArray(current.userAssigned)) {
    throw new InvalidInputError(
      "InvalidIdentityChange",
      `Invalid current identity ${describeValue(current)}: expected { type: "None" | "SystemAssigned" | "UserAssigned" | "SystemAssigned, UserAssigned", userAssigned: [...] } (see fromArmIdentity).`,
      current,
    );
  }
  return type === current.type ? current : { ...current, type };
}

/**
 * Compute the identity a VM should have after `changes`, and the minimal PATCH
 * body that gets it there from `current` under ARM's merge semantics
 * (docs/arm.md §3). Pure: no I/O, no clock.
 *
 * - The body holds only `identity`, with the canonical type spelling.
 * - The user-assigned map is sent only with a type that includes
 *   `UserAssigned`, and never empty: `{}` for added ids, `null` (in the casing
 *   ARM holds) for removed ones, `null` for the whole map when the last goes.
 * - Ids compare case-insensitively; an id ARM already holds keeps its casing.
 * - A change that leaves the identity as it is yields no patch.
 *
 * @throws InvalidInputError for a malformed change or id, and with code
 *   `IdentityNotAssigned` for removing an id the VM would not hold.
 */
export function planIdentityChange(current: VmIdentity, changes: readonly IdentityChange[]): IdentityChangePlan {
  if (!Array.isArray(changes)) {
    throw new InvalidInputError("InvalidIdentityChange", `Invalid change list ${describeValue(changes)}: expected an array.`, changes);
  }
  current = canonicalCurrent(current);
  let system = hasSystemAssigned(current.type);
  const users = new Map<string, UserAssignedIdentityRef>();
  for (const ref of hasUserAssigned(current.type) ? current.userAssigned : []) users.set(key(ref.id), ref);
  // What ARM holds: an id removed and assigned again in the same change list keeps ARM's casing and details.
  const held = new Map(users);

  for (const change of changes) {
    switch (change?.op) {
      case "enableSystemAssigned":
        system = true;
        break;
      case "disableSystemAssigned":
        system = false;
        break;
      case "removeAll":
        system = false;
        users.clear();
        break;
      case "assignUserAssigned":
        for (const id of checkIds(change.op, change.ids)) {
          if (!users.has(key(id))) users.set(key(id), held.get(key(id)) ?? { id });
        }
        break;
      case "removeUserAssigned": {
        const ids = checkIds(change.op, change.ids);
        const missing = ids.filter((id) => !users.has(key(id)));
        if (missing.length > 0) {
          throw new InvalidInputError(
            "IdentityNotAssigned",
            `Cannot remove ${missing.map((id) => `'${id}'`).join(", ")}: not assigned to the virtual machine.`,
            missing,
          );
        }
        for (const id of ids) users.delete(key(id));
        break;
      }
      default:
        throw new InvalidInputError(
          "InvalidIdentityChange",
          `Invalid identity change ${describeValue(change)}: expected op to be one of enableSystemAssigned, disableSystemAssigned, assignUserAssigned, removeUserAssigned, removeAll.`,
          change,
        );
    }
  }

  const type = identityTypeOf(system, users.size > 0);
  const desired: VmIdentity = { type, userAssigned: [...users.values()].map((ref) => ({ ...ref })) };
  if (system && current.systemAssigned && hasSystemAssigned(current.type)) {
    desired.systemAssigned = { ...current.systemAssigned };
  }
  const patch = patchBetween(current, desired);
  return patch ? { desired, patch: { identity: patch } } : { desired };
}

function patchBetween(current: VmIdentity, desired: VmIdentity): IdentityPatchBody | undefined {
  const held = new Map(
    (hasUserAssigned(current.type) ? current.userAssigned : []).map((ref) => [key(ref.id), ref.id] as const),
  );
  const wanted = new Set(desired.userAssigned.map((ref) => key(ref.id)));
  const added = desired.userAssigned.filter((ref) => !held.has(key(ref.id))).map((ref) => ref.id);
  const removed = [...held].filter(([k]) => !wanted.has(k)).map(([, id]) => id);
  if (current.type === desired.type && added.length === 0 && removed.length === 0) return undefined;

  const body: IdentityPatchBody = { type: desired.type };
  if (hasUserAssigned(desired.type)) {
    // Merge-PATCH keeps ids it is not told about, so name only the differences.
    if (added.length > 0 || removed.length > 0) {
      const map: Record<string, Record<string, never> | null> = {};
      for (const id of added) map[id] = {};
      for (const id of removed) map[id] = null;
      body.userAssignedIdentities = map;
    }
  } else if (held.size > 0 || desired.type === "None") {
    body.userAssignedIdentities = null;
  }
  return body;
}
