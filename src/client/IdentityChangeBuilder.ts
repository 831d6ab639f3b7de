import type { IdentityChange } from "../core/planIdentityChange.js";
import type { ArmConnection } from "../http/connection.js";
import type { ArmPoller } from "../http/lro.js";
import { createOperation } from "../http/operation.js";
import {
  type IdentityPlan,
  type IdentityResult,
  type IdentityTarget,
  beginIdentityChange,
  checkApplyOptions,
  planIdentity,
} from "../operations/identity.js";
import type { ApplyIdentityOptions, OperationOptions } from "../options.js";
import { construct } from "./construct.js";
import { IdentityChangeSet } from "./IdentityChangeSet.js";

/**
 * An immutable change set for the identities of one VM (or scale set). Each
 * method returns a new builder; nothing is sent until `plan()` (one GET),
 * `apply()` or `beginApply()`. Changes fold in order over the identity the
 * resource has when applied.
 */
export class IdentityChangeBuilder extends IdentityChangeSet<IdentityChangeBuilder> {
  private constructor(
    private readonly connection: ArmConnection,
    private readonly target: IdentityTarget,
    changes: readonly IdentityChange[],
  ) {
    super(changes);
  }

  protected derive(changes: readonly IdentityChange[]): IdentityChangeBuilder {
    return createIdentityChangeBuilder(this.connection, this.target, changes);
  }

  /** Read the resource and show what `apply()` would send, without writing. */
  async plan(options: OperationOptions & Pick<ApplyIdentityOptions, "concurrency"> = {}): Promise<IdentityPlan> {
    checkApplyOptions(options);
    const op = createOperation(this.connection, "VmIdentityClient.planIdentityChange", options);
    return op.run(() => planIdentity(op, this.target, this.changes, options.concurrency));
  }

  /**
   * Start the change and return its `@azure/core-lro` poller at once:
   * `await poller.pollUntilDone()` (or `await poller`) for the
   * {@link IdentityResult}; `isDone`, `operationState` and `serialize()` as
   * any core-lro poller. Bad options throw here, before any request.
   */
  beginApply(options: ApplyIdentityOptions = {}): ArmPoller<IdentityResult> {
    checkApplyOptions(options);
    const op = createOperation(this.connection, "VmIdentityClient.applyIdentityChange", options);
    return beginIdentityChange(op, this.target, this.changes, options);
  }

  /** Read, PATCH once (not at all for a no-op), wait and read back: `beginApply()` then `pollUntilDone()`. */
  async apply(options: ApplyIdentityOptions = {}): Promise<IdentityResult> {
    return this.beginApply(options).pollUntilDone();
  }
}

/** Internal: a builder for `target`. */
export function createIdentityChangeBuilder(
  connection: ArmConnection,
  target: IdentityTarget,
  changes: readonly IdentityChange[] = [],
): IdentityChangeBuilder {
  return construct(IdentityChangeBuilder, connection, target, changes);
}
