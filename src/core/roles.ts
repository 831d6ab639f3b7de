/**
 * Roles, scopes and role assignments as the library names them: checking
 * what a caller gives to `grant()` before any request, the deterministic
 * name of an assignment, and reading assignments from ARM's JSON. Pure.
 */
import { InvalidInputError, describeValue } from "./errors.js";
import { nameBasedUuid } from "./nameBasedUuid.js";
import { asRecord } from "./record.js";
import { validateUserAssignedIdentityId } from "./resourceId.js";
import { isGuid, validateResourceGroupName, validateSubscriptionId } from "./validation.js";

/** What happens to the role assignments of a system identity being disabled: ARM keeps them (orphaned), or they are deleted first. */
export type RoleAssignmentsOnDisable = "keep" | "delete";

/** One role to grant to an identity, as given to `grant()`. */
export interface RoleGrant {
  /** A role name (`"Reader"`), a role definition GUID, or a full role definition id. */
  role: string;
  /** Where the role applies: a subscription, resource group or resource id. */
  scope: string;
  /**
   * The user-assigned identity (full resource id) that gets the role; absent:
   * the system-assigned identity. It must be one the change assigns or the
   * resource holds.
   */
  identity?: string;
}

/** The role assignment part of an identity change set. */
export interface AccessChanges {
  /** Roles to grant once the identity change is done, in order. */
  readonly grants: readonly RoleGrant[];
  /** What a disabled system identity's role assignments become. Default `"keep"` (ARM's behaviour), with a warning naming each. */
  readonly roleAssignments: RoleAssignmentsOnDisable;
}

/** No grants, and ARM's behaviour for role assignments of a disabled identity. */
export const NO_ACCESS_CHANGES: AccessChanges = Object.freeze({ grants: Object.freeze([]), roleAssignments: "keep" });

/** How a role was given. */
export type RoleRef = { kind: "name"; name: string } | { kind: "guid"; guid: string } | { kind: "id"; id: string };

/** A checked scope. */
export interface RoleScope {
  /** The scope as given, with a leading slash and no trailing one. */
  scope: string;
  /** Its path segments. */
  segments: string[];
  /** The subscription it lies in. */
  subscriptionId: string;
  /** What it names. */
  kind: "subscription" | "resourceGroup" | "resource";
}

const ROLE_DEFINITION_ID = /^(?:\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))?\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_ROLE_NAME = 512;

function invalidRole(value: unknown, why: string): InvalidInputError {
  return new InvalidInputError(
    "InvalidRole",
    `Invalid role ${describeValue(value)}: ${why}; expected a role name such as "Reader", a role definition GUID such as ` +
      `acdd72a7-3385-48ef-bd42-f606fba81ae7, or a role definition id such as ` +
      `/subscriptions/<GUID>/providers/Microsoft.Authorization/roleDefinitions/<GUID>.`,
    value,
  );
}

/** Parse a role as given: a full role definition id, a GUID, else a name. */
export function parseRole(value: unknown): RoleRef {
  if (typeof value !== "string") throw invalidRole(value, "not a string");
  if (value.trim() === "") throw invalidRole(value, "it is empty");
  if (isGuid(value)) return { kind: "guid", guid: value.toLowerCase() };
  if (value.startsWith("/")) {
    if (!ROLE_DEFINITION_ID.test(value)) throw invalidRole(value, "it starts with '/' but is not a role definition id");
    return { kind: "id", id: value };
  }
  if (value.length > MAX_ROLE_NAME) throw invalidRole(value, `a role name has at most ${MAX_ROLE_NAME} characters`);
  if (CONTROL.test(value)) throw invalidRole(value, "it holds control characters");
  if (value !== value.trim()) throw invalidRole(value, "it starts or ends with white space");
  return { kind: "name", name: value };
}

/** The GUID of a role definition id (either form), lower case; undefined for anything else. */
export function roleDefinitionGuid(roleDefinitionId: string): string | undefined {
  return ROLE_DEFINITION_ID.exec(roleDefinitionId)?.[2]?.toLowerCase();
}

