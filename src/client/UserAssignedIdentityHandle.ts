import { putUserAssignedIdentityRequest } from "../core/armRequests.js";
import type { RawArmRequest } from "../core/request.js";
import { type ResourceGroupScoped, userAssignedIdentityResourceId } from "../core/resourceId.js";
import {
  type UserAssignedIdentityDefinition,
  type UserAssignedIdentityInfo,
  validateIdentityDefinition,
} from "../core/userAssignedIdentity.js";
import type { ArmConnection } from "../http/connection.js";
import { type Operation, createOperation } from "../http/operation.js";
import { createOrUpdateIdentity, deleteIdentityResource, getIdentityResource } from "../operations/userAssignedIdentity.js";
import { InvalidInputError, describeValue } from "../core/errors.js";
import { newRestError } from "../http/lazyDependencies.js";
import { type GrantedRoleAssignment, type RoleAssignmentInfo, type RoleGrant, type RoleRevocation, parseRole, parseRoleScope, validateRoleGrant } from "../core/roles.js";
import { checkApplyOptions } from "../operations/identity.js";
import { grantToIdentityResource, identityResourceRoleAssignments, planGrantToIdentityResource } from "../operations/identityAccess.js";
import { type RevokeSpec, planRevokeRole, revokeRole } from "../operations/roleAssignments.js";
import type { OperationOptions, RoleAssignmentOptions } from "../options.js";
import { construct } from "./construct.js";

/** One user-assigned identity resource. Made by `client.userAssignedIdentity()`. */
export class UserAssignedIdentityHandle {
  /** The identity's full ARM resource id: what `assignUserAssigned()` takes. */
  readonly resourceId: string;

  private constructor(
    private readonly connection: ArmConnection,
    private readonly uai: ResourceGroupScoped,
  ) {
    this.resourceId = userAssignedIdentityResourceId(uai);
  }

  /** Create the identity, or update its tags. */
  async createOrUpdate(definition: UserAssignedIdentityDefinition, options?: OperationOptions): Promise<UserAssignedIdentityInfo> {
    validateIdentityDefinition(definition);
    const op = createOperation(this.connection, "VmIdentityClient.createOrUpdateUserAssignedIdentity", options);
    return op.run(() => createOrUpdateIdentity(op, this.uai, definition));
  }

  /** The PUT `createOrUpdate()` would send; pure, sends nothing. */
  planCreateOrUpdate(definition: UserAssignedIdentityDefinition): RawArmRequest {
    return putUserAssignedIdentityRequest(this.connection.target, this.uai, validateIdentityDefinition(definition));
  }

  /** The identity, or undefined when it does not exist. */
  async get(options?: OperationOptions): Promise<UserAssignedIdentityInfo | undefined> {
    const op = createOperation(this.connection, "VmIdentityClient.getUserAssignedIdentity", options);
    return op.run(() => getIdentityResource(op, this.uai));
  }

  /**
   * Grant this identity a role at a scope: `role` a role name (looked up at
   * the scope), a role definition GUID or a full role definition id; `scope`
   * a subscription, resource group or resource id (both checked before any
   * request). The identity is read for its principal; the assignment's name
   * is derived from the scope, the principal and the role, so granting again
   * finds it (`created: false`). A principal made moments ago is retried
   * while it replicates (see `replicationTimeoutInMs`).
   */
  async grant(grant: { role: string; scope: string }, options?: RoleAssignmentOptions): Promise<GrantedRoleAssignment> {
    const checked = this.checkOwnGrant(grant, "grant");
    checkApplyOptions(options ?? {});
    const op = createOperation(this.connection, "VmIdentityClient.grantRole", options);
    return op.run(() => grantToIdentityResource(op, this.uai, checked, options));
  }

