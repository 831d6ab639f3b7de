import type { IdentityChange } from "../core/planIdentityChange.js";
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
import { IdentityChangeSet } from "./IdentityChangeSet.js";

/**
 * An immutable change set for one VM's identities. Each method returns a new
 * builder; nothing is sent until `plan()` (one GET) or `apply()`.
 * Changes fold in order over the identity the VM has when applied.
 */
export class IdentityChangeBuilder extends IdentityChangeSet<IdentityChangeBuilder> {
  /** @internal */
  constructor(
    private readonly cc: ClientContext,
    private readonly vm: ResourceGroupScoped,
    changes: readonly IdentityChange[] = [],
  ) {
    super(changes);
  }

  protected derive(changes: readonly IdentityChange[]): IdentityChangeBuilder {
    return new IdentityChangeBuilder(this.cc, this.vm, changes);
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