/** The role definition id of a built-in or custom role's GUID, as seen from a subscription. */
export function roleDefinitionIdOf(subscriptionId: string, guid: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid.toLowerCase()}`;
}

const PROVIDER_NAMESPACE = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+$/;
const SEGMENT_FORBIDDEN = /[\s\u0000-\u001f\u007f?#%\\]/;

function invalidScope(value: unknown, why: string): InvalidInputError {
  return new InvalidInputError(
    "InvalidScope",
    `Invalid scope ${describeValue(value)}: ${why}; expected a subscription (/subscriptions/<GUID>), a resource group ` +
      `(/subscriptions/<GUID>/resourceGroups/<group>) or a resource id ` +
      `(/subscriptions/<GUID>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>).`,
    value,
  );
}

/**
 * Check a role assignment scope: a subscription, a resource group, or a
 * resource (of any depth, extension resources included) in one. A trailing
 * slash is dropped; anything else malformed is refused with code
 * `InvalidScope`, before any request.
 */
export function parseRoleScope(value: unknown): RoleScope {
  if (typeof value !== "string") throw invalidScope(value, "not a string");
  if (!value.startsWith("/")) throw invalidScope(value, "it does not start with '/'");
  const trimmed = value.length > 1 && value.endsWith("/") ? value.slice(0, -1) : value;
  const segments = trimmed.slice(1).split("/");
  if (segments.some((s) => s === "")) throw invalidScope(value, "it has an empty segment");
  const bad = segments.find((s) => s === "." || s === ".." || SEGMENT_FORBIDDEN.test(s));
  if (bad !== undefined) throw invalidScope(value, `the segment ${describeValue(bad)} is not allowed`);
  const [subs, subscriptionId, rgs, resourceGroup, ...rest] = segments;
  if (subs?.toLowerCase() !== "subscriptions" || subscriptionId === undefined) throw invalidScope(value, "it does not start with /subscriptions/<GUID>");
  try {
    validateSubscriptionId(subscriptionId);
  } catch {
    throw invalidScope(value, `the subscription ${describeValue(subscriptionId)} is not a GUID`);
  }
  const scope = `/${segments.join("/")}`;
  if (rgs === undefined) return { scope, segments, subscriptionId, kind: "subscription" };
  if (rgs.toLowerCase() !== "resourcegroups" || resourceGroup === undefined) throw invalidScope(value, "after the subscription comes /resourceGroups/<group>");
  try {
    validateResourceGroupName(resourceGroup);
  } catch {
    throw invalidScope(value, `the resource group ${describeValue(resourceGroup)} is not a valid name`);
  }
  if (rest.length === 0) return { scope, segments, subscriptionId, kind: "resourceGroup" };
  // One or more `providers/<namespace>/<type>/<name>[/<type>/<name>]...` groups.
  for (let i = 0; i < rest.length; ) {
    if (rest[i]!.toLowerCase() !== "providers" || !PROVIDER_NAMESPACE.test(rest[i + 1] ?? "")) {
      throw invalidScope(value, "below a resource group comes /providers/<Namespace.Provider>/<type>/<name>");
    }
    i += 2;
    let pairs = 0;
    while (i < rest.length && rest[i]!.toLowerCase() !== "providers") {
      if (rest[i + 1] === undefined) throw invalidScope(value, `the resource type ${describeValue(rest[i])} has no name after it`);
      i += 2;
      pairs++;
    }
    if (pairs === 0) throw invalidScope(value, "a provider namespace must be followed by a resource type and name");
  }
  return { scope, segments, subscriptionId, kind: "resource" };
}

/**
 * Check what `grant()` (or `revoke()`) was given: `{ role, scope, identity? }`.
 * Returns the grant with its scope as checked.
 */
export function validateRoleGrant(value: unknown, call: "grant" | "revoke" = "grant"): RoleGrant {
  const spec = asRecord(value);
  if (!spec) {
    const what = call === "grant" ? "grant" : "role to revoke";
    throw new InvalidInputError("InvalidRoleGrant", `Invalid ${what} ${describeValue(value)}: expected { role, scope${call === "grant" ? ", identity?" : ""} }.`, value);
  }
  parseRole(spec["role"]);
  const { scope } = parseRoleScope(spec["scope"]);
  const grant: RoleGrant = { role: spec["role"] as string, scope };
  if (spec["identity"] !== undefined) grant.identity = validateUserAssignedIdentityId(spec["identity"]);
  return grant;
}

/** Check the `roleAssignments` option of a disable: `"keep"` or `"delete"`. */
export function validateRoleAssignmentsOnDisable(value: unknown): RoleAssignmentsOnDisable {
  if (value === "keep" || value === "delete") return value;
  throw new InvalidInputError(
    "InvalidOption",
    `Invalid roleAssignments ${describeValue(value)}: expected "keep" (leave them, orphaned, as ARM does) or "delete" (delete them first).`,
    value,
  );
}

/** The namespace of the library's role assignment names: a fixed UUID, so that names are the same on every machine and in every version. */
export const ROLE_ASSIGNMENT_NAMESPACE = "5f16861d-8155-41ea-8cff-45fd64610c2b";

/**
 * The name of the role assignment of `roleDefinitionId` to `principalId` at
 * `scope`: a name-based UUID of the three (the scope without a trailing
 * slash, all lower case). A pure function: a retry, a replay or another run
 * sends the same name, so ARM never holds two assignments for one grant.
 */
export function roleAssignmentName(scope: string, principalId: string, roleDefinitionId: string): string {
  const normalised = scope.length > 1 && scope.endsWith("/") ? scope.slice(0, -1) : scope;
  return nameBasedUuid(ROLE_ASSIGNMENT_NAMESPACE, [normalised, principalId, roleDefinitionId].map((s) => s.toLowerCase()).join("\n"));
}

/** The id of a role assignment: `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
export function roleAssignmentId(scope: string, name: string): string {
  return `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
}

/**
 * The scope and name of a role assignment id, checked as a scope and a GUID
 * (so that no id read from a response can point a request elsewhere);
 * undefined for anything else.
 */
export function parseRoleAssignmentId(id: string): { scope: string; name: string } | undefined {
  const match = /^(.*)\/providers\/Microsoft\.Authorization\/roleAssignments\/([^/]+)$/i.exec(id);
  if (!match || !isGuid(match[2])) return undefined;
  try {
    return { scope: parseRoleScope(match[1]).scope, name: match[2]! };
  } catch {
    return undefined;
  }
}

/** A role assignment as ARM lists it. */
export interface RoleAssignmentInfo {
  /** Its full id: `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
  id: string;
  /** The assignment's name (a GUID). */
  name: string;
  /** Where the role applies. */
  scope: string;
  /** The principal it was made for (a disabled identity's principal no longer exists). */
  principalId: string;
  /** `ServicePrincipal`, `User`, ...; `Unknown` for some orphans. */
  principalType?: string;
  /** The role: `/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}`. */
  roleDefinitionId: string;
}

