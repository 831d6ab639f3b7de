import type { TokenCredential } from "@azure/core-auth";
import { InvalidInputError, describeValue } from "../core/errors.js";
import {
  type ComputeResourceRef,
  type ResourceGroupScoped,
  parseComputeResourceId,
  parseVmResourceId,
  parseVmssResourceId,
  vmResourceId,
} from "../core/resourceId.js";
import type { UserAssignedIdentityInfo } from "../core/userAssignedIdentity.js";
import { validateIdentityName, validateResourceGroupName, validateScaleSetName, validateVmName } from "../core/validation.js";
import { type MigrationReport, type MigrationSelection, migrateFromMsiExtension, migrationSource } from "../fleet/migration.js";
import type { FleetEntry } from "../fleet/runFleet.js";
import { type VmSelection, checkSelection, selectVms } from "../fleet/selection.js";
import { type ArmConnection, createArmConnection } from "../http/connection.js";
import { listIdentityResources } from "../operations/userAssignedIdentity.js";
import type { MigrationOptions, OperationOptions, VmIdentityClientOptions } from "../options.js";
import { type UserAssignedIdentityHandle, createUserAssignedIdentityHandle } from "./UserAssignedIdentityHandle.js";
import { type VmFleet, createVmFleet } from "./VmFleet.js";
import { type VmHandle, createVmHandle } from "./VmHandle.js";
import { type VmssHandle, createVmssHandle } from "./VmssHandle.js";
import { operationStream } from "./operationStream.js";

/** How `#resolve` reads one kind of resource. */
interface ResolvedKind {
  what: string;
  collection: string;
  parse(id: string): ResourceGroupScoped;
  validateName(name: unknown): string;
}
const VM_KIND: ResolvedKind = { what: "virtual machine", collection: "virtualMachines", parse: parseVmResourceId, validateName: validateVmName };
const VMSS_KIND: ResolvedKind = { what: "virtual machine scale set", collection: "virtualMachineScaleSets", parse: parseVmssResourceId, validateName: validateScaleSetName };

/** A VM named by its resource id, or by resource group and name in the client's subscription. */
export type VmTarget = string | { resourceGroup: string; name: string };

/**
 * Configures managed identities on Azure virtual machines through Azure
 * Resource Manager, authenticating with any `@azure/identity` credential.
 *
 * ```ts
 * const client = new VmIdentityClient(new DefaultAzureCredential(), subscriptionId);
 * await client.vm("rg", "vm").identity().enableSystemAssigned().apply();
 * ```
 */
export class VmIdentityClient {
  /** The subscription of handles made by name. */
  readonly subscriptionId: string;
  /** The ARM origin requests go to. */
  readonly endpoint: string;
  readonly #connection: ArmConnection;

  /**
   * Everything is validated here, before any request: the credential, the
   * subscription id (a GUID), the endpoint (https, or http to a loopback
   * host), api-versions (Compute before 2018-06-01 is refused with
   * `UnsupportedApiVersion`), scopes and durations.
   */
  constructor(credential: TokenCredential, subscriptionId: string, options: VmIdentityClientOptions = {}) {
    this.#connection = createArmConnection(credential, subscriptionId, options);
    this.subscriptionId = this.#connection.target.subscriptionId;
    this.endpoint = this.#connection.target.endpoint;
  }

