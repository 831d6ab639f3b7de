import type { TokenCredential } from "@azure/core-auth";
import { InvalidInputError, describeValue } from "../core/errors.js";
import { type ResourceGroupScoped, parseVmResourceId, vmResourceId } from "../core/resourceId.js";
import type { UserAssignedIdentityInfo } from "../core/userAssignedIdentity.js";
import { validateIdentityName, validateResourceGroupName, validateVmName } from "../core/validation.js";
import type { FleetEntry } from "../fleet/runFleet.js";
import { type ArmConnection, createArmConnection } from "../http/connection.js";
import { createOperation } from "../http/operation.js";
import { listIdentityResources } from "../operations/userAssignedIdentity.js";
import type { OperationOptions, VmIdentityClientOptions } from "../options.js";
import { type UserAssignedIdentityHandle, createUserAssignedIdentityHandle } from "./UserAssignedIdentityHandle.js";
import { type VmFleet, createVmFleet } from "./VmFleet.js";
import { type VmHandle, createVmHandle } from "./VmHandle.js";

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
  #resolve(target: unknown, name: unknown, anySubscription: boolean): ResourceGroupScoped {
    if (name === undefined && typeof target === "string" && target.startsWith("/")) {
      const parsed = parseVmResourceId(target);
      if (!anySubscription && parsed.subscriptionId.toLowerCase() !== this.subscriptionId.toLowerCase()) {
        throw new InvalidInputError(
          "InvalidResourceId",
          `Invalid virtual machine id ${describeValue(target)}: it is in subscription ${parsed.subscriptionId}, but this client is for ${this.subscriptionId}.`,
          target,
        );
      }
      return parsed.subscriptionId.toLowerCase() === this.subscriptionId.toLowerCase() ? { ...parsed, subscriptionId: this.subscriptionId } : parsed;
    }
    if (name === undefined && typeof target === "string") {
      throw new InvalidInputError(
        "InvalidResourceId",
        `Invalid virtual machine ${describeValue(target)}: expected a resource id such as /subscriptions/<GUID>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name>, or a resource group and a name.`,
        target,
      );
    }
    return { subscriptionId: this.subscriptionId, resourceGroup: validateResourceGroupName(target), name: validateVmName(name) };
  }

  /**
   * A handle on one VM, by resource group and name or by full resource id
   * (which must be in this client's subscription). Validated now: a bad value
   * throws before any request.
   */
  vm(resourceGroupOrId: string, name?: string): VmHandle {
    return createVmHandle(this.#connection, this.#resolve(resourceGroupOrId, name, false));
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
   * `{ resourceGroup, name }` (in this client's), listed or streamed.
   *
   * A listed selection is validated now: one bad entry throws before any
   * request. A streamed one (an `AsyncIterable`) is read as the fleet runs,
   * once; an entry that is not a VM id fails on its own. Entries naming the
   * same VM again (ids compare case-insensitively) each get a result, marked
   * `duplicateOf`, and the VM is worked on once.
   */
  vms(targets: readonly VmTarget[] | AsyncIterable<VmTarget>): VmFleet {
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
    const connection = this.#connection;
    return {
      async *[Symbol.asyncIterator]() {
        const op = createOperation(connection, "VmIdentityClient.listUserAssignedIdentities", callOptions);
        try {
          yield* listIdentityResources(op, scope);
          op.finish();
        } catch (e) {
          const error = op.translate(e);
          op.finish(error);
          throw error;
        }
      },
    };
  }
}
