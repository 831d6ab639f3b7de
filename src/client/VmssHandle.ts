import { type ResourceGroupScoped, vmssResourceId } from "../core/resourceId.js";
import type { VmssInstance } from "../core/scaleSet.js";
import type { ArmConnection } from "../http/connection.js";
import { listVmssInstances, vmssIdentityTarget } from "../operations/scaleSet.js";
import type { OperationOptions } from "../options.js";
import { construct } from "./construct.js";
import { IdentityHandle, wireIdentityHandle } from "./IdentityHandle.js";
import { operationStream } from "./operationStream.js";
import { type VmssMsiExtensionClient, createVmssMsiExtensionClient } from "./VmssMsiExtensionClient.js";

/**
 * One virtual machine scale set. Made by `client.vmss()`; its names are
 * already validated. Its identity takes the same builder as a VM's
 * (`identity()`, the shortcuts, `plan()`/`apply()`/`beginApply()`, `If-Match`
 * and re-plan) and needs no instance upgrade under any upgrade policy. A
 * Flexible scale set takes user-assigned identities only: a system identity
 * is refused with `SystemIdentityNotSupported` once the read shows it, before
 * any write; its instances are ordinary VMs (`listInstances()`, then
 * `client.vm(instance.id)` on each).
 */
export class VmssHandle extends IdentityHandle {
  /** The scale set's full ARM resource id. */
  readonly resourceId: string;
  /** The subscription it is in. */
  readonly subscriptionId: string;
  /** Its resource group. */
  readonly resourceGroup: string;
  /** Its name. */
  readonly name: string;
  /** The legacy MSI extension in this scale set's model. */
  readonly msiExtension: VmssMsiExtensionClient;

  private constructor(
    private readonly connection: ArmConnection,
    private readonly vmss: ResourceGroupScoped,
  ) {
    super();
    wireIdentityHandle(this, connection, vmssIdentityTarget(connection.target, vmss));
    this.subscriptionId = vmss.subscriptionId;
    this.resourceGroup = vmss.resourceGroup;
    this.name = vmss.name;
    this.resourceId = vmssResourceId(vmss);
    this.msiExtension = createVmssMsiExtensionClient(connection, vmss);
  }

  /**
   * The scale set's instances, page by page as you iterate, each with
   * `latestModelApplied`. A Flexible scale set's instances are VMs: their
   * `id` is the VM's own, for `client.vm(id)`.
   */
  listInstances(options: OperationOptions = {}): AsyncIterable<VmssInstance> {
    return operationStream(this.connection, "VmIdentityClient.listScaleSetInstances", options, (op) => listVmssInstances(op, this.vmss));
  }
}

/** Internal: the handle of one scale set. */
export function createVmssHandle(connection: ArmConnection, vmss: ResourceGroupScoped): VmssHandle {
  return construct(VmssHandle, connection, vmss);
}
