import type { ClientContext } from "../client/clientContext.js";
import { putExtensionRequest, putVmRequest } from "../core/armRequests.js";
import { type VmDefinition, buildCreateVmBody, osTypeOfDefinition } from "../core/createVm.js";
import type { VmIdentity } from "../core/identity.js";
import { DEFAULT_MSI_PORT, msiExtensionBody, msiExtensionType } from "../core/msiExtension.js";
import type { RawArmRequest } from "../core/request.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import type { OsType } from "../core/validation.js";
import { isRestError } from "@azure/core-rest-pipeline";
import { wasReplayed } from "../http/armHttpClient.js";
import { waitForOperation, waitForProvisioning } from "../http/lro.js";
import type { OperationContext, OperationOptions } from "../http/operationContext.js";
import { type VmExtensionResource, checkInstallOptions, installMsiExtension } from "./msiExtension.js";
import { readVm } from "./readVm.js";

/** The MSI extension to install once the VM exists. */
export interface CreateMsiExtensionOptions {
  port?: number;
  /** Default: from the definition's OS disk or OS profile, else from the created VM. */
  os?: OsType;
  name?: string;
}

/** What a create builder holds. */
export interface VmCreateSpec {
  definition: VmDefinition;
  systemAssigned: boolean;
  userAssignedIds: readonly string[];
  msiExtension?: CreateMsiExtensionOptions;
}

/** Options of the create builder's `apply()`. */
export interface VmCreateOptions extends OperationOptions {
  /** Replace an existing VM of that name. Default false: the PUT carries `If-None-Match: *`. */
  overwrite?: boolean;
}

/** The requests a create would send, in order. */
export interface VmCreatePlan {
  requests: RawArmRequest[];
}

/** The outcome of creating a VM. */
export interface VmCreateResult {
  /** The VM's ARM JSON, read back once it exists. */
  vm: Record<string, unknown>;
  identity: VmIdentity;
  extension?: VmExtensionResource;
  requestIds: string[];
  correlationId: string;
}

/** Validate the extension options now, so a mistake fails before the VM is created. */
export function checkCreateMsiOptions(options: CreateMsiExtensionOptions): void {
  checkInstallOptions(options);
}

/** The requests of a create, built without any read. */
export function planCreateVm(cc: ClientContext, vm: ResourceGroupScoped, spec: VmCreateSpec, overwrite: boolean): VmCreatePlan {
  const body = buildCreateVmBody(spec.definition, spec.systemAssigned, spec.userAssignedIds);
  const requests = [putVmRequest(cc, vm, body, overwrite)];
  if (spec.msiExtension) {
    const os = spec.msiExtension.os ?? osTypeOfDefinition(spec.definition);
    if (os) {
      const name = spec.msiExtension.name ?? msiExtensionType(os);
      const port = spec.msiExtension.port ?? DEFAULT_MSI_PORT;
      requests.push(putExtensionRequest(cc, vm, name, msiExtensionBody(os, port, spec.definition.location)));
    }
  }
  return { requests };
}

/** PUT the VM, wait, read it back, then install the extension if asked. */
export async function createVm(
  cc: ClientContext,
  vm: ResourceGroupScoped,
  spec: VmCreateSpec,
  ctx: OperationContext,
  overwrite: boolean,
): Promise<VmCreateResult> {
  const [put] = planCreateVm(cc, vm, spec, overwrite).requests as [RawArmRequest];
  try {
    const response = await cc.http.send(put, ctx);
    await waitForOperation(cc.http, put, response, ctx);
  } catch (e) {
    // A replayed `If-None-Match: *` PUT answers 412 when its first attempt created
    // the VM and only the answer was lost: that VM is ours, wait for it.
    if (!(isRestError(e) && e.statusCode === 412 && wasReplayed(e))) throw e;
    await waitForProvisioning(cc.http, put.url, ctx);
  }
  const created = await readVm(cc, vm, ctx);
  const result: VmCreateResult = {
    vm: created.body,
    identity: created.identity,
    requestIds: ctx.requestIds,
    correlationId: ctx.correlationId,
  };
  if (spec.msiExtension) {
    const os = spec.msiExtension.os ?? osTypeOfDefinition(spec.definition) ?? created.osType;
    result.extension = await installMsiExtension(
      cc,
      vm,
      {
        ...spec.msiExtension,
        ...(os ? { os } : {}),
        location: created.location ?? spec.definition.location,
      },
      ctx,
    );
  }
  return result;
}
