/**
 * The role assignment side of an identity change, in the same operation as
 * its write: before the write, grants are checked against the plan, role
 * names resolved, and the role assignments a disabled system identity would
 * orphan read (and, if asked, deleted); after it, each grant's principal is
 * read from the identity written and the grants are made. `plan()` shows the
 * same steps as requests, with a principal that does not exist yet pending.
 */
import { isRestError, newRestError } from "../http/lazyDependencies.js";
import { InvalidInputError } from "../core/errors.js";
import { type UserAssignedIdentityRef, type VmIdentity, fromArmIdentity, hasSystemAssigned } from "../core/identity.js";
import { asRecord } from "../core/record.js";
import type { IdentityChange } from "../core/planIdentityChange.js";
import type { RawArmRequest } from "../core/request.js";
import { type ResourceGroupScoped, parseUserAssignedIdentityId, userAssignedIdentityResourceId } from "../core/resourceId.js";
import { deleteRoleAssignmentRequest, getRoleAssignmentRequest, pendingPutRoleAssignmentRequest, putRoleAssignmentRequest } from "../core/roleRequests.js";
import {
  type AccessChanges,
  type GrantedRoleAssignment,
  type RoleAssignmentInfo,
  type RoleGrant,
  parseRole,
  parseRoleAssignmentId,
  parseRoleScope,
  roleAssignmentId,
  roleAssignmentName,
} from "../core/roles.js";
import type { ResourceSnapshot } from "../core/snapshot.js";
import { followProvisioningState } from "../http/lro.js";
import type { Operation } from "../http/operation.js";
import { logger } from "../logger.js";
import type { RoleAssignmentOptions } from "../options.js";
import { readResource } from "./readResource.js";
import { deleteRoleAssignment, grantRole, listRoleAssignments, resolveRoleDefinitionId } from "./roleAssignments.js";
import { getIdentityResource } from "./userAssignedIdentity.js";

/**
 * What grants share within one call, or one fleet run: each role name is
 * looked up once per scope, and a grant to a principal many VMs share (a
 * user-assigned identity) is made once.
 */
export interface AccessContext {
  /** The role definition id of a grant's role at its scope, looked up once. */
  roleDefinitionId(op: Operation, grant: RoleGrant): Promise<string>;
  /** Make a grant once per assignment name; later callers get the first one's outcome, `created: false`. */
  grantOnce(key: string, grant: () => Promise<GrantedRoleAssignment>): Promise<GrantedRoleAssignment>;
}

/** A fresh {@link AccessContext}. A look-up that failed for another reason than the role itself is tried again by the next caller. */
export function createAccessContext(): AccessContext {
  const roles = new Map<string, Promise<string>>();
  const grants = new Map<string, Promise<GrantedRoleAssignment>>();
  return {
    roleDefinitionId(op, grant) {
      const role = parseRole(grant.role);
      const scope = parseRoleScope(grant.scope);
      const key = `${scope.scope.toLowerCase()}\n${grant.role.toLowerCase()}`;
      let found = roles.get(key);
      if (!found) {
        found = resolveRoleDefinitionId(op, role, scope);
        roles.set(key, found);
        found.catch((e: unknown) => {
          if (!(e instanceof InvalidInputError)) roles.delete(key);
        });
      }
      return found;
    },
    grantOnce(key, grant) {
      const first = grants.get(key);
      if (first) return first.then((done) => ({ ...done, created: false }));
      const made = grant();
      grants.set(key, made);
      made.catch(() => grants.delete(key));
      return made;
    },
  };
}

/** The role assignment part of an identity change, and the context its grants share. */
export interface IdentityAccess {
  changes: AccessChanges;
  context: AccessContext;
}

/** What an identity change reports about role assignments, besides the identity. */
export interface AccessOutcome {
  /** The grants asked for, each created or found (present when the change grants roles). */
  roleAssignments?: GrantedRoleAssignment[];
  /**
   * The system identity's role assignments this call left behind when it
   * disabled the identity under `roleAssignments: "keep"` (ARM keeps them; their
   * principal is gone). Present when the call disabled a system identity so.
   */
  orphanedRoleAssignments?: RoleAssignmentInfo[];
  /** The system identity's role assignments deleted before it was disabled (`roleAssignments: "delete"`). */
  deletedRoleAssignments?: RoleAssignmentInfo[];
}

