import { vmExtensionHost } from "../core/armRequests.js";
import type { VmIdentity } from "../core/identity.js";
import { type ResourceGroupScoped, vmResourceId } from "../core/resourceId.js";
import type { RoleAssignmentInfo } from "../core/roles.js";
import type { ArmConnection } from "../http/connection.js";
import { createOperation } from "../http/operation.js";
import { type IdentityResult, type IdentityTarget, vmIdentityTarget } from "../operations/identity.js";
import { systemIdentityRoleAssignments } from "../operations/identityAccess.js";
import { readResource } from "../operations/readResource.js";
import type { ApplyIdentityOptions, DisableIdentityOptions, OperationOptions } from "../options.js";
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

  /**
   * = `identity().disableSystemAssigned({ roleAssignments }).apply(options)`:
   * the identity's role assignments are kept, orphaned, as ARM does (each
   * named in a warning and in `orphanedRoleAssignments`), or with
   * `roleAssignments: "delete"` deleted first (`deletedRoleAssignments`).
   */
  async disableSystemAssigned(options: DisableIdentityOptions = {}): Promise<IdentityResult> {
    const { roleAssignments, ...applyOptions } = options ?? {};
    return this.identity().disableSystemAssigned({ roleAssignments }).apply(applyOptions);
  }

  /** = `identity().removeAll({ roleAssignments }).apply(options)`; role assignments as with {@link VmHandle.disableSystemAssigned}. */
  async removeAll(options: DisableIdentityOptions = {}): Promise<IdentityResult> {
    const { roleAssignments, ...applyOptions } = options ?? {};
    return this.identity().removeAll({ roleAssignments }).apply(applyOptions);
  }

  /**
   * The role assignments held by the VM's system identity, in the VM's
   * subscription (at, above and below it); `[]` when it has none. One read
   * of the VM, then the list, page by page.
   */
  async roleAssignments(options?: OperationOptions): Promise<RoleAssignmentInfo[]> {
    const op = createOperation(this.connection, "VmIdentityClient.listRoleAssignments", options);
    return op.run(() => systemIdentityRoleAssignments(op, this.target));
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
