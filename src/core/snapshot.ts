import { type VmIdentity, fromArmIdentity } from "./identity.js";
import { asRecord } from "./record.js";
import { type OsType, validateOsType } from "./validation.js";

/** A VM or scale set as read (by a GET or from a list page), with what the library needs from it. */
export interface ResourceSnapshot {
  /** The resource's ARM JSON. */
  body: Record<string, unknown>;
  /** The etag read, quoted as ARM sends it; undefined if ARM sent none. */
  etag?: string;
  identity: VmIdentity;
  location?: string;
  /** From the VM's OS disk, or the scale set model's. */
  osType?: OsType;
  /** `properties.provisioningState`, when ARM reported one. */
  provisioningState?: string;
}


/** The OS disk's type of a VM body, or of a scale set's VM profile. */
function osTypeOf(properties: Record<string, unknown> | undefined): OsType | undefined {
  const profile = asRecord(properties?.["virtualMachineProfile"]) ?? properties;
  const osType = asRecord(asRecord(asRecord(profile?.["storageProfile"])?.["osDisk"]))?.["osType"];
  try {
    return osType === undefined ? undefined : validateOsType(osType);
  } catch {
    return undefined;
  }
}

/** Extract what the library needs from a resource's ARM JSON and its response's `ETag` header. */
export function snapshotOf(body: unknown, etagHeader?: string): ResourceSnapshot {
  const resource = asRecord(body) ?? {};
  const properties = asRecord(resource["properties"]);
  const etag = etagHeader ?? (typeof resource["etag"] === "string" ? resource["etag"] : undefined);
  const snapshot: ResourceSnapshot = { body: resource, identity: fromArmIdentity(resource["identity"]) };
  if (etag) snapshot.etag = etag;
  if (typeof resource["location"] === "string") snapshot.location = resource["location"];
  const osType = osTypeOf(properties);
  if (osType) snapshot.osType = osType;
  if (typeof properties?.["provisioningState"] === "string") snapshot.provisioningState = properties["provisioningState"];
  return snapshot;
}
