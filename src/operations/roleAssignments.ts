/**
 * Role definitions and role assignments on the wire: a role name looked up
 * at its scope, a principal's assignments listed, a grant made under its
 * deterministic name (retried while a new principal replicates), an
 * assignment deleted. Each step that ARM refuses for lack of permission says
 * which permission it needs.
 */
import { isRestError, newRestError } from "../http/lazyDependencies.js";
import { InvalidInputError } from "../core/errors.js";
import { armRequest, type RawArmRequest } from "../core/request.js";
import {
  deleteRoleAssignmentRequest,
  getRoleAssignmentRequest,
  listRoleAssignmentsRequest,
  listRoleDefinitionsByNameRequest,
  putRoleAssignmentRequest,
} from "../core/roleRequests.js";
import {
  type GrantedRoleAssignment,
  type RoleAssignmentInfo,
  type RoleRef,
  type RoleRevocation,
  type RoleScope,
  parseRoleAssignmentId,
  roleAssignmentId,
  roleAssignmentInfo,
  roleAssignmentName,
  roleDefinitionGuid,
  roleDefinitionIdOf,
  sameScope,
} from "../core/roles.js";
import { asRecord } from "../core/record.js";
import type { ArmResponse, Operation, SendOptions } from "../http/operation.js";
import { armErrorOf, restErrorFromResponse } from "../http/restError.js";
import { logger } from "../logger.js";
import type { RoleAssignmentOptions } from "../options.js";
import { jitteredBackoffInMs } from "./backoff.js";

/** Default of {@link RoleAssignmentOptions.replicationRetryDelayInMs}. */
export const DEFAULT_REPLICATION_RETRY_DELAY_IN_MS = 2000;
/** Default of {@link RoleAssignmentOptions.replicationTimeoutInMs}: Azure says a new principal can take up to 10 minutes to be found everywhere. */
export const DEFAULT_REPLICATION_TIMEOUT_IN_MS = 600_000;

const WRITE_PERMISSION = "Microsoft.Authorization/roleAssignments/write (in Owner, User Access Administrator or Role Based Access Control Administrator)";
const READ_PERMISSION = "Microsoft.Authorization/roleAssignments/read (in Reader and every role above it)";
const DELETE_PERMISSION = "Microsoft.Authorization/roleAssignments/delete (in Owner, User Access Administrator or Role Based Access Control Administrator)";
const DEFINITIONS_PERMISSION = "Microsoft.Authorization/roleDefinitions/read (in Reader and every role above it)";

/** Send a request; a 403 says which permission the step needs, at which scope. */
async function sendNeeding(op: Operation, request: RawArmRequest, permission: string, scope: string, options?: SendOptions): Promise<ArmResponse> {
  try {
    return await op.send(request, options);
  } catch (e) {
    if (isRestError(e) && e.statusCode === 403) {
      e.message += ` This step needs ${permission} at ${scope} or above.`;
    }
    throw e;
  }
}

/** Every entry of a list, following `nextLink` on the operation's own origin only (the token goes with each page). */
async function listAll(op: Operation, first: RawArmRequest, permission: string, scope: string): Promise<unknown[]> {
  const origin = new URL(op.target.endpoint).origin;
  const entries: unknown[] = [];
  let request: RawArmRequest | undefined = first;
  while (request) {
    const page = await sendNeeding(op, request, permission, scope);
    const body = asRecord(page.body);
    if (Array.isArray(body?.["value"])) entries.push(...body["value"]);
    const next = body?.["nextLink"];
    request = undefined;
    if (typeof next === "string" && next !== "") {
      const url = new URL(next, origin);
      if (url.origin !== origin) {
        throw newRestError(`Refusing to follow the next page ${url.origin}${url.pathname}: it is not on ${origin}, where the list was sent`, { code: "UntrustedNextLink" });
      }
      request = armRequest("GET", url.href);
    }
  }
  return entries;
}

/**
 * The role definition id to grant: an id as given, a GUID as the scope's
 * subscription names it, a name looked up at the scope
 * (`$filter=roleName eq '<name>'`): exactly one match, else an
 * `InvalidInputError` (`RoleNotFound`, `AmbiguousRole`) naming the role and
 * the scope, before any write.
 */
export async function resolveRoleDefinitionId(op: Operation, role: RoleRef, scope: RoleScope): Promise<string> {
  if (role.kind === "id") return role.id;
  if (role.kind === "guid") return roleDefinitionIdOf(scope.subscriptionId, role.guid);
  const found = await listAll(op, listRoleDefinitionsByNameRequest(op.target, scope.scope, role.name), DEFINITIONS_PERMISSION, scope.scope);
  // ARM filters by name; matching again (without case) guards against a service that ignored the filter.
  const matches = found
    .map((entry) => asRecord(entry))
    .filter((entry) => String(asRecord(entry?.["properties"])?.["roleName"] ?? "").toLowerCase() === role.name.toLowerCase())
    .map((entry) => (typeof entry?.["id"] === "string" ? entry["id"] : roleDefinitionIdOf(scope.subscriptionId, String(entry?.["name"] ?? ""))));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new InvalidInputError(
      "RoleNotFound",
      `No role named "${role.name}" is assignable at scope ${scope.scope}: check the name (as the portal or 'az role definition list' shows it), or give the role definition GUID or id.`,
      role.name,
    );
  }
  throw new InvalidInputError(
    "AmbiguousRole",
    `${matches.length} roles named "${role.name}" are assignable at scope ${scope.scope} (${matches.join(", ")}): give the role definition GUID or id of the one meant.`,
    role.name,
  );
}