/** Whether a change list needs the role assignment steps: it grants, or it may disable a system identity (whose assignments would be orphaned). */
export function needsAccess(changes: readonly IdentityChange[], access: AccessChanges | undefined): boolean {
  return (access?.grants.length ?? 0) > 0 || changes.some((c) => c.op === "disableSystemAssigned" || c.op === "removeAll");
}

/** One grant with the identity it is for. */
interface GrantTarget {
  grant: RoleGrant;
  /** `"system"`, or the user-assigned identity's id in the casing the plan holds. */
  identity: string;
}

const key = (id: string): string => id.toLowerCase();

/** Check each grant against the identity the change leads to, before any write. */
function grantTargets(label: string, desired: VmIdentity, grants: readonly RoleGrant[]): GrantTarget[] {
  return grants.map((grant) => {
    if (grant.identity === undefined) {
      if (!hasSystemAssigned(desired.type)) {
        throw new InvalidInputError(
          "SystemIdentityNotEnabled",
          `Cannot grant role ${JSON.stringify(grant.role)} at ${grant.scope} to the system identity of ${label}: after this change it has none (identity ${desired.type}). Enable it in the same change, or name a user-assigned identity with { identity }.`,
          grant,
        );
      }
      return { grant, identity: "system" };
    }
    const held = desired.userAssigned.find((ref) => key(ref.id) === key(grant.identity!));
    if (!held) {
      throw new InvalidInputError(
        "IdentityNotAssigned",
        `Cannot grant role ${JSON.stringify(grant.role)} at ${grant.scope} to '${grant.identity}': it is not assigned to ${label}, and this change does not assign it.`,
        grant.identity,
      );
    }
    return { grant, identity: held.id };
  });
}

/** The subscription a resource URL lies in. */
function subscriptionScopeOf(url: string): string {
  const [, subs, sub] = new URL(url).pathname.split("/");
  return `/${decodeURIComponent(subs ?? "")}/${decodeURIComponent(sub ?? "")}`;
}

/** The system principal a change deletes: held now, gone after. */
function disabledPrincipal(current: VmIdentity, desired: VmIdentity): string | undefined {
  return hasSystemAssigned(current.type) && !hasSystemAssigned(desired.type) ? current.systemAssigned?.principalId : undefined;
}

/** The principal of a user-assigned identity: as the resource shows it, else as the identity resource does. */
async function userAssignedPrincipal(op: Operation, ref: UserAssignedIdentityRef | undefined, id: string): Promise<string | undefined> {
  if (ref?.principalId) return ref.principalId;
  return (await getIdentityResource(op, parseUserAssignedIdentityId(id)))?.principalId || undefined;
}

/** The resource's identity as read, and what the change leads to. */
interface AccessPlanInput {
  snapshot: ResourceSnapshot;
  desired: VmIdentity;
  /** Whether the change writes anything to the identity. */
  writes: boolean;
}

/**
 * The role assignments a disable would orphan, read before the write;
 * undefined when the change disables no system identity. Under `"keep"` a
 * caller who may not read role assignments (403) still disables, as ARM
 * would, with a warning that says nothing could be named.
 */
async function orphansOf(op: Operation, target: { url: string; label: string }, input: AccessPlanInput, mode: AccessChanges["roleAssignments"]): Promise<RoleAssignmentInfo[] | undefined> {
  const principal = input.writes ? disabledPrincipal(input.snapshot.identity, input.desired) : undefined;
  if (!principal) return undefined;
  let held: RoleAssignmentInfo[];
  try {
    held = await listRoleAssignments(op, subscriptionScopeOf(target.url), principal);
  } catch (e) {
    if (mode === "delete" || !isRestError(e) || e.statusCode !== 403) throw e;
    logger.warning(`${op.name}: could not read the role assignments of the system identity of ${target.label} (${e.message}); any it holds will be orphaned by the disable.`);
    return undefined;
  }
  return held.filter((a) => a.principalId.toLowerCase() === principal.toLowerCase() && parseRoleAssignmentId(a.id) !== undefined);
}