/** A role assignment the library granted, or found already granted. */
export interface GrantedRoleAssignment {
  /** Its full id. */
  id: string;
  /** The role as given to `grant()`. */
  role: string;
  /** Where the role applies, as given (without a trailing slash). */
  scope: string;
  /** The identity's principal the role was granted to. */
  principalId: string;
  /** The role definition the assignment names (a name looked up at the scope, a GUID in the scope's subscription, an id as given). */
  roleDefinitionId: string;
  /** `"system"`, or the user-assigned identity's resource id. */
  identity: string;
  /** True when this call created it; false when it was there already (under the same name or, per ARM's 409 `RoleAssignmentExists`, another). */
  created: boolean;
}

/** What `revoke()` did: whether it deleted an assignment, and which. */
export interface RoleRevocation {
  /** True when this call deleted the assignment; false when there was none to delete (or it was gone when the DELETE arrived). */
  revoked: boolean;
  /** The assignment deleted (present when `revoked`). */
  roleAssignment?: RoleAssignmentInfo;
}

/** Read a role assignment from ARM's JSON; undefined when it is not one. */
export function roleAssignmentInfo(body: unknown): RoleAssignmentInfo | undefined {
  const raw = asRecord(body);
  const props = asRecord(raw?.["properties"]);
  const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
  const id = str(raw?.["id"]);
  const principalId = str(props?.["principalId"]);
  const roleDefinitionId = str(props?.["roleDefinitionId"]);
  if (!id || !principalId || !roleDefinitionId) return undefined;
  const marker = "/providers/microsoft.authorization/roleassignments/";
  const at = id.toLowerCase().lastIndexOf(marker);
  const info: RoleAssignmentInfo = {
    id,
    name: str(raw?.["name"]) ?? id.slice(id.lastIndexOf("/") + 1),
    scope: str(props?.["scope"]) ?? (at > 0 ? id.slice(0, at) : "/"),
    principalId,
    roleDefinitionId,
  };
  const principalType = str(props?.["principalType"]);
  if (principalType) info.principalType = principalType;
  return info;
}

/** Two scopes name the same place: compared without case and without a trailing slash. */
export function sameScope(a: string, b: string): boolean {
  const norm = (s: string) => (s.length > 1 && s.endsWith("/") ? s.slice(0, -1) : s).toLowerCase();
  return norm(a) === norm(b);
}
