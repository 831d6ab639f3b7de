import { vmExtensionHost } from "../core/armRequests.js";
import type { VmIdentity } from "../core/identity.js";
import { type ResourceGroupScoped, vmResourceId } from "../core/resourceId.js";
import type { ArmConnection } from "../http/connection.js";
import { createOperation } from "../http/operation.js";
import { type IdentityResult, type IdentityTarget, vmIdentityTarget } from "../operations/identity.js";
import { readResource } from "../operations/readResource.js";
import type { ApplyIdentityOptions, OperationOptions } from "../options.js";
import { construct } from "./construct.js";
import { type IdentityChangeBuilder, createIdentityChangeBuilder } from "./IdentityChangeBuilder.js";
import { type MsiExtensionClient, createMsiExtensionClient } from "./MsiExtensionClient.js";
import { type VmCreateBuilder, createVmCreateBuilder } from "./VmCreateBuilder.js";

/** One virtual machine. Made by `client.vm()`; its names are already validated. */
export class VmHandle {
  /** The VM's full ARM resource id. */
  readonly resourceId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  /** The legacy MSI extension on this VM. */
  readonly msiExtension: MsiExtensionClient;
  private readonly target: IdentityTarget;

  private constructor(
    private readonly connection: ArmConnection,
    private readonly vm: ResourceGroupScoped,
  ) {
    this.subscriptionId = vm.subscriptionId;
    this.resourceGroup = vm.resourceGroup;
    this.name = vm.name;
    this.resourceId = vmResourceId(vm);
    this.msiExtension = createMsiExtensionClient(connection, vmExtensionHost(connection.target, vm));
    this.target = vmIdentityTarget(connection.target, vm);
  }

  /** The VM's identities (`{ type: "None", userAssigned: [] }` when it has none). */
  async getIdentity(options?: OperationOptions): Promise<VmIdentity> {
    const op = createOperation(this.connection, "VmIdentityClient.getIdentity", options);
    return op.run(async () => (await readResource(op, this.target.url)).identity);
  }

  /** Start an immutable identity change set. */
  identity(): IdentityChangeBuilder {
    return createIdentityChangeBuilder(this.connection, this.target);
  }

  /** = `identity().enableSystemAssigned().apply(options)` */
  async enableSystemAssigned(options?: ApplyIdentityOptions): Promise<IdentityResult> {
    return this.identity().enableSystemAssigned().apply(options);
  }

  /** = `identity().disableSystemAssigned().apply(options)` */
  async disableSystemAssigned(options?: ApplyIdentityOptions): Promise<IdentityResult> {
    return this.identity().disableSystemAssigned().apply(options);
  }

  /** = `identity().assignUserAssigned(ids).apply(options)` */
  async assignUserAssigned(ids: string | readonly string[], options?: ApplyIdentityOptions): Promise<IdentityResult> {
    return this.identity().assignUserAssigned(ids).apply(options);
  }

  /** = `identity().removeUserAssigned(ids).apply(options)` */
  async removeUserAssigned(ids: string | readonly string[], options?: ApplyIdentityOptions): Promise<IdentityResult> {
    return this.identity().removeUserAssigned(ids).apply(options);
  }

  /** Start creating this VM from its ARM definition (`location`, `properties`, ...). */
  create(definition: Record<string, unknown>): VmCreateBuilder {
    return createVmCreateBuilder(this.connection, this.vm, definition);
  }
}

/** Internal: the handle of one VM. */
export function createVmHandle(connection: ArmConnection, vm: ResourceGroupScoped): VmHandle {
  return construct(VmHandle, connection, vm);
}