/** What {@link prepareAccess} did before the write, and the step that follows it. */
export interface PreparedAccess {
  /**
   * Make the grants on the identity written (as read back) and report
   * everything, with the identity the grants used: the one given, or, when
   * it shows no principal for a system identity to be granted (a read that
   * raced the write), the resource read again once its write is done.
   */
  finish(op: Operation, written: VmIdentity): Promise<{ outcome: AccessOutcome; identity: VmIdentity }>;
}

/**
 * Before the identity write: check the grants against the plan, resolve
 * their roles, and read the role assignments a disabled system identity
 * leaves behind; under `"keep"` each is named in a warning, under
 * `"delete"` each is deleted now, before the write.
 */
export async function prepareAccess(
  op: Operation,
  target: { url: string; label: string },
  input: AccessPlanInput,
  access: IdentityAccess,
  options: RoleAssignmentOptions = {},
): Promise<PreparedAccess> {
  const targets = grantTargets(target.label, input.desired, access.changes.grants);
  const roleIds = await Promise.all(targets.map((t) => access.context.roleDefinitionId(op, t.grant)));
  const orphans = await orphansOf(op, target, input, access.changes.roleAssignments);
  const outcome: AccessOutcome = {};
  if (orphans && access.changes.roleAssignments === "delete") {
    for (const assignment of orphans) {
      await deleteRoleAssignment(op, assignment);
      logger.info(`${op.name}: deleted role assignment ${assignment.id} of the system identity of ${target.label} before disabling it.`);
    }
    outcome.deletedRoleAssignments = orphans;
  } else if (orphans) {
    for (const assignment of orphans) {
      logger.warning(
        `${op.name}: disabling the system identity of ${target.label} orphans role assignment ${assignment.id} ` +
          `(role ${assignment.roleDefinitionId} at ${assignment.scope}): ARM keeps it for a principal that will no longer exist. ` +
          `Pass { roleAssignments: "delete" } to delete such assignments first.`,
      );
    }
    outcome.orphanedRoleAssignments = orphans;
  }
  const before = input.snapshot.identity.systemAssigned?.principalId?.toLowerCase();
  return {
    async finish(op, written) {
      if (targets.length === 0) return { outcome, identity: written };
      if (targets.some((t) => t.identity === "system") && !written.systemAssigned?.principalId) {
        logger.info(`${op.name}: the identity read for ${target.label} shows no system principal yet; reading it again.`);
        written = fromArmIdentity(asRecord((await followProvisioningState(op, target.url)).body)?.["identity"]);
      }
      const granted: GrantedRoleAssignment[] = [];
      for (const [i, t] of targets.entries()) {
        const ref = written.userAssigned.find((r) => key(r.id) === key(t.identity));
        const principalId = t.identity === "system" ? written.systemAssigned?.principalId : await userAssignedPrincipal(op, ref, t.identity);
        if (!principalId) {
          throw newRestError(
            `${op.name}: ${target.label} was changed, but ARM reports no principal for its ${t.identity === "system" ? "system identity" : `identity ${t.identity}`}, so role ${JSON.stringify(t.grant.role)} at ${t.grant.scope} was not granted; read it again and grant the role.`,
            { code: "PrincipalNotReported" },
          );
        }
        const spec = {
          role: t.grant.role,
          scope: t.grant.scope,
          roleDefinitionId: roleIds[i]!,
          principalId,
          identity: t.identity,
          principalIsNew: t.identity === "system" && principalId.toLowerCase() !== before,
        };
        const name = roleAssignmentName(spec.scope, principalId, spec.roleDefinitionId);
        granted.push(await access.context.grantOnce(`${spec.scope.toLowerCase()}\n${name}`, () => grantRole(op, spec, options)));
      }
      return { outcome: { ...outcome, roleAssignments: granted }, identity: written };
    },
  };
}

