import { type VmDefinition, validateVmDefinition } from "../core/createVm.js";
import { validateMsiExtensionOptions } from "../core/msiExtension.js";
import { toIdList } from "../core/planIdentityChange.js";
import { type ResourceGroupScoped, validateUserAssignedIdentityId } from "../core/resourceId.js";
import type { ArmConnection } from "../http/connection.js";
import { createOperation } from "../http/operation.js";
import { type VmCreatePlan, type VmCreateResult, type VmCreateSpec, createVm, planCreateVm } from "../operations/createVm.js";
import type { CreateMsiExtensionOptions, VmCreateOptions } from "../options.js";
import { construct } from "./construct.js";

/** An immutable plan to create a VM with managed identities (and optionally the MSI extension). */
export class VmCreateBuilder {
  private constructor(
    private readonly connection: ArmConnection,
    private readonly vm: ResourceGroupScoped,
    private readonly spec: VmCreateSpec,
  ) {}

  private with(spec: Partial<VmCreateSpec>): VmCreateBuilder {
    return construct(VmCreateBuilder, this.connection, this.vm, { ...this.spec, ...spec });
  }

  /** Give the VM a system-assigned identity. */
  withSystemAssignedIdentity(): VmCreateBuilder {
    return this.with({ systemAssigned: true });
  }

  /** Attach user-assigned identities, by full resource id. */
  withUserAssignedIdentities(...ids: (string | readonly string[])[]): VmCreateBuilder {
    const list = ids.flatMap(toIdList).map((id) => validateUserAssignedIdentityId(id));
    return this.with({ userAssignedIds: [...this.spec.userAssignedIds, ...list] });
  }

  /** Install the (deprecated) MSI extension once the VM exists. */
  withMsiExtension(options: CreateMsiExtensionOptions = {}): VmCreateBuilder {
    validateMsiExtensionOptions(options);
    return this.with({ msiExtension: { ...options } });
  }

  /** The requests `apply()` would send, built without any request. */
  plan(options: Pick<VmCreateOptions, "overwrite"> = {}): VmCreatePlan {
    return planCreateVm(this.connection.target, this.vm, this.spec, options.overwrite ?? false);
  }

  /** PUT the VM (`If-None-Match: *` unless `overwrite`), wait, read it back, then install the extension. */
  async apply(options: VmCreateOptions = {}): Promise<VmCreateResult> {
    const op = createOperation(this.connection, "VmIdentityClient.createVm", options);
    return op.run(() => createVm(op, this.vm, this.spec, options.overwrite ?? false));
  }
}

/** Internal: start a create builder from a VM definition, validated now. */
export function createVmCreateBuilder(connection: ArmConnection, vm: ResourceGroupScoped, definition: unknown): VmCreateBuilder {
  return construct(VmCreateBuilder, connection, vm, {
    definition: validateVmDefinition(definition) as VmDefinition,
    systemAssigned: false,
    userAssignedIds: [],
  } satisfies VmCreateSpec);
}
