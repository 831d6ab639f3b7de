import { InvalidInputError, describeValue } from "../core/errors.js";
import { type VmIdentity, hasSystemAssigned } from "../core/identity.js";
import type { ArmConnection } from "../http/connection.js";
import { createOperation } from "../http/operation.js";
import type { IdentityResult, IdentityTarget } from "../operations/identity.js";
import { readResource } from "../operations/readResource.js";
import type { ApplyIdentityOptions, DisableIdentityOptions, OperationOptions } from "../options.js";
import { type RoleAssignmentInfo, type RoleRevocation, parseRole, parseRoleScope, validateRoleGrant } from "../core/roles.js";
import { systemIdentityRoleAssignments } from "../operations/identityAccess.js";
import { revokeRole } from "../operations/roleAssignments.js";
import { type IdentityChangeBuilder, createIdentityChangeBuilder } from "./IdentityChangeBuilder.js";

/** How each handle is wired; kept out of the published types. */
const wiring = new WeakMap<IdentityHandle, { connection: ArmConnection; target: IdentityTarget }>();

/** Internal: wire `handle` to its connection and identity target (each subclass's constructor calls this). */
export function wireIdentityHandle(handle: IdentityHandle, connection: ArmConnection, target: IdentityTarget): void {
  wiring.set(handle, { connection, target });
}

function wired(handle: IdentityHandle): { connection: ArmConnection; target: IdentityTarget } {
  const found = wiring.get(handle);
  if (!found) throw new TypeError("This identity handle was not made by a VmIdentityClient (client.vm() or client.vmss()).");
  return found;
}

/**
 * What a VM and a scale set share: the managed identities of one resource.
 * One implementation for both kinds: the same immutable builder, the same
 * read-plan-PATCH with `If-Match` and re-plan; a scale set's identity needs no
 * instance upgrade under any upgrade policy.
 */
export abstract class IdentityHandle {
  protected constructor() {}

  /** The resource's identities (`{ type: "None", userAssigned: [] }` when it has none). */
  async getIdentity(options?: OperationOptions): Promise<VmIdentity> {
    const { connection, target } = wired(this);
    const op = createOperation(connection, "VmIdentityClient.getIdentity", options);
    return op.run(async () => (await readResource(op, target.url)).identity);
  }

  /** Start an immutable identity change set. */
  identity(): IdentityChangeBuilder {
    const { connection, target } = wired(this);
    return createIdentityChangeBuilder(connection, target);
  }

  /** = `identity().enableSystemAssigned().apply(options)` */
  async enableSystemAssigned(options?: ApplyIdentityOptions): Promise<IdentityResult> {
    return this.identity().enableSystemAssigned().apply(options);
  }

  /**
   * = `identity().disableSystemAssigned({ roleAssignments }).apply(options)`:
   * the identity's role assignments are kept, orphaned, as ARM does (each
   * named in a warning and in `orphanedRoleAssignments`), or with
   * `roleAssignments: "delete"` deleted first (`deletedRoleAssignments`).
   */
  async disableSystemAssigned(options: DisableIdentityOptions = {}): Promise<IdentityResult> {
    const { roleAssignments, ...applyOptions } = options ?? {};
    return this.identity().disableSystemAssigned({ roleAssignments }).apply(applyOptions);
  }

  /** = `identity().removeAll({ roleAssignments }).apply(options)`; role assignments as with {@link IdentityHandle.disableSystemAssigned}. */
  async removeAll(options: DisableIdentityOptions = {}): Promise<IdentityResult> {
    const { roleAssignments, ...applyOptions } = options ?? {};
    return this.identity().removeAll({ roleAssignments }).apply(applyOptions);
  }

  /**
   * The role assignments held by the resource's system identity, in its
   * subscription (at, above and below it); `[]` when it has none. One read of
   * the resource, then the list, page by page.
   */
  async roleAssignments(options?: OperationOptions): Promise<RoleAssignmentInfo[]> {
    const { connection, target } = wired(this);
    const op = createOperation(connection, "VmIdentityClient.listRoleAssignments", options);
    return op.run(() => systemIdentityRoleAssignments(op, target));
  }

  /**
   * Revoke a role from the resource's system identity: `role` a role name
   * (looked up at the scope), a role definition GUID or a full role
   * definition id; `scope` a subscription, resource group or resource id
   * (both checked before any request, with the codes `grant()` uses). Reads
   * the resource for its principal, finds the assignment it holds for that
   * role at exactly that scope (by the name a grant gives it, else in its
   * list) and deletes it. `{ revoked: false }` when there is none (no system
   * identity, no such assignment, or one already gone); otherwise
   * `{ revoked: true, roleAssignment }`. To grant, use
   * `identity().grant({ role, scope }).apply()`.
   */
  async revoke(grant: { role: string; scope: string }, options?: OperationOptions): Promise<RoleRevocation> {
    const checked = validateRoleGrant(grant, "revoke");
    if (checked.identity !== undefined) {
      throw new InvalidInputError(
        "InvalidRoleGrant",
        `Invalid revoke: this revokes from the system identity; to revoke from a user-assigned identity use client.userAssignedIdentity(...).revoke() (leave out identity ${describeValue(checked.identity)}).`,
        grant,
      );
    }
    const role = parseRole(checked.role);
    const scope = parseRoleScope(checked.scope);
    const { connection, target } = wired(this);
    const op = createOperation(connection, "VmIdentityClient.revokeRole", options);
    return op.run(async () => {
      const { identity } = await readResource(op, target.url);
      const principalId = hasSystemAssigned(identity.type) ? identity.systemAssigned?.principalId : undefined;
      return revokeRole(op, { role, scope, principalId });
    });
  }

  /** = `identity().assignUserAssigned(ids).apply(options)` */
  async assignUserAssigned(ids: string | readonly string[], options?: ApplyIdentityOptions): Promise<IdentityResult> {
    return this.identity().assignUserAssigned(ids).apply(options);
  }

  /** = `identity().removeUserAssigned(ids).apply(options)` */
  async removeUserAssigned(ids: string | readonly string[], options?: ApplyIdentityOptions): Promise<IdentityResult> {
    return this.identity().removeUserAssigned(ids).apply(options);
  }
}
