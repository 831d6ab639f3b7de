/**
 * The pure rules ARM applies to a VM's `identity` in a PUT or a PATCH: parsing
 * the type, validating the request, and merging it into the current state.
 * Nothing here knows about stored resources; existence of the user-assigned
 * identities is checked by the caller.
 */
import { invalidParameter } from "./errors.js";
import { isPlainObject } from "./json.js";
import { parseUaiResourceId } from "./resourceIds.js";
import type { IdentityType } from "./types.js";

/** The identity of a VM reduced to what a request can change. */
export interface IdentityState {
  type: IdentityType;
  /** Held user-assigned identity ids, in the casing first stored. */
  userAssignedIds: readonly string[];
}

/** The outcome of applying a request's identity to an {@link IdentityState}. */
export interface IdentityUpdate {
  state: IdentityState;
  /** Ids the VM did not hold before (compared case-insensitively). */
  addedIds: string[];
}

/** The state of a VM without identities. */
export const NO_IDENTITY: IdentityState = { type: "None", userAssignedIds: [] };

const TYPES: Record<string, IdentityType> = {
  none: "None",
  systemassigned: "SystemAssigned",
  userassigned: "UserAssigned",
  "systemassigned,userassigned": "SystemAssigned, UserAssigned",
};

/**
 * Parses an identity type as ARM does: case-insensitively, with or without the
 * space after the comma. Returns undefined for anything else.
 */
export function parseIdentityType(value: unknown): IdentityType | undefined {
  if (typeof value !== "string") return undefined;
  return TYPES[value.trim().toLowerCase().replace(/\s*,\s*/g, ",")];
}

/** Whether the type carries a system-assigned identity. */
export function hasSystemAssigned(type: IdentityType): boolean {
  return type === "SystemAssigned" || type === "SystemAssigned, UserAssigned";
}

/** Whether the type carries user-assigned identities. */
export function hasUserAssigned(type: IdentityType): boolean {
  return type === "UserAssigned" || type === "SystemAssigned, UserAssigned";
}

/**
 * Applies the `identity` of a request to the current state.
 *
 * PATCH merges: a missing `type` keeps the current one, a missing map keeps
 * the held ids, `{}` adds or keeps an id, `null` removes it, a `null` map
 * clears them all. PUT replaces: `type` is required and `null` values are
 * rejected. Either way the resulting type must describe what remains.
 *
 * @throws ArmError 400 `InvalidParameter` naming the problem.
 */
export function applyIdentityRequest(
  current: IdentityState,
  identity: unknown,
  method: "PUT" | "PATCH",
): IdentityUpdate {
  if (!isPlainObject(identity)) {
    throw invalidParameter(
      'The value of parameter identity is invalid: expected an object such as {"type":"SystemAssigned"}; ' +
        'send {"type":"None"} to remove all identities.',
      "identity",
    );
  }
  const type = resolveType(current, identity, method);
  const map = identity.userAssignedIdentities;
  const requested = map === undefined || map === null ? undefined : validateMap(map, type, method);

  let ids: string[];
  if (!hasUserAssigned(type) || map === null) ids = [];
  else if (requested === undefined) ids = method === "PATCH" ? [...current.userAssignedIds] : [];
  else ids = mergeIds(method === "PATCH" ? current.userAssignedIds : [], current.userAssignedIds, requested);

  if (hasUserAssigned(type) && ids.length === 0) {
    throw invalidParameter(
      `The identity type '${type}' requires at least one user-assigned identity, but the request leaves none. ` +
        "Use a type without UserAssigned to remove the last one.",
      "identity.userAssignedIdentities",
    );
  }
  const held = new Set(current.userAssignedIds.map((id) => id.toLowerCase()));
  return {
    state: { type, userAssignedIds: ids },
    addedIds: ids.filter((id) => !held.has(id.toLowerCase())),
  };
}

function resolveType(current: IdentityState, identity: Record<string, unknown>, method: "PUT" | "PATCH"): IdentityType {
  if (identity.type === undefined) {
    if (method === "PATCH") return current.type;
    throw invalidParameter("The parameter identity.type is required.", "identity.type");
  }
  const type = parseIdentityType(identity.type);
  if (type === undefined) {
    throw invalidParameter(
      `The value '${String(identity.type)}' of parameter identity.type is invalid. Allowed values are ` +
        "'None', 'SystemAssigned', 'UserAssigned' and 'SystemAssigned, UserAssigned'.",
      "identity.type",
    );
  }
  return type;
}

/** Validates a non-null map; returns its entries with `null` (remove) or `{}` (add/keep). */
function validateMap(
  map: unknown,
  type: IdentityType,
  method: "PUT" | "PATCH",
): Array<[id: string, remove: boolean]> {
  const target = "identity.userAssignedIdentities";
  if (!isPlainObject(map)) {
    throw invalidParameter("The value of parameter identity.userAssignedIdentities must be an object or null.", target);
  }
  if (!hasUserAssigned(type)) {
    throw invalidParameter(
      `The identityIds should not be provided if the type is '${type}'. ` +
        "Send userAssignedIdentities only with a type that includes UserAssigned, or null to remove them.",
      target,
    );
  }
  const entries = Object.entries(map);
  if (entries.length === 0) {
    throw invalidParameter(
      "The value of parameter identity.userAssignedIdentities must not be an empty object; send null to remove all.",
      target,
    );
  }
  const seen = new Map<string, string>();
  return entries.map(([id, value]) => {
    const twin = seen.get(id.toLowerCase());
    if (twin !== undefined) {
      throw invalidParameter(
        `The user-assigned identities '${twin}' and '${id}' are the same resource: ids cannot be duplicated ` +
          "(they compare case-insensitively).",
        target,
      );
    }
    seen.set(id.toLowerCase(), id);
    if (!parseUaiResourceId(id)) {
      throw invalidParameter(
        `'${id}' is not a valid user-assigned identity id. Expected ` +
          "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}.",
        target,
      );
    }
    if (value === null) {
      if (method === "PUT") {
        throw invalidParameter(
          `The value of user-assigned identity '${id}' is null: null removes an identity only in a PATCH request.`,
          target,
        );
      }
      return [id, true];
    }
    // Read-only principalId/clientId echoed back from a GET are ignored, as ARM does.
    if (!isPlainObject(value)) {
      throw invalidParameter(`The value of user-assigned identity '${id}' must be {} or null.`, target);
    }
    return [id, false];
  });
}

/** Folds the requested entries over `start`, keeping the casing of ids already `known`. */
function mergeIds(
  start: readonly string[],
  known: readonly string[],
  requested: Array<[id: string, remove: boolean]>,
): string[] {
  const byKey = new Map(start.map((id) => [id.toLowerCase(), id]));
  const knownCasing = new Map(known.map((id) => [id.toLowerCase(), id]));
  for (const [id, remove] of requested) {
    const key = id.toLowerCase();
    if (remove) byKey.delete(key);
    else if (!byKey.has(key)) byKey.set(key, knownCasing.get(key) ?? id);
  }
  return [...byKey.values()];
}
