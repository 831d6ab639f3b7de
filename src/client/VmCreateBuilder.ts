import { type VmDefinition, validateVmDefinition } from "../core/createVm.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import { validateUserAssignedIdentityId } from "../core/resourceId.js";
import {
  type CreateMsiExtensionOptions,
  type VmCreateOptions,
  type VmCreatePlan,
  type VmCreateResult,
  type VmCreateSpec,
  checkCreateMsiOptions,
  createVm,
  planCreateVm,
} from "../operations/createVm.js";
import { type ClientContext, startOperation } from "./clientContext.js";
import { toList } from "./IdentityChangeSet.js";

/** An immutable plan to create a VM with managed identities (and optionally the MSI extension). */
export class VmCreateBuilder {
  /** @internal */
  constructor(
    private readonly cc: ClientContext,
    private readonly vm: ResourceGroupScoped,
    private readonly spec: VmCreateSpec,
  ) {}

  /** @internal */
  static start(cc: ClientContext, vm: ResourceGroupScoped, definition: unknown): VmCreateBuilder {
    return new VmCreateBuilder(cc, vm, {
      definition: validateVmDefinition(definition) as VmDefinition,
      systemAssigned: false,
      userAssignedIds: [],
    });
  }

  /** Give the VM a system-assigned identity. */
  withSystemAssignedIdentity(): VmCreateBuilder {
    return new VmCreateBuilder(this.cc, this.vm, { ...this.spec, systemAssigned: true });
  }

  /** Attach user-assigned identities, by full resource id. */
  withUserAssignedIdentities(...ids: (string | readonly string[])[]): VmCreateBuilder {
    const list = ids.flatMap(toList).map((id) => validateUserAssignedIdentityId(id));
    return new VmCreateBuilder(this.cc, this.vm, { ...this.spec, userAssignedIds: [...this.spec.userAssignedIds, ...list] });
  }

  /** Install the (deprecated) MSI extension once the VM exists. */
  withMsiExtension(options: CreateMsiExtensionOptions = {}): VmCreateBuilder {
    checkCreateMsiOptions(options);
    return new VmCreateBuilder(this.cc, this.vm, { ...this.spec, msiExtension: { ...options } });
  }

  /** The requests `apply()` would send, built without any request. */
  plan(options: Pick<VmCreateOptions, "overwrite"> = {}): VmCreatePlan {
    return planCreateVm(this.cc, this.vm, this.spec, options.overwrite ?? false);
  }

  /** PUT the VM (`If-None-Match: *` unless `overwrite`), wait, read it back, then install the extension. */
  async apply(options: VmCreateOptions = {}): Promise<VmCreateResult> {
    const ctx = startOperation(this.cc, "create", options);
    return ctx.run(() => createVm(this.cc, this.vm, this.spec, ctx, options.overwrite ?? false));
  }
}
