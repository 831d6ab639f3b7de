import type { VmIdentity } from "../core/identity.js";
import { type ResourceGroupScoped, vmResourceId } from "../core/resourceId.js";
import type { OperationOptions } from "../http/operationContext.js";
import type { ApplyIdentityOptions, IdentityResult } from "../operations/applyIdentityChange.js";
import { readVm } from "../operations/readVm.js";
import { type ClientContext, startOperation } from "./clientContext.js";
import { IdentityChangeBuilder } from "./IdentityChangeBuilder.js";
import { MsiExtensionClient } from "./MsiExtensionClient.js";
import { VmCreateBuilder } from "./VmCreateBuilder.js";

/** One virtual machine. Made by `client.vm()`; its names are already validated. */
export class VmHandle {
  /** The VM's full ARM resource id. */
  readonly resourceId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  /** The legacy MSI extension on this VM. */
  readonly msiExtension: MsiExtensionClient;

  /** @internal */
  constructor(
    private readonly cc: ClientContext,
    private readonly vm: ResourceGroupScoped,
  ) {
    this.subscriptionId = vm.subscriptionId;
    this.resourceGroup = vm.resourceGroup;
    this.name = vm.name;
    this.resourceId = vmResourceId(vm);
    this.msiExtension = new MsiExtensionClient(cc, vm);
  }

  /** The VM's identities (`{ type: "None", userAssigned: [] }` when it has none). */
  async getIdentity(options?: OperationOptions): Promise<VmIdentity> {
    const ctx = startOperation(this.cc, "getIdentity", options);
    return ctx.run(async () => (await readVm(this.cc, this.vm, ctx)).identity);
  }

  /** Start an immutable identity change set. */
  identity(): IdentityChangeBuilder {
    return new IdentityChangeBuilder(this.cc, this.vm);
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
    return VmCreateBuilder.start(this.cc, this.vm, definition);
  }
}
