import { putUserAssignedIdentityRequest } from "../core/armRequests.js";
import type { RawArmRequest } from "../core/request.js";
import { type ResourceGroupScoped, userAssignedIdentityResourceId } from "../core/resourceId.js";
import type { OperationOptions } from "../http/operationContext.js";
import {
  type UserAssignedIdentityDefinition,
  type UserAssignedIdentityInfo,
  createOrUpdateIdentity,
  deleteIdentityResource,
  getIdentityResource,
  validateIdentityDefinition,
} from "../operations/userAssignedIdentity.js";
import { type ClientContext, startOperation } from "./clientContext.js";

/** One user-assigned identity resource. Made by `client.userAssignedIdentity()`. */
export class UserAssignedIdentityHandle {
  /** The identity's full ARM resource id: what `assignUserAssigned()` takes. */
  readonly resourceId: string;

  /** @internal */
  constructor(
    private readonly cc: ClientContext,
    private readonly uai: ResourceGroupScoped,
  ) {
    this.resourceId = userAssignedIdentityResourceId(uai);
  }

  /** Create the identity, or update its tags. */
  async createOrUpdate(definition: UserAssignedIdentityDefinition, options?: OperationOptions): Promise<UserAssignedIdentityInfo> {
    validateIdentityDefinition(definition);
    const ctx = startOperation(this.cc, "userAssignedIdentity.createOrUpdate", options);
    return ctx.run(() => createOrUpdateIdentity(this.cc, this.uai, definition, ctx));
  }

  /** The PUT `createOrUpdate()` would send; pure, sends nothing. */
  planCreateOrUpdate(definition: UserAssignedIdentityDefinition): RawArmRequest {
    return putUserAssignedIdentityRequest(this.cc, this.uai, validateIdentityDefinition(definition));
  }

  /** The identity, or undefined when it does not exist. */
  async get(options?: OperationOptions): Promise<UserAssignedIdentityInfo | undefined> {
    const ctx = startOperation(this.cc, "userAssignedIdentity.get", options);
    return ctx.run(() => getIdentityResource(this.cc, this.uai, ctx));
  }

  /** Delete the identity; `deleted` is false when it did not exist. */
  async delete(options?: OperationOptions): Promise<{ deleted: boolean }> {
    const ctx = startOperation(this.cc, "userAssignedIdentity.delete", options);
    return ctx.run(() => deleteIdentityResource(this.cc, this.uai, ctx));
  }
}
