import { putUserAssignedIdentityRequest } from "../core/armRequests.js";
import type { RawArmRequest } from "../core/request.js";
import { type ResourceGroupScoped, userAssignedIdentityResourceId } from "../core/resourceId.js";
import {
  type UserAssignedIdentityDefinition,
  type UserAssignedIdentityInfo,
  validateIdentityDefinition,
} from "../core/userAssignedIdentity.js";
import type { ArmConnection } from "../http/connection.js";
import { createOperation } from "../http/operation.js";
import { createOrUpdateIdentity, deleteIdentityResource, getIdentityResource } from "../operations/userAssignedIdentity.js";
import { InvalidInputError, describeValue } from "../core/errors.js";
import { RestError } from "@azure/core-rest-pipeline";
import { type GrantedRoleAssignment, type RoleAssignmentInfo, type RoleRevocation, parseRole, parseRoleScope, validateRoleGrant } from "../core/roles.js";
import { checkApplyOptions } from "../operations/identity.js";
import { grantToIdentityResource, identityResourceRoleAssignments } from "../operations/identityAccess.js";
import { revokeRole } from "../operations/roleAssignments.js";
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
    const checked = validateRoleGrant(grant);
    if (checked.identity !== undefined) {
      throw new InvalidInputError("InvalidRoleGrant", `Invalid grant: a user-assigned identity's grant() is for that identity; leave out identity (${describeValue(checked.identity)}).`, grant);
    }
    checkApplyOptions(options ?? {});
    const op = createOperation(this.connection, "VmIdentityClient.grantRole", options);
    return op.run(() => grantToIdentityResource(op, this.uai, checked, options));
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
    const checked = validateRoleGrant(grant, "revoke");
    if (checked.identity !== undefined) {
      throw new InvalidInputError("InvalidRoleGrant", `Invalid revoke: a user-assigned identity's revoke() is for that identity; leave out identity (${describeValue(checked.identity)}).`, grant);
    }
    const role = parseRole(checked.role);
    const scope = parseRoleScope(checked.scope);
    const op = createOperation(this.connection, "VmIdentityClient.revokeRole", options);
    return op.run(async () => {
      const info = await getIdentityResource(op, this.uai);
      if (!info) {
        throw new RestError(`The user-assigned identity '${this.uai.name}' in resource group '${this.uai.resourceGroup}' does not exist.`, { code: "ResourceNotFound", statusCode: 404 });
      }
      return revokeRole(op, { role, scope, principalId: info.principalId || undefined });
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