  /** Resolve one VM target: a full id (in this client's subscription unless `anySubscription`), or group and name. */
  #resolve(target: unknown, name: unknown, anySubscription: boolean, kind: ResolvedKind = VM_KIND): ResourceGroupScoped {
    if (name === undefined && typeof target === "string" && target.startsWith("/")) {
      const parsed = kind.parse(target);
      if (!anySubscription && parsed.subscriptionId.toLowerCase() !== this.subscriptionId.toLowerCase()) {
        throw new InvalidInputError(
          "InvalidResourceId",
          `Invalid ${kind.what} id ${describeValue(target)}: it is in subscription ${parsed.subscriptionId}, but this client is for ${this.subscriptionId}.`,
          target,
        );
      }
      return parsed.subscriptionId.toLowerCase() === this.subscriptionId.toLowerCase() ? { ...parsed, subscriptionId: this.subscriptionId } : parsed;
    }
    if (name === undefined && typeof target === "string") {
      throw new InvalidInputError(
        "InvalidResourceId",
        `Invalid ${kind.what} ${describeValue(target)}: expected a resource id such as /subscriptions/<GUID>/resourceGroups/<group>/providers/Microsoft.Compute/${kind.collection}/<name>, or a resource group and a name.`,
        target,
      );
    }
    return { subscriptionId: this.subscriptionId, resourceGroup: validateResourceGroupName(target), name: kind.validateName(name) };
  }

  /**
   * A handle on one VM, by resource group and name or by full resource id
   * (which must be in this client's subscription). Validated now: a bad value
   * throws before any request.
   */
  vm(resourceGroupOrId: string, name?: string): VmHandle {
    return createVmHandle(this.#connection, this.#resolve(resourceGroupOrId, name, false));
  }

  /**
   * A handle on one virtual machine scale set, by resource group and name or
   * by full resource id (in this client's subscription). Validated now: a bad
   * value throws before any request.
   */
  vmss(resourceGroupOrId: string, name?: string): VmssHandle {
    return createVmssHandle(this.#connection, this.#resolve(resourceGroupOrId, name, false, VMSS_KIND));
  }

  /**
   * Move a fleet off the deprecated MSI extension: find the VMs and scale
   * sets of `selection` that carry `ManagedIdentityExtensionForWindows` or
   * `...ForLinux` (from list pages: no read per resource when the page shows
   * its extensions), report each with its identities, and remove the
   * extension at the fleet's pace, under its budgets, from each that keeps a
   * managed identity (a resource with none is skipped unless `force`: its
   * applications would lose their tokens). With `upgradeInstances`, Manual
   * scale sets' instances are brought up to the model without it. With
   * `dryRun`, nothing is written: the report holds the exact requests.
   *
   * `selection` is what `vms()` takes: ids (of VMs, scale sets, or their
   * extensions), `{ resourceGroup }`, `{ subscriptions, tags, location }` or
   * `{ query }`. It and the options are checked before any request (a bad
   * one rejects with an `InvalidInputError`). A `journal` makes the
   * migration resumable; `dryRun` writes none.
   */
  async migrateFromMsiExtension(selection: MigrationSelection, options: MigrationOptions = {}): Promise<MigrationReport> {
    const source = migrationSource(selection, this.subscriptionId, (target) => this.#computeEntry(target));
    return migrateFromMsiExtension(this.#connection, source, options);
  }

  /** A VM or scale set id (in any subscription), or `{ resourceGroup, name }` of a VM in this client's. */
  #computeEntry(target: unknown): ComputeResourceRef {
    if (typeof target === "string") {
      const ref = parseComputeResourceId(target);
      return ref.subscriptionId.toLowerCase() === this.subscriptionId.toLowerCase() ? { ...ref, subscriptionId: this.subscriptionId } : ref;
    }
    return { kind: "virtualMachine", ...this.#entry(target).vm! };
  }

  #entry(target: unknown): FleetEntry {
    if (typeof target === "string") {
      const vm = this.#resolve(target, undefined, true);
      return { resourceId: target, vm };
    }
    const t = target as { resourceGroup?: unknown; name?: unknown } | null;
    if (t === null || typeof t !== "object") {
      throw new InvalidInputError("InvalidResourceId", `Invalid fleet entry ${describeValue(target)}: expected a VM resource id or { resourceGroup, name }.`, target);
    }
    const vm = this.#resolve(t.resourceGroup, t.name ?? "", false);
    return { resourceId: vmResourceId(vm), vm };
  }

  /**
   * Many VMs at once, by resource id (in any subscription) or
   * `{ resourceGroup, name }` (in this client's), listed or streamed; or
   * every VM of a resource group (`{ resourceGroup }`), of subscriptions
   * (`{ subscriptions?, tags?, location? }`), or of a Resource Graph query
   * (`{ query }`), read when the fleet runs. A VM from a list page is planned
   * from it (no GET when the page carries its etag); a selection that matches
   * nothing is a fleet of none, not an error.
   *
   * A listed selection is validated now: one bad entry throws before any
   * request. A streamed one (an `AsyncIterable`) is read as the fleet runs,
   * once; an entry that is not a VM id fails on its own. Entries naming the
   * same VM again (ids compare case-insensitively) each get a result, marked
   * `duplicateOf`, and the VM is worked on once.
   */
  vms(targets: readonly VmTarget[] | AsyncIterable<VmTarget> | VmSelection): VmFleet {
    if (targets !== null && typeof targets === "object" && !Array.isArray(targets) && !(Symbol.asyncIterator in targets)) {
      // A resource group, subscriptions with filters, or a Resource Graph query: listed when the fleet runs.
      const selection = checkSelection(targets as VmSelection, this.subscriptionId);
      return createVmFleet(
        this.#connection,
        (fleet) => ({
          async *[Symbol.asyncIterator]() {
            for await (const selected of selectVms(fleet, selection)) yield selected;
          },
        }),
        [],
      );
    }
    if (Array.isArray(targets)) {
      const entries = targets.map((target) => this.#entry(target));
      return createVmFleet(this.#connection, () => entries, entries.map((e) => e.resourceId));
    }
    if (targets && typeof (targets as AsyncIterable<VmTarget>)[Symbol.asyncIterator] === "function") {
      const source = targets as AsyncIterable<VmTarget>;
      const entry = (target: VmTarget): FleetEntry => {
        try {
          return this.#entry(target);
        } catch (e) {
          return { resourceId: typeof target === "string" ? target : describeValue(target), error: e as Error };
        }
      };
      return createVmFleet(
        this.#connection,
        () => ({
          async *[Symbol.asyncIterator]() {
            for await (const target of source) yield entry(target);
          },
        }),
        [],
      );
    }
    throw new InvalidInputError(
      "InvalidOption",
      `Invalid targets ${describeValue(targets)}: expected an array (or an AsyncIterable) of VM resource ids or { resourceGroup, name }.`,
      targets,
    );
  }

  /** A handle on one user-assigned identity resource. */
  userAssignedIdentity(resourceGroup: string, name: string): UserAssignedIdentityHandle {
    return createUserAssignedIdentityHandle(this.#connection, {
      subscriptionId: this.subscriptionId,
      resourceGroup: validateResourceGroupName(resourceGroup),
      name: validateIdentityName(name),
    });
  }

  /**
   * Every user-assigned identity of the subscription, or of one resource
   * group, page by page as you iterate.
   */
  listUserAssignedIdentities(options: OperationOptions & { resourceGroup?: string } = {}): AsyncIterable<UserAssignedIdentityInfo> {
    const { resourceGroup, ...callOptions } = options;
    const scope = {
      subscriptionId: this.subscriptionId,
      ...(resourceGroup === undefined ? {} : { resourceGroup: validateResourceGroupName(resourceGroup) }),
    };
    return operationStream(this.#connection, "VmIdentityClient.listUserAssignedIdentities", callOptions, (op) => listIdentityResources(op, scope));
  }
}
