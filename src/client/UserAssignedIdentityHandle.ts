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
import type { OperationOptions } from "../options.js";
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