  /**
   * The requests {@link UserAssignedIdentityHandle.grant} would write, for a
   * dry run: the role assignment PUT, or none when the identity already holds
   * that role at that scope. Reads (the role's definition when given by name,
   * the identity, the assignment) but writes nothing; the same checks as
   * `grant()` before any request.
   */
  async planGrant(grant: { role: string; scope: string }, options?: OperationOptions): Promise<RawArmRequest[]> {
    const checked = this.checkOwnGrant(grant, "grant");
    const op = createOperation(this.connection, "VmIdentityClient.planGrantRole", options);
    return op.run(() => planGrantToIdentityResource(op, this.uai, checked));
  }

  /** A grant or revoke checked, and refused when it names another identity. */
  private checkOwnGrant(grant: { role: string; scope: string }, what: "grant" | "revoke"): RoleGrant {
    const checked = validateRoleGrant(grant, what);
    if (checked.identity !== undefined) {
      throw new InvalidInputError("InvalidRoleGrant", `Invalid ${what}: a user-assigned identity's ${what}() is for that identity; leave out identity (${describeValue(checked.identity)}).`, grant);
    }
    return checked;
  }

  /**
   * Revoke a role from this identity: `role` and `scope` as for
   * {@link UserAssignedIdentityHandle.grant} (checked before any request,
   * with the same codes). Reads the identity for its principal (a missing
   * identity is 404 `ResourceNotFound`), finds the assignment it holds for
   * that role at exactly that scope (by the name a grant gives it, else in
   * its list) and deletes it. `{ revoked: false }` when there is none (or it
   * was already gone); otherwise `{ revoked: true, roleAssignment }`.
   */
  async revoke(grant: { role: string; scope: string }, options?: OperationOptions): Promise<RoleRevocation> {
    return this.runRevoke(grant, "VmIdentityClient.revokeRole", options, revokeRole);
  }

  /**
   * The request {@link UserAssignedIdentityHandle.revoke} would send, for a
   * dry run: the DELETE of the assignment it would find, or none. Reads only;
   * the same checks before any request.
   */
  async planRevoke(grant: { role: string; scope: string }, options?: OperationOptions): Promise<RawArmRequest[]> {
    return this.runRevoke(grant, "VmIdentityClient.planRevokeRole", options, planRevokeRole);
  }

  /** Check a revoke, read the identity's principal, and hand both to `act` in one operation. */
  private runRevoke<T>(grant: { role: string; scope: string }, name: string, options: OperationOptions | undefined, act: (op: Operation, spec: RevokeSpec) => Promise<T>): Promise<T> {
    const checked = this.checkOwnGrant(grant, "revoke");
    const role = parseRole(checked.role);
    const scope = parseRoleScope(checked.scope);
    const op = createOperation(this.connection, name, options);
    return op.run(async () => {
      const info = await getIdentityResource(op, this.uai);
      if (!info) {
        throw newRestError(`The user-assigned identity '${this.uai.name}' in resource group '${this.uai.resourceGroup}' does not exist.`, { code: "ResourceNotFound", statusCode: 404 });
      }
      return act(op, { role, scope, principalId: info.principalId || undefined });
    });
  }

  /** The role assignments this identity holds in its subscription (at, above and below it), page by page. */
  async roleAssignments(options?: OperationOptions): Promise<RoleAssignmentInfo[]> {
    const op = createOperation(this.connection, "VmIdentityClient.listRoleAssignments", options);
    return op.run(() => identityResourceRoleAssignments(op, this.uai));
  }

  /** Delete the identity; `deleted` is false when it did not exist. */
  async delete(options?: OperationOptions): Promise<{ deleted: boolean }> {
    const op = createOperation(this.connection, "VmIdentityClient.deleteUserAssignedIdentity", options);
    return op.run(() => deleteIdentityResource(op, this.uai));
  }
}

/** Internal: the handle of one identity. */
export function createUserAssignedIdentityHandle(connection: ArmConnection, uai: ResourceGroupScoped): UserAssignedIdentityHandle {
  return construct(UserAssignedIdentityHandle, connection, uai);
}
