/** Constructors of stored records, shared by the routes and the seeding helpers. */
import { randomUUID } from "node:crypto";
import { uaiResourceId, vmResourceId } from "./resourceIds.js";
import type { ExtensionRecord, UaiRecord, VmIdentityRecord, VmRecord } from "./store.js";
import type { OsType } from "./types.js";

/** A new user-assigned identity with fresh principal and client ids. */
export function newUaiRecord(init: {
  subscriptionId: string;
  tenantId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags?: Record<string, string> | undefined;
}): UaiRecord {
  return {
    id: uaiResourceId(init.subscriptionId, init.resourceGroup, init.name),
    name: init.name,
    resourceGroup: init.resourceGroup,
    location: init.location,
    tags: init.tags ?? {},
    principalId: randomUUID(),
    clientId: randomUUID(),
    tenantId: init.tenantId,
  };
}

/** The pending ids of a VM with no running write, shared (pending sets are replaced, never changed). */
const NO_PENDING_IDS: ReadonlySet<string> = new Set();

/** A new VM at ETag `"1"`, provisioned (`Succeeded`), with no extensions. */
export function newVmRecord(init: {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  osType: OsType;
  tags?: Record<string, string> | undefined;
  properties: Record<string, unknown>;
  identity: VmIdentityRecord;
}): VmRecord {
  return {
    id: vmResourceId(init.subscriptionId, init.resourceGroup, init.name),
    name: init.name,
    resourceGroup: init.resourceGroup,
    location: init.location,
    osType: init.osType,
    vmId: randomUUID(),
    etag: 1,
    tags: init.tags,
    properties: init.properties,
    identity: init.identity,
    provisioningState: "Succeeded",
    pendingUserIds: NO_PENDING_IDS,
    extensions: new Map<string, ExtensionRecord>(),
  };
}