/** Every role assignment of `principalId` at, above and below `scope` (e.g. its subscription), page by page. */
export async function listRoleAssignments(op: Operation, scope: string, principalId: string): Promise<RoleAssignmentInfo[]> {
  const entries = await listAll(op, listRoleAssignmentsRequest(op.target, scope, principalId), READ_PERMISSION, scope);
  const out: RoleAssignmentInfo[] = [];
  for (const entry of entries) {
    const info = roleAssignmentInfo(entry);
    if (info) out.push(info);
    else logger.warning(`${op.name}: skipped an entry of the role assignment list of ${principalId} that is not a role assignment.`);
  }
  return out;
}

/** What a grant needs once the principal is known. */
export interface GrantSpec {
  /** The role as given, for the result. */
  role: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  /** `"system"` or the user-assigned identity's id. */
  identity: string;
  /**
   * The principal did not exist when the call started (a system identity it
   * enabled): no assignment can exist for it, so none is looked for.
   */
  principalIsNew: boolean;
}

/** The id of the assignment ARM's 409 `RoleAssignmentExists` refers to: the same role, principal and scope, under another name. */
async function existingAssignmentId(op: Operation, spec: GrantSpec): Promise<string | undefined> {
  const guid = roleDefinitionGuid(spec.roleDefinitionId);
  const held = await listRoleAssignments(op, spec.scope, spec.principalId);
  return held.find((a) => sameScope(a.scope, spec.scope) && roleDefinitionGuid(a.roleDefinitionId) === guid)?.id;
}

/**
 * Grant a role: `PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{name}`,
 * its name derived from (scope, principal, role) so that a retry, a replay
 * or a rerun cannot make a second assignment. A principal that existed
 * before the call is first looked up under that name (found: nothing is
 * written). 201 creates; 409 `RoleAssignmentExists` means the same grant
 * exists under another name: done. 400 `PrincipalNotFound` (a principal
 * still replicating) is retried with jittered, growing waits for
 * `replicationTimeoutInMs`, and never past the call's `timeoutInMs`.
 */
export async function grantRole(op: Operation, spec: GrantSpec, options: RoleAssignmentOptions = {}): Promise<GrantedRoleAssignment> {
  const name = roleAssignmentName(spec.scope, spec.principalId, spec.roleDefinitionId);
  const result = (id: string, created: boolean): GrantedRoleAssignment => ({
    id,
    role: spec.role,
    scope: spec.scope,
    principalId: spec.principalId,
    roleDefinitionId: spec.roleDefinitionId,
    identity: spec.identity,
    created,
  });
  const what = `role ${JSON.stringify(spec.role)} at ${spec.scope} for ${spec.identity === "system" ? "the system identity" : spec.identity} (principal ${spec.principalId})`;
  if (!spec.principalIsNew) {
    const found = await sendNeeding(op, getRoleAssignmentRequest(op.target, spec.scope, name), READ_PERMISSION, spec.scope, { accept: [404] });
    if (found.status < 300) {
      logger.info(`${op.name}: ${what} is already granted.`);
      return result(roleAssignmentInfo(found.body)?.id ?? roleAssignmentId(spec.scope, name), false);
    }
  }
  const request = putRoleAssignmentRequest(op.target, spec.scope, name, spec.roleDefinitionId, spec.principalId);
  const baseDelay = options.replicationRetryDelayInMs ?? DEFAULT_REPLICATION_RETRY_DELAY_IN_MS;
  const limit = options.replicationTimeoutInMs ?? DEFAULT_REPLICATION_TIMEOUT_IN_MS;
  const started = Date.now();
  for (let retries = 0; ; retries++) {
    const response = await sendNeeding(op, request, WRITE_PERMISSION, spec.scope, { accept: [400, 409] });
    if (response.status < 300) {
      // 201 made it. 200 repeats one already there (a concurrent grant), unless an unanswered attempt of this call made it.
      const created = spec.principalIsNew || response.status !== 200 || response.unansweredAttempts > 0;
      logger.info(`${op.name}: granted ${what}${created ? "" : " (it was there already)"}.`);
      return result(roleAssignmentInfo(response.body)?.id ?? roleAssignmentId(spec.scope, name), created);
    }
    const code = armErrorOf(response.body)?.code;
    if (response.status === 409 && code === "RoleAssignmentExists") {
      logger.info(`${op.name}: ${what} is already granted under another name.`);
      const id = await existingAssignmentId(op, spec);
      if (!id) logger.warning(`${op.name}: ARM says ${what} exists, but its list does not show it yet; reporting the id this call asked for.`);
      return result(id ?? roleAssignmentId(spec.scope, name), false);
    }
    if (response.status === 400 && code === "PrincipalNotFound") {
      const waitMs = baseDelay > 0 ? jitteredBackoffInMs(baseDelay, retries) : 0;
      const waited = Date.now() - started;
      if (limit > 0 && waited + waitMs > limit) {
        const error = restErrorFromResponse(response.raw, response.body);
        error.message += ` The principal was still not found after ${retries + 1} attempts over ${waited} ms (replicationTimeoutInMs ${limit}).`;
        throw error;
      }
      logger.info(`${op.name}: principal ${spec.principalId} is not in the directory yet (PrincipalNotFound, replication delay); granting again in ${Math.round(waitMs)} ms.`);
      await op.delay(waitMs);
      continue;
    }
    throw restErrorFromResponse(response.raw, response.body);
  }
}

