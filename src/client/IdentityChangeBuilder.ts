import type { IdentityChange } from "../core/planIdentityChange.js";
import { type AccessChanges, NO_ACCESS_CHANGES } from "../core/roles.js";
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
import { createAccessContext } from "../operations/identityAccess.js";
import type { ApplyIdentityOptions, OperationOptions } from "../options.js";
import { construct } from "./construct.js";
import { IdentityChangeSet } from "./IdentityChangeSet.js";

/**
 * An immutable change set for the identities of one VM (or scale set), and
 * the roles to grant them. Each method returns a new builder; nothing is
 * sent until `plan()` (reads only), `apply()` or `beginApply()`. Changes fold
 * in order over the identity the resource has when applied; grants follow
 * the identity write, on the principals it read back.
 */
export class IdentityChangeBuilder extends IdentityChangeSet<IdentityChangeBuilder> {
  private constructor(
    private readonly connection: ArmConnection,
    private readonly target: IdentityTarget,
    changes: readonly IdentityChange[],
    access: AccessChanges,
  ) {
    super(changes, access);
  }

  /** A builder for the same VM (or scale set), holding `changes` and `access`. */
  protected derive(changes: readonly IdentityChange[], access: AccessChanges): IdentityChangeBuilder {
    return createIdentityChangeBuilder(this.connection, this.target, changes, access);
  }

  /**
   * Read the resource and show what `apply()` would send, without writing:
   * `requests` holds every write in order (role assignment DELETEs, the
   * PATCH, role assignment PUTs, a principal not yet made shown as pending).
   * Role names are looked up and existing grants found, as `apply()` does.
   */
  async plan(options: OperationOptions & Pick<ApplyIdentityOptions, "concurrency"> = {}): Promise<IdentityPlan> {
    checkApplyOptions(options);
    const op = createOperation(this.connection, "VmIdentityClient.planIdentityChange", options);
    const access = { changes: this.access, context: createAccessContext() };
    return op.run(() => planIdentity(op, this.target, this.changes, options.concurrency, access));
  }

  /**
   * Start the change and return its `@azure/core-lro` poller at once:
   * `await poller.pollUntilDone()` (or `await poller`) for the
   * {@link IdentityResult}; `isDone`, `operationState` and `serialize()` as
   * any core-lro poller. Bad options throw here, before any request. The
   * grants, if any, are made once the identity write is done, before the
   * poller resolves.
   */
  beginApply(options: ApplyIdentityOptions = {}): ArmPoller<IdentityResult> {
    checkApplyOptions(options);
    const op = createOperation(this.connection, "VmIdentityClient.applyIdentityChange", options);
    return beginIdentityChange(op, this.target, this.changes, options, {}, { changes: this.access, context: createAccessContext() });
  }

  /** Read, PATCH once (not at all for a no-op), wait and read back, then grant: `beginApply()` then `pollUntilDone()`. */
  async apply(options: ApplyIdentityOptions = {}): Promise<IdentityResult> {
    return this.beginApply(options).pollUntilDone();
  }
}

/** Internal: a builder for `target`. */
export function createIdentityChangeBuilder(
  connection: ArmConnection,
  target: IdentityTarget,
  changes: readonly IdentityChange[] = [],
  access: AccessChanges = NO_ACCESS_CHANGES,
): IdentityChangeBuilder {
  return construct(IdentityChangeBuilder, connection, target, changes, access);
}
