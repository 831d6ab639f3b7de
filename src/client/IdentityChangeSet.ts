import { type IdentityChange, toIdList, userAssignedChange } from "../core/planIdentityChange.js";
import { type AccessChanges, NO_ACCESS_CHANGES, type RoleGrant, validateRoleAssignmentsOnDisable, validateRoleGrant } from "../core/roles.js";
import type { DisableSystemAssignedOptions } from "../options.js";

/**
 * The fluent, immutable change list shared by the one-VM and the fleet
 * builders: each method returns a new builder with one more change. Ids,
 * roles and scopes are validated as they are given, before any request.
 */
export abstract class IdentityChangeSet<Self> {
  /** The identity changes, in order. */
  readonly changes: readonly IdentityChange[];
  /** The role assignment part: the grants, and what a disabled system identity's role assignments become. */
  readonly access: AccessChanges;

  protected constructor(changes: readonly IdentityChange[], access: AccessChanges = NO_ACCESS_CHANGES) {
    this.changes = Object.freeze([...changes]);
    this.access = Object.freeze({ grants: Object.freeze([...access.grants]), roleAssignments: access.roleAssignments });
  }

  /** A builder like this one, holding `changes` and `access`. */
  protected abstract derive(changes: readonly IdentityChange[], access: AccessChanges): Self;

  private with(change: IdentityChange, access: AccessChanges = this.access): Self {
    return this.derive([...this.changes, change], access);
  }

  /** The access part with the `roleAssignments` option of a disable applied (the last one given wins). */
  private onDisable(options: DisableSystemAssignedOptions | undefined): AccessChanges {
    if (options === undefined || options.roleAssignments === undefined) return this.access;
    return { ...this.access, roleAssignments: validateRoleAssignmentsOnDisable(options.roleAssignments) };
  }

  /** Turn on the system-assigned identity. */
  enableSystemAssigned(): Self {
    return this.with({ op: "enableSystemAssigned" });
  }

  /**
   * Turn off the system-assigned identity (Azure deletes its principal). Its
   * role assignments are kept, orphaned, as ARM does (each named in a
   * warning and in the result), unless `{ roleAssignments: "delete" }`
   * deletes them first.
   */
  disableSystemAssigned(options?: DisableSystemAssignedOptions): Self {
    return this.with({ op: "disableSystemAssigned" }, this.onDisable(options));
  }

  /** Attach user-assigned identities, by full resource id. */
  assignUserAssigned(...ids: (string | readonly string[])[]): Self {
    return this.with(userAssignedChange("assignUserAssigned", ids.flatMap(toIdList)));
  }

  /** Detach user-assigned identities; each must be attached by then. */
  removeUserAssigned(...ids: (string | readonly string[])[]): Self {
    return this.with(userAssignedChange("removeUserAssigned", ids.flatMap(toIdList)));
  }

  /** Remove every identity, system and user-assigned; the system identity's role assignments as with {@link IdentityChangeSet.disableSystemAssigned}. */
  removeAll(options?: DisableSystemAssignedOptions): Self {
    return this.with({ op: "removeAll" }, this.onDisable(options));
  }

  /**
   * Grant a role once the identity change is done, in the same call: to the
   * system identity, or to the user-assigned identity `identity` (one the
   * change assigns or the resource holds). `role` is a role name (looked up
   * at the scope), a role definition GUID or a full role definition id;
   * `scope` a subscription, resource group or resource id. The assignment's
   * name is derived from the scope, the principal and the role, so applying
   * the same grant again finds it instead of adding another.
   */
  grant(grant: RoleGrant): Self {
    return this.derive(this.changes, { ...this.access, grants: [...this.access.grants, validateRoleGrant(grant)] });
  }
}
