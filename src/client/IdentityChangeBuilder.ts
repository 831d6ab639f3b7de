import { type IdentityChange, userAssignedChange } from "../core/planIdentityChange.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import {
  type ApplyIdentityOptions,
  type IdentityPlan,
  type IdentityResult,
  applyIdentityChange,
  planOnVm,
} from "../operations/applyIdentityChange.js";
import type { OperationOptions } from "../http/operationContext.js";
import { type ClientContext, startOperation } from "./clientContext.js";

function toList(ids: string | readonly string[] | string[]): string[] {
  return typeof ids === "string" ? [ids] : [...ids];
}

/**
 * An immutable change set for one VM's identities. Each method returns a new
 * builder; nothing is sent until `plan()` (one GET) or `apply()`.
 * Changes fold in order over the identity the VM has when applied.
 */
export class IdentityChangeBuilder {
  /** The changes, in order. */
  readonly changes: readonly IdentityChange[];

  /** @internal */
  constructor(
    private readonly cc: ClientContext,
    private readonly vm: ResourceGroupScoped,
    changes: readonly IdentityChange[] = [],
  ) {
    this.changes = Object.freeze([...changes]);
  }

  private with(change: IdentityChange): IdentityChangeBuilder {
    return new IdentityChangeBuilder(this.cc, this.vm, [...this.changes, change]);
  }

  /** Turn on the system-assigned identity. */
  enableSystemAssigned(): IdentityChangeBuilder {
    return this.with({ op: "enableSystemAssigned" });
  }

  /** Turn off the system-assigned identity (its principal is deleted by Azure). */
  disableSystemAssigned(): IdentityChangeBuilder {
    return this.with({ op: "disableSystemAssigned" });
  }

  /** Attach user-assigned identities, by full resource id. */
  assignUserAssigned(...ids: (string | readonly string[])[]): IdentityChangeBuilder {
    return this.with(userAssignedChange("assignUserAssigned", ids.flatMap(toList)));
  }

  /** Detach user-assigned identities; each must be attached by then. */
  removeUserAssigned(...ids: (string | readonly string[])[]): IdentityChangeBuilder {
    return this.with(userAssignedChange("removeUserAssigned", ids.flatMap(toList)));
  }

  /** Remove every identity, system and user-assigned. */
  removeAll(): IdentityChangeBuilder {
    return this.with({ op: "removeAll" });
  }

  /** Read the VM and show what `apply()` would send, without writing. */
  async plan(options: OperationOptions & Pick<ApplyIdentityOptions, "concurrency"> = {}): Promise<IdentityPlan> {
    const ctx = startOperation(this.cc, "plan", options);
    const { current, desired, request } = await ctx.run(() =>
      planOnVm(this.cc, this.vm, this.changes, ctx, options.concurrency),
    );
    return request ? { current, desired, request } : { current, desired };
  }

  /** Read, PATCH once (not at all for a no-op), wait and read back. */
  async apply(options: ApplyIdentityOptions = {}): Promise<IdentityResult> {
    const ctx = startOperation(this.cc, "apply", options);
    return ctx.run(() => applyIdentityChange(this.cc, this.vm, this.changes, ctx, options));
  }
}

export { toList };
