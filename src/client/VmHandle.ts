import { vmExtensionHost } from "../core/armRequests.js";
import { type ResourceGroupScoped, vmResourceId } from "../core/resourceId.js";
import type { ArmConnection } from "../http/connection.js";
import { vmIdentityTarget } from "../operations/identity.js";
import { construct } from "./construct.js";
import { IdentityHandle, wireIdentityHandle } from "./IdentityHandle.js";
import { type MsiExtensionClient, createMsiExtensionClient } from "./MsiExtensionClient.js";
import { type VmCreateBuilder, createVmCreateBuilder } from "./VmCreateBuilder.js";

/** One virtual machine. Made by `client.vm()`; its names are already validated. */
export class VmHandle extends IdentityHandle {
  /** The VM's full ARM resource id. */
  readonly resourceId: string;
  /** The subscription the VM is in. */
  readonly subscriptionId: string;
  /** The VM's resource group. */
  readonly resourceGroup: string;
  /** The VM's name. */
  readonly name: string;
  /** The legacy MSI extension on this VM. */
  readonly msiExtension: MsiExtensionClient;

  private constructor(
    private readonly connection: ArmConnection,
    private readonly vm: ResourceGroupScoped,
  ) {
    super();
    wireIdentityHandle(this, connection, vmIdentityTarget(connection.target, vm));
    this.subscriptionId = vm.subscriptionId;
    this.resourceGroup = vm.resourceGroup;
    this.name = vm.name;
    this.resourceId = vmResourceId(vm);
    this.msiExtension = createMsiExtensionClient(connection, vmExtensionHost(connection.target, vm));
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
