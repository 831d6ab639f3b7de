import { type IdentityChange, toIdList, userAssignedChange } from "../core/planIdentityChange.js";

/**
 * The fluent, immutable change list shared by the one-VM and the fleet
 * builders: each method returns a new builder with one more change. Ids are
 * validated as they are given, before any request.
 */
export abstract class IdentityChangeSet<Self> {
  /** The changes, in order. */
  readonly changes: readonly IdentityChange[];

  protected constructor(changes: readonly IdentityChange[]) {
    this.changes = Object.freeze([...changes]);
  }

  /** A builder like this one, holding `changes`. */
  protected abstract derive(changes: readonly IdentityChange[]): Self;

  private with(change: IdentityChange): Self {
    return this.derive([...this.changes, change]);
  }

  /** Turn on the system-assigned identity. */
  enableSystemAssigned(): Self {
    return this.with({ op: "enableSystemAssigned" });
  }

  /** Turn off the system-assigned identity (Azure deletes its principal). */
  disableSystemAssigned(): Self {
    return this.with({ op: "disableSystemAssigned" });
  }

  /** Attach user-assigned identities, by full resource id. */
  assignUserAssigned(...ids: (string | readonly string[])[]): Self {
    return this.with(userAssignedChange("assignUserAssigned", ids.flatMap(toIdList)));
  }

  /** Detach user-assigned identities; each must be attached by then. */
  removeUserAssigned(...ids: (string | readonly string[])[]): Self {
    return this.with(userAssignedChange("removeUserAssigned", ids.flatMap(toIdList)));
  }

  /** Remove every identity, system and user-assigned. */
  removeAll(): Self {
    return this.with({ op: "removeAll" });
  }
}
