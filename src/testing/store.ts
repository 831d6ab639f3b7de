/**
 * The emulator's resources. Records are mutable and internal; clients and
 * users see them only through the views in render.ts.
 */
import { parseUaiResourceId, resourceKey } from "./resourceIds.js";
import type { IdentityType, OsType } from "./types.js";

/** A user-assigned identity. */
export interface UaiRecord {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  principalId: string;
  clientId: string;
  tenantId: string;
}

/** A user-assigned identity held by a VM; ids snapshot when it was assigned. */
export interface UserIdentityEntry {
  /** The id in the casing first stored on this VM. */
  id: string;
  principalId: string;
  clientId: string;
}

/** The identity of a VM. */
export interface VmIdentityRecord {
  type: IdentityType;
  system?: { principalId: string; tenantId: string };
  user: UserIdentityEntry[];
}

/** A VM extension. */
export interface ExtensionRecord {
  name: string;
  location: string;
  /** The properties as sent, without `provisioningState`. */
  properties: Record<string, unknown>;
  provisioningState: string;
}

/** A VM. */
export interface VmRecord {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  osType: OsType;
  vmId: string;
  /** Counter behind the quoted ETag. */
  etag: number;
  tags?: Record<string, string>;
  /** The properties as sent, without `vmId` and `provisioningState`. */
  properties: Record<string, unknown>;
  identity: VmIdentityRecord;
  provisioningState: string;
  /** Lower-cased ids added by the running write: shown as `{}` until it completes. */
  pendingUserIds: Set<string>;
  /** The write running on the VM or one of its extensions, if any. */
  runningOperationId?: string;
  /** Keyed by lower-cased name. */
  extensions: Map<string, ExtensionRecord>;
}

/** All resources of the emulator's subscription. */
export interface Store {
  /** Keyed by {@link resourceKey}. */
  readonly vms: Map<string, VmRecord>;
  /** Keyed by {@link resourceKey}. */
  readonly uais: Map<string, UaiRecord>;
  findVm(resourceGroup: string, name: string): VmRecord | undefined;
  findUai(resourceGroup: string, name: string): UaiRecord | undefined;
  /** The identity a full resource id names, if it exists in this subscription. */
  findUaiById(id: string): UaiRecord | undefined;
  clear(): void;
}

/** Creates an empty store for one subscription. */
export function createStore(subscriptionId: string): Store {
  const vms = new Map<string, VmRecord>();
  const uais = new Map<string, UaiRecord>();
  const findUai = (resourceGroup: string, name: string) => uais.get(resourceKey(resourceGroup, name));

  return {
    vms,
    uais,
    findVm: (resourceGroup, name) => vms.get(resourceKey(resourceGroup, name)),
    findUai,
    findUaiById(id) {
      const parts = parseUaiResourceId(id);
      if (!parts || parts.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase()) return undefined;
      return findUai(parts.resourceGroup, parts.name);
    },
    clear() {
      vms.clear();
      uais.clear();
    },
  };
}
