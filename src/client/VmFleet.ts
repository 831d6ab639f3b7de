import { vmExtensionHost } from "../core/armRequests.js";
import type { VmIdentity } from "../core/identity.js";
import { validateMsiExtensionOptions } from "../core/msiExtension.js";
import type { IdentityChange } from "../core/planIdentityChange.js";
import { type FleetEntry, runFleet } from "../fleet/runFleet.js";
import type { FleetResult, FleetResults, FleetRunStats } from "../fleet/results.js";
import type { ArmConnection } from "../http/connection.js";
import { type IdentityPlan, beginIdentityChange, checkApplyOptions, planIdentity, vmIdentityTarget } from "../operations/identity.js";
import { type VmExtensionResource, installMsiExtension, removeMsiExtension } from "../operations/msiExtension.js";
import type { ApplyIdentityOptions, FleetIdentityOptions, FleetOptions, MsiExtensionInstallOptions } from "../options.js";
import { construct } from "./construct.js";
import { IdentityChangeSet } from "./IdentityChangeSet.js";

/** What a fleet identity change reports per VM, besides its status. */
export interface FleetIdentityOutcome {
  identity: VmIdentity;
  attempts: number;
}

/** What a fleet's entries come from: a list, or a stream the fleet reads as it goes. */
type EntrySource = Iterable<FleetEntry> | AsyncIterable<FleetEntry>;

/** The same fluent, immutable change set as `vm.identity()`, applied to every VM of a fleet. */
export class FleetIdentityBuilder extends IdentityChangeSet<FleetIdentityBuilder> {
  private constructor(
    private readonly connection: ArmConnection,
    private readonly entries: () => EntrySource,
    changes: readonly IdentityChange[],
  ) {
    super(changes);
  }

  protected derive(changes: readonly IdentityChange[]): FleetIdentityBuilder {
    return construct(FleetIdentityBuilder, this.connection, this.entries, changes);
  }

  /** Read every VM and show the PATCH each would get; writes nothing. */
  async plan(options: FleetOptions = {}): Promise<FleetResults<{ plan: IdentityPlan }>> {
    return runFleet<{ plan: IdentityPlan }>(
      this.connection,
      "VmIdentityClient.fleet.planIdentityChange",
      this.entries(),
      async (vm, op) => {
        const plan = await planIdentity(op, vmIdentityTarget(op.target, vm), this.changes);
        return { changed: plan.request !== undefined, extra: { plan } };
      },
      options,
    ).all();
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
    const { writeMode, maxAttempts, conflictRetryDelayInMs, ...fleetOptions } = options;
    const perVm: ApplyIdentityOptions = {
      ...(writeMode === undefined ? {} : { concurrency: writeMode }),
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
      ...(conflictRetryDelayInMs === undefined ? {} : { conflictRetryDelayInMs }),
    };
    checkApplyOptions(perVm);
    return runFleet<FleetIdentityOutcome>(
      this.connection,
      "VmIdentityClient.fleet.applyIdentityChange",
      this.entries(),
      async (vm, op) => {
        const result = await beginIdentityChange(op, vmIdentityTarget(op.target, vm), this.changes, perVm).pollUntilDone();
        return { changed: result.changed, extra: { identity: result.identity, attempts: result.attempts } };
      },
      fleetOptions,
    );
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
    private readonly entries: () => EntrySource,
    resourceIds: readonly string[],
  ) {
    this.resourceIds = Object.freeze([...resourceIds]);
    this.msiExtension = {
      install: async (options = {}, fleetOptions = {}) => {
        validateMsiExtensionOptions(options);
        return runFleet<{ extension: VmExtensionResource }>(
          connection,
          "VmIdentityClient.fleet.installMsiExtension",
          entries(),
          async (vm, op) => ({ changed: true, extra: { extension: await installMsiExtension(op, vmExtensionHost(op.target, vm), options) } }),
          fleetOptions,
        ).all();
      },
      remove: async (options = {}, fleetOptions = {}) => {
        validateMsiExtensionOptions(options);
        return runFleet<{ name: string }>(
          connection,
          "VmIdentityClient.fleet.removeMsiExtension",
          entries(),
          async (vm, op) => {
            const { removed, name } = await removeMsiExtension(op, vmExtensionHost(op.target, vm), options.name);
            return { changed: removed, extra: { name } };
          },
          fleetOptions,
        ).all();
      },
    };
  }

  /** Start an identity change set for every VM. */
  identity(): FleetIdentityBuilder {
    return construct(FleetIdentityBuilder, this.connection, this.entries, []);
  }
}

/** Internal: a fleet over `entries` (a function, so that a stream is read anew by each run). */
export function createVmFleet(connection: ArmConnection, entries: () => EntrySource, resourceIds: readonly string[]): VmFleet {
  return construct(VmFleet, connection, entries, resourceIds);
}