/**
 * The last step of a change on one resource of a fleet: its grants, on the
 * identity written. The resource counts as changed when its identity did, or
 * when a grant was created or an assignment deleted.
 */
export async function finishAccess<E extends { identity: VmIdentity }>(
  prepared: PreparedAccess | undefined,
  op: Operation,
  outcome: { changed: boolean; extra: E },
): Promise<{ changed: boolean; extra: E & AccessOutcome }> {
  if (!prepared) return outcome;
  const { outcome: access, identity } = await prepared.finish(op, outcome.extra.identity);
  const changed = outcome.changed || (access.roleAssignments ?? []).some((a) => a.created) || (access.deletedRoleAssignments ?? []).length > 0;
  return { changed, extra: { ...outcome.extra, identity, ...access } };
}

/** A grant as `plan()` shows it. */
export interface PlannedRoleAssignment {
  /** The role as given. */
  role: string;
  /** Where the role applies. */
  scope: string;
  /** The role definition the PUT names. */
  roleDefinitionId: string;
  /** `"system"`, or the user-assigned identity's id. */
  identity: string;
  /** The principal's id, or `<pending: ...>` when it does not exist yet (a system identity the change enables). */
  principalId: string;
  /**
   * `"create"`: `apply()` sends its PUT; `"exists"`: it is granted already,
   * nothing is sent; `"pending"`: the principal does not exist yet, so the
   * PUT's name and principal are known only once the identity write is done.
   */
  action: "create" | "exists" | "pending";
  /** The assignment's id, when the principal is known. */
  id?: string;
}

/** What {@link planAccess} adds to an identity plan. */
export interface AccessPlan {
  /** The role assignment writes, in the order `apply()` sends them around the identity PATCH. */
  before: RawArmRequest[];
  after: RawArmRequest[];
  roleAssignments?: PlannedRoleAssignment[];
  orphanedRoleAssignments?: RoleAssignmentInfo[];
  deletedRoleAssignments?: RoleAssignmentInfo[];
}

/**
 * The role assignment side of `plan()`: the same checks and reads as
 * `apply()` (roles resolved, orphans read, existing grants looked up), and
 * the writes it would send, without sending any.
 */
export async function planAccess(op: Operation, target: { url: string; label: string }, input: AccessPlanInput, access: IdentityAccess): Promise<AccessPlan> {
  const targets = grantTargets(target.label, input.desired, access.changes.grants);
  const roleIds = await Promise.all(targets.map((t) => access.context.roleDefinitionId(op, t.grant)));
  const orphans = await orphansOf(op, target, input, access.changes.roleAssignments);
  const plan: AccessPlan = { before: [], after: [] };
  if (orphans && access.changes.roleAssignments === "delete") {
    for (const a of orphans) {
      const { scope, name } = parseRoleAssignmentId(a.id)!;
      plan.before.push(deleteRoleAssignmentRequest(op.target, scope, name));
    }
    plan.deletedRoleAssignments = orphans;
  } else if (orphans) {
    plan.orphanedRoleAssignments = orphans;
  }
  if (targets.length === 0) return plan;
  const current = input.snapshot.identity;
  const keepsSystem = hasSystemAssigned(current.type) && current.systemAssigned?.principalId !== undefined;
  plan.roleAssignments = [];
  for (const [i, t] of targets.entries()) {
    const roleDefinitionId = roleIds[i]!;
    const { role, scope } = t.grant;
    const principalId =
      t.identity === "system"
        ? keepsSystem
          ? current.systemAssigned!.principalId
          : undefined
        : await userAssignedPrincipal(op, input.desired.userAssigned.find((r) => key(r.id) === key(t.identity)), t.identity);
    if (!principalId) {
      const pending = `<pending: ${t.identity === "system" ? "system identity" : `identity ${t.identity}`} of ${target.label}>`;
      plan.after.push(pendingPutRoleAssignmentRequest(op.target, scope, roleDefinitionId, pending));
      plan.roleAssignments.push({ role, scope, roleDefinitionId, identity: t.identity, principalId: pending, action: "pending" });
      continue;
    }
    const { id, put } = await plannedGrant(op, scope, principalId, roleDefinitionId);
    if (put) plan.after.push(put);
    plan.roleAssignments.push({ role, scope, roleDefinitionId, identity: t.identity, principalId, action: put ? "create" : "exists", id });
  }
  return plan;
}

