import { type IdentityChange, userAssignedChange } from "../core/planIdentityChange.js";
import { InvalidInputError, describeValue } from "../errors.js";

/** Accepts ids one by one, as arrays, or both. */
export function toList(ids: string | readonly string[]): string[] {
  if (typeof ids === "string") return [ids];
  if (!Array.isArray(ids)) {
    throw new InvalidInputError(
      "InvalidUserAssignedIdentityId",
      `Invalid user-assigned identity ids ${describeValue(ids)}: expected a resource id or an array of them.`,
      ids,
    );
  }
  return [...ids];
}

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
    return this.with(userAssignedChange("assignUserAssigned", ids.flatMap(toList)));
  }

  /** Detach user-assigned identities; each must be attached by then. */
  removeUserAssigned(...ids: (string | readonly string[])[]): Self {
    return this.with(userAssignedChange("removeUserAssigned", ids.flatMap(toList)));
  }

  /** Remove every identity, system and user-assigned. */
  removeAll(): Self {
    return this.with({ op: "removeAll" });
  }
}
