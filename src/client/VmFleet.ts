import type { IdentityChange } from "../core/planIdentityChange.js";
import type { VmIdentity } from "../core/identity.js";
import { type ResourceGroupScoped, vmResourceId } from "../core/resourceId.js";
import { type FleetOptions, type FleetResults, runFleet } from "../fleet/runFleet.js";
import { type ConcurrencyMode, type IdentityPlan, applyIdentityChange, planOnVm } from "../operations/applyIdentityChange.js";
import {
  type MsiExtensionInstallOptions,
  type VmExtensionResource,
  checkInstallOptions,
  installMsiExtension,
  removeMsiExtension,
} from "../operations/msiExtension.js";
import type { ClientContext } from "./clientContext.js";
import { IdentityChangeSet } from "./IdentityChangeSet.js";

/** Options of a fleet identity change. */
export interface FleetIdentityOptions extends FleetOptions {
  /** Per-VM write guard; see `ApplyIdentityOptions.concurrency`. Default `"optimistic"`. */
  writeMode?: ConcurrencyMode;
}

/** The same fluent, immutable change set as `vm.identity()`, applied to every VM of a fleet. */
export class FleetIdentityBuilder extends IdentityChangeSet<FleetIdentityBuilder> {
  /** @internal */
  constructor(
    private readonly cc: ClientContext,
    private readonly targets: readonly ResourceGroupScoped[],
    changes: readonly IdentityChange[] = [],
  ) {
    super(changes);
  }

  protected derive(changes: readonly IdentityChange[]): FleetIdentityBuilder {
    return new FleetIdentityBuilder(this.cc, this.targets, changes);
  }

  /** Read every VM and show the PATCH each would get; writes nothing. */
  plan(options: FleetOptions = {}): Promise<FleetResults<{ plan: IdentityPlan }>> {
    return runFleet(
      this.cc,
      "plan",
      this.targets,
      async (vm, ctx) => {
        const { current, desired, request } = await planOnVm(this.cc, vm, this.changes, ctx);
        const plan: IdentityPlan = request ? { current, desired, request } : { current, desired };
        return { changed: request !== undefined, extra: { plan } };
      },
      options,
    );
  }

  /** Apply the change to every VM. Resolves with one result per VM; never rejects because one failed. */
  apply(options: FleetIdentityOptions = {}): Promise<FleetResults<{ identity: VmIdentity; attempts: number }>> {
    const perVm = options.writeMode ? { concurrency: options.writeMode } : {};
    return runFleet(
      this.cc,
      "apply",
      this.targets,
      async (vm, ctx) => {
        const result = await applyIdentityChange(this.cc, vm, this.changes, ctx, perVm);
        return { changed: result.changed, extra: { identity: result.identity, attempts: result.attempts } };
      },
      options,
    );
  }
}

/** Many VMs at once. Made by `client.vms(targets)`; every target validated when made. */
export class VmFleet {
  /** The full resource id of every VM, in the order given. */
  readonly resourceIds: readonly string[];
  /** The legacy MSI extension on every VM of the fleet. */
  readonly msiExtension: {
    install(options?: MsiExtensionInstallOptions, fleetOptions?: FleetOptions): Promise<FleetResults<{ extension: VmExtensionResource }>>;
    remove(options?: { name?: string }, fleetOptions?: FleetOptions): Promise<FleetResults<{ name: string }>>;
  };

  /** @internal */
  constructor(
    private readonly cc: ClientContext,
    private readonly targets: readonly ResourceGroupScoped[],
  ) {
    this.resourceIds = Object.freeze(targets.map(vmResourceId));
    this.msiExtension = {
      install: (options = {}, fleetOptions = {}) => {
        checkInstallOptions(options);
        return runFleet(
          cc,
          "msiExtension.install",
          targets,
          async (vm, ctx) => ({ changed: true, extra: { extension: await installMsiExtension(cc, vm, options, ctx) } }),
          fleetOptions,
        );
      },
      remove: (options = {}, fleetOptions = {}) => {
        checkInstallOptions(options);
        return runFleet(
          cc,
          "msiExtension.remove",
          targets,
          async (vm, ctx) => {
            const { removed, name } = await removeMsiExtension(cc, vm, options.name, ctx);
            return { changed: removed, extra: { name } };
          },
          fleetOptions,
        );
      },
    };
  }

  /** Start an identity change set for every VM. */
  identity(): FleetIdentityBuilder {
    return new FleetIdentityBuilder(this.cc, this.targets);
  }
}
