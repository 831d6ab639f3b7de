import type { ClientContext } from "../client/clientContext.js";
import { getVmRequest } from "../core/armRequests.js";
import { type VmIdentity, fromArmIdentity } from "../core/identity.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import { type OsType, validateOsType } from "../core/validation.js";
import type { OperationContext } from "../http/operationContext.js";

/** A VM as read, with what the library needs from it. */
export interface VmSnapshot {
  /** The VM's ARM JSON. */
  body: Record<string, unknown>;
  /** The etag read, quoted as ARM sends it; undefined if ARM sent none. */
  etag?: string;
  identity: VmIdentity;
  location?: string;
  osType?: OsType;
}

/** Extract what the library needs from a VM's ARM JSON and response headers. */
export function snapshotOf(body: unknown, etagHeader?: string): VmSnapshot {
  const vm = (body ?? {}) as Record<string, unknown>;
  const osDisk = (vm["properties"] as { storageProfile?: { osDisk?: { osType?: unknown } } } | undefined)?.storageProfile?.osDisk;
  let osType: OsType | undefined;
  try {
    osType = osDisk?.osType === undefined ? undefined : validateOsType(osDisk.osType);
  } catch {
    osType = undefined;
  }
  const etag = etagHeader ?? (typeof vm["etag"] === "string" ? (vm["etag"] as string) : undefined);
  const snapshot: VmSnapshot = { body: vm, identity: fromArmIdentity(vm["identity"]) };
  if (etag) snapshot.etag = etag;
  if (typeof vm["location"] === "string") snapshot.location = vm["location"];
  if (osType) snapshot.osType = osType;
  return snapshot;
}

/** `GET` the VM. */
export async function readVm(cc: ClientContext, vm: ResourceGroupScoped, ctx: OperationContext): Promise<VmSnapshot> {
  const response = await cc.http.send(getVmRequest(cc, vm), ctx);
  return snapshotOf(response.body, response.headers["etag"]);
}