/**
 * A grant's plan: the assignment looked up under the name a grant gives it;
 * its id, and the PUT that would make it unless it exists. Reads only.
 */
async function plannedGrant(op: Operation, scope: string, principalId: string, roleDefinitionId: string): Promise<{ id: string; put?: RawArmRequest }> {
  const name = roleAssignmentName(scope, principalId, roleDefinitionId);
  const found = await op.send(getRoleAssignmentRequest(op.target, scope, name), { accept: [404] });
  const id = roleAssignmentId(scope, name);
  return found.status < 300 ? { id } : { id, put: putRoleAssignmentRequest(op.target, scope, name, roleDefinitionId, principalId) };
}

/**
 * The role assignments held by a resource's system identity: read the
 * resource for its principal, then list that principal's assignments in the
 * resource's subscription (at, above and below it), page by page. `[]` when
 * it has no system identity.
 */
export async function systemIdentityRoleAssignments(op: Operation, target: { url: string }): Promise<RoleAssignmentInfo[]> {
  const { identity } = await readResource(op, target.url);
  const principalId = hasSystemAssigned(identity.type) ? identity.systemAssigned?.principalId : undefined;
  return principalId ? listRoleAssignments(op, subscriptionScopeOf(target.url), principalId) : [];
}

/** The principal of a user-assigned identity resource; a missing one is 404 `ResourceNotFound`. */
async function identityResourcePrincipal(op: Operation, uai: ResourceGroupScoped): Promise<string> {
  const info = await getIdentityResource(op, uai);
  if (!info?.principalId) {
    throw newRestError(`The user-assigned identity '${uai.name}' in resource group '${uai.resourceGroup}' ${info ? "reports no principal" : "does not exist"}.`, {
      code: info ? "PrincipalNotReported" : "ResourceNotFound",
      ...(info ? {} : { statusCode: 404 }),
    });
  }
  return info.principalId;
}

/** A grant to a user-assigned identity resource, resolved: its role's definition id and the identity's principal. */
async function identityResourceGrant(op: Operation, uai: ResourceGroupScoped, grant: RoleGrant): Promise<{ roleDefinitionId: string; principalId: string }> {
  const roleDefinitionId = await createAccessContext().roleDefinitionId(op, grant);
  return { roleDefinitionId, principalId: await identityResourcePrincipal(op, uai) };
}

/** Grant a role to a user-assigned identity resource: its role resolved, its principal read, then the grant. */
export async function grantToIdentityResource(op: Operation, uai: ResourceGroupScoped, grant: RoleGrant, options: RoleAssignmentOptions = {}): Promise<GrantedRoleAssignment> {
  const { roleDefinitionId, principalId } = await identityResourceGrant(op, uai, grant);
  const identity = userAssignedIdentityResourceId(uai);
  return grantRole(op, { role: grant.role, scope: grant.scope, roleDefinitionId, principalId, identity, principalIsNew: false }, options);
}

/** What {@link grantToIdentityResource} would write: the same reads, then its PUT, or none when the assignment exists. */
export async function planGrantToIdentityResource(op: Operation, uai: ResourceGroupScoped, grant: RoleGrant): Promise<RawArmRequest[]> {
  const { roleDefinitionId, principalId } = await identityResourceGrant(op, uai, grant);
  const { put } = await plannedGrant(op, grant.scope, principalId, roleDefinitionId);
  return put ? [put] : [];
}

/** The role assignments a user-assigned identity holds in its subscription (at, above and below it). */
export async function identityResourceRoleAssignments(op: Operation, uai: ResourceGroupScoped): Promise<RoleAssignmentInfo[]> {
  return listRoleAssignments(op, `/subscriptions/${uai.subscriptionId}`, await identityResourcePrincipal(op, uai));
}
