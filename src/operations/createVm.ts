import { putVmRequest, vmExtensionHost } from "../core/armRequests.js";
import { type VmDefinition, buildCreateVmBody, osTypeOfDefinition } from "../core/createVm.js";
import type { VmIdentity } from "../core/identity.js";
import { DEFAULT_MSI_PORT, msiExtensionBody, msiExtensionType } from "../core/msiExtension.js";
import { armRequest, type RawArmRequest } from "../core/request.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import { snapshotOf } from "../core/snapshot.js";
import type { ArmTarget } from "../core/armRequests.js";
import { createArmPoller, followProvisioningState } from "../http/lro.js";
import type { Operation } from "../http/operation.js";
import { restErrorFromResponse } from "../http/restError.js";
import type { CreateMsiExtensionOptions } from "../options.js";
import { type VmExtensionResource, installMsiExtension } from "./msiExtension.js";

/** What a create builder holds. */
export interface VmCreateSpec {
  definition: VmDefinition;
  systemAssigned: boolean;
  userAssignedIds: readonly string[];
  msiExtension?: CreateMsiExtensionOptions;
}

/** The requests a create would send, in order. */
export interface VmCreatePlan {
  /** The VM's PUT, then the extension's PUT when one is asked for and its OS is known (given, or in the definition). */
  requests: RawArmRequest[];
}

/** The outcome of creating a VM. */
export interface VmCreateResult {
  /** The VM's ARM JSON, read back once it exists. */
  vm: Record<string, unknown>;
  /** The VM's managed identities, as read back once it exists. */
  identity: VmIdentity;
  /** The MSI extension as read back once installed; absent unless `withMsiExtension()` asked for it. */
  extension?: VmExtensionResource;
  /** `x-ms-request-id` of every response, in order. */
  requestIds: string[];
  /** The correlation id shared by all requests of the call. */
  correlationId: string;
}

/** The requests of a create, built without any read. */
export function planCreateVm(target: ArmTarget, vm: ResourceGroupScoped, spec: VmCreateSpec, overwrite: boolean): VmCreatePlan {
  const body = buildCreateVmBody(spec.definition, spec.systemAssigned, spec.userAssignedIds);
  const requests = [putVmRequest(target, vm, body, overwrite)];
  if (spec.msiExtension) {
    const os = spec.msiExtension.os ?? osTypeOfDefinition(spec.definition);
    if (os) {
      const name = spec.msiExtension.name ?? msiExtensionType(os);
      const port = spec.msiExtension.port ?? DEFAULT_MSI_PORT;
      requests.push(armRequest("PUT", vmExtensionHost(target, vm).extensionUrl(name), msiExtensionBody(os, port, spec.definition.location)));
    }
  }
  return { requests };
}

/**
 * PUT the VM, wait, read it back (core-lro's final GET), then install the
 * extension if asked. A replayed `If-None-Match: *` PUT answers 412 (or 409)
 * when its first attempt, unanswered, created the VM: that VM is this call's
 * own, followed to the end of its provisioning.
 */
export async function createVm(op: Operation, vm: ResourceGroupScoped, spec: VmCreateSpec, overwrite: boolean): Promise<VmCreateResult> {
  const [put] = planCreateVm(op.target, vm, spec, overwrite).requests as [RawArmRequest];
  const created = await createArmPoller(op, {
    async start() {
      const response = await op.send(put, { accept: [409, 412] });
      if (response.status < 300) return response;
      if (response.unansweredAttempts === 0) throw restErrorFromResponse(response.raw, response.body);
      return followProvisioningState(op, put.url);
    },
    result: (final) => snapshotOf(final.body, final.headers["etag"]),
  }).pollUntilDone();
  const result: VmCreateResult = {
    vm: created.body,
    identity: created.identity,
    requestIds: op.requestIds as string[],
    correlationId: op.correlationId,
  };
  if (spec.msiExtension) {
    const os = spec.msiExtension.os ?? osTypeOfDefinition(spec.definition) ?? created.osType;
    result.extension = await installMsiExtension(op, vmExtensionHost(op.target, vm), {
      ...spec.msiExtension,
      ...(os ? { os } : {}),
      location: created.location ?? spec.definition.location,
    });
  }
  return result;
}
