import { validateMsiExtensionOptions } from "../core/msiExtension.js";
import type { IdentityChange } from "../core/planIdentityChange.js";
import { type AccessChanges, NO_ACCESS_CHANGES } from "../core/roles.js";
import type { FleetResult, FleetResults, FleetRunStats } from "../fleet/results.js";
import { type FleetEntry, runFleet } from "../fleet/runFleet.js";
import { type FleetIdentityOutcome, identityPlanTask, identityTask, msiInstallTask, msiRemoveTask } from "../fleet/tasks.js";
import type { ArmConnection } from "../http/connection.js";
import type { Operation } from "../http/operation.js";
import { type IdentityPlan, checkApplyOptions } from "../operations/identity.js";
import { type IdentityAccess, createAccessContext } from "../operations/identityAccess.js";
import type { VmExtensionResource } from "../operations/msiExtension.js";
import type { ApplyIdentityOptions, FleetIdentityOptions, FleetOptions, MsiExtensionInstallOptions } from "../options.js";
import { construct } from "./construct.js";
import { IdentityChangeSet } from "./IdentityChangeSet.js";

export type { FleetIdentityOutcome };

/** What a fleet's entries come from: a list, a stream the fleet reads as it goes, or lists and queries it sends. */
type EntrySource = (fleet: Operation) => Iterable<FleetEntry> | AsyncIterable<FleetEntry>;

/** The same fluent, immutable change set as `vm.identity()`, applied to every VM of a fleet. */
export class FleetIdentityBuilder extends IdentityChangeSet<FleetIdentityBuilder> {
  private constructor(
    private readonly connection: ArmConnection,
    private readonly entries: EntrySource,
    changes: readonly IdentityChange[],
    access: AccessChanges,
  ) {
    super(changes, access);
  }

  /** A fleet builder over the same VMs, holding `changes` and `access`. */
  protected derive(changes: readonly IdentityChange[], access: AccessChanges): FleetIdentityBuilder {
    return construct(FleetIdentityBuilder, this.connection, this.entries, changes, access);
  }

  /** What a journal records as the fleet's work: the changes, and the role assignment part when there is one (so older journals stay valid). */
  private get work(): unknown {
    const plain = this.access.grants.length === 0 && this.access.roleAssignments === "keep";
    return plain ? this.changes : { changes: this.changes, access: this.access };
  }

  /** One run's role assignment context: each role name looked up once for the whole fleet, a shared identity's grant made once. */
  private runAccess(): IdentityAccess {
    return { changes: this.access, context: createAccessContext() };
  }

  /** Read every VM and show the requests each would get (the PATCH, and any role assignment writes); writes nothing. */
  async plan(options: FleetOptions = {}): Promise<FleetResults<{ plan: IdentityPlan }>> {
    const spec = { name: "VmIdentityClient.fleet.planIdentityChange", work: this.work };
    return runFleet(this.connection, spec, this.entries, identityPlanTask(this.changes, this.runAccess()), options).all();
  }

  /** Apply the change to every VM. Resolves with one result per entry, in input order; never rejects because one VM failed. */
  async apply(options: FleetIdentityOptions = {}): Promise<FleetResults<FleetIdentityOutcome>> {
    return this.run(options).all();
  }

  /**
   * The same as `apply()`, streamed: each result as its VM finishes (with its
   * `index` in the selection), so memory stays bounded by the concurrency, not
   * the fleet's size. The generator's return value is the run's figures.
   */
  results(options: FleetIdentityOptions = {}): AsyncGenerator<FleetResult<FleetIdentityOutcome>, FleetRunStats> {
    return this.run(options).results();
  }

  private run(options: FleetIdentityOptions) {
    const { writeMode, maxAttempts, conflictRetryDelayInMs, replicationRetryDelayInMs, replicationTimeoutInMs, ...fleetOptions } = options;
    const perVm: ApplyIdentityOptions = {
      ...(writeMode === undefined ? {} : { concurrency: writeMode }),
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
      ...(conflictRetryDelayInMs === undefined ? {} : { conflictRetryDelayInMs }),
      ...(replicationRetryDelayInMs === undefined ? {} : { replicationRetryDelayInMs }),
      ...(replicationTimeoutInMs === undefined ? {} : { replicationTimeoutInMs }),
    };
    checkApplyOptions(perVm);
    const spec = { name: "VmIdentityClient.fleet.applyIdentityChange", work: this.work };
    return runFleet(this.connection, spec, this.entries, identityTask(this.changes, perVm, this.runAccess()), fleetOptions);
  }
}

/** Many VMs at once. Made by `client.vms(...)`; listed targets are validated when it is made. */
export class VmFleet {
  /** The full resource id of every listed VM, in the order given (empty for a streamed selection). */
  readonly resourceIds: readonly string[];
  /** The legacy MSI extension on every VM of the fleet. */
  readonly msiExtension: {
    install(options?: MsiExtensionInstallOptions, fleetOptions?: FleetOptions): Promise<FleetResults<{ extension: VmExtensionResource }>>;
    remove(options?: { name?: string }, fleetOptions?: FleetOptions): Promise<FleetResults<{ name: string }>>;
  };

  private constructor(
    private readonly connection: ArmConnection,
    private readonly entries: EntrySource,
    resourceIds: readonly string[],
  ) {
    this.resourceIds = Object.freeze([...resourceIds]);
    this.msiExtension = {
      install: async (options = {}, fleetOptions = {}) => {
        validateMsiExtensionOptions(options);
        const spec = { name: "VmIdentityClient.fleet.installMsiExtension", work: options };
        return runFleet(connection, spec, entries, msiInstallTask(options), fleetOptions).all();
      },
      remove: async (options = {}, fleetOptions = {}) => {
        validateMsiExtensionOptions(options);
        const spec = { name: "VmIdentityClient.fleet.removeMsiExtension", work: options };
        return runFleet(connection, spec, entries, msiRemoveTask(options.name), fleetOptions).all();
      },
    };
  }

  /** Start an identity change set for every VM. */
  identity(): FleetIdentityBuilder {
    return construct(FleetIdentityBuilder, this.connection, this.entries, [], NO_ACCESS_CHANGES);
  }
}

/** Internal: a fleet over `entries` (a function, so that each run sends its own lists and queries). */
export function createVmFleet(connection: ArmConnection, entries: EntrySource, resourceIds: readonly string[]): VmFleet {
  return construct(VmFleet, connection, entries, resourceIds);
}