/** Delete a role assignment (by the id ARM listed); false when it was already gone (204). */
export async function deleteRoleAssignment(op: Operation, assignment: RoleAssignmentInfo): Promise<boolean> {
  const parsed = parseRoleAssignmentId(assignment.id);
  if (!parsed) throw newRestError(`Refusing to delete ${JSON.stringify(assignment.id)}: it is not a role assignment id.`, { code: "InvalidRoleAssignmentId" });
  const response = await sendNeeding(op, deleteRoleAssignmentRequest(op.target, parsed.scope, parsed.name), DELETE_PERMISSION, parsed.scope, { accept: [404] });
  return response.status === 200 || response.status === 202 || (response.status === 204 && response.unansweredAttempts > 0);
}

/** What a revocation needs: the role and scope as checked, and the principal that holds the assignment (undefined: none, so nothing to revoke). */
export interface RevokeSpec {
  role: RoleRef;
  scope: RoleScope;
  principalId: string | undefined;
}

/** Whether a listed or read assignment is the one of this principal, role and scope. */
function isAssignmentOf(a: RoleAssignmentInfo, principalId: string, roleDefinitionId: string, scope: string): boolean {
  return (
    a.principalId.toLowerCase() === principalId.toLowerCase() &&
    roleDefinitionGuid(a.roleDefinitionId) === roleDefinitionGuid(roleDefinitionId) &&
    sameScope(a.scope, scope)
  );
}

/**
 * Revoke a role: find the assignment the principal holds for that role at
 * exactly that scope, by the deterministic name a grant gives it first
 * (`GET {scope}/providers/Microsoft.Authorization/roleAssignments/{name}`),
 * else in the principal's list at the scope (an assignment some other tool
 * named), then `DELETE` it. `{ revoked: false }` when the principal holds
 * none there (or it was gone when the DELETE arrived: 204 or 404). A role
 * name is looked up at the scope as for a grant (`RoleNotFound`,
 * `AmbiguousRole`); nothing is looked up when there is no principal.
 */
export async function revokeRole(op: Operation, spec: RevokeSpec): Promise<RoleRevocation> {
  const found = await findRevocable(op, spec);
  if (!found) return { revoked: false };
  const deleted = await deleteRoleAssignment(op, found);
  logger.info(`${op.name}: ${deleted ? "revoked" : "found already gone"} role assignment ${found.id}.`);
  return deleted ? { revoked: true, roleAssignment: found } : { revoked: false };
}

/** What {@link revokeRole} would send: the DELETE of the assignment it would find, or none. Reads only. */
export async function planRevokeRole(op: Operation, spec: RevokeSpec): Promise<RawArmRequest[]> {
  const found = await findRevocable(op, spec);
  const parsed = found ? parseRoleAssignmentId(found.id) : undefined;
  return parsed ? [deleteRoleAssignmentRequest(op.target, parsed.scope, parsed.name)] : [];
}

/** The assignment the principal holds for the role at exactly the scope: by the name a grant gives it, else in its list. */
async function findRevocable(op: Operation, spec: RevokeSpec): Promise<RoleAssignmentInfo | undefined> {
  const { principalId, scope } = spec;
  if (!principalId) return undefined;
  const roleDefinitionId = await resolveRoleDefinitionId(op, spec.role, scope);
  const name = roleAssignmentName(scope.scope, principalId, roleDefinitionId);
  const byName = await sendNeeding(op, getRoleAssignmentRequest(op.target, scope.scope, name), READ_PERMISSION, scope.scope, { accept: [404] });
  let found = byName.status < 300 ? roleAssignmentInfo(byName.body) : undefined;
  if (!found || !isAssignmentOf(found, principalId, roleDefinitionId, scope.scope)) {
    found = (await listRoleAssignments(op, scope.scope, principalId)).find((a) => isAssignmentOf(a, principalId, roleDefinitionId, scope.scope));
  }
  if (!found) logger.info(`${op.name}: principal ${principalId} holds no assignment of ${roleDefinitionId} at ${scope.scope}; nothing to revoke.`);
  return found;
}
