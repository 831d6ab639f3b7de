/**
 * The emulator's resources. Records are mutable and internal; clients and
 * users see them only through the views in render.ts.
 */
import { parseUaiResourceId, resourceKey } from "./resourceIds.js";
import type { VmssRecord } from "./scaleSetStore.js";
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
  /** Lower-cased ids added by the running write: shown as `{}` until it completes. Replaced, never changed in place. */
  pendingUserIds: ReadonlySet<string>;
  /** The write running on the VM or one of its extensions, if any. */
  runningOperationId?: string;
  /** Keyed by lower-cased name. */
  extensions: Map<string, ExtensionRecord>;
}

/**
 * A map of resources that also keeps them in insertion order, in all and by
 * resource group, so that list pages are slices (no scan per page).
 */
export class IndexedResources<V extends { resourceGroup: string }> extends Map<string, V> {
  private readonly ordered: V[] = [];
  private readonly byGroup = new Map<string, V[]>();

  /** Every resource, or those of one resource group (case-insensitive), oldest first. A live view. */
  list(resourceGroup?: string): readonly V[] {
    return resourceGroup === undefined ? this.ordered : (this.byGroup.get(resourceGroup.toLowerCase()) ?? []);
  }

  /** Whether any resource of this kind was ever in the resource group (case-insensitive); a group emptied since still is. */
  hasGroup(resourceGroup: string): boolean {
    return this.byGroup.has(resourceGroup.toLowerCase());
  }

  override set(key: string, value: V): this {
    const previous = this.get(key);
    // Map's constructor calls set before the fields exist; no resource is passed then.
    if (previous) {
      replace(this.ordered, previous, value);
      replace(this.groupOf(previous), previous, value);
    } else if (this.ordered) {
      this.ordered.push(value);
      this.groupOf(value).push(value);
    }
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    const previous = this.get(key);
    if (previous) {
      remove(this.ordered, previous);
      remove(this.groupOf(previous), previous);
    }
    return super.delete(key);
  }

  override clear(): void {
    this.ordered.length = 0;
    this.byGroup.clear();
    super.clear();
  }

  private groupOf(value: V): V[] {
    const key = value.resourceGroup.toLowerCase();
    let group = this.byGroup.get(key);
    if (!group) this.byGroup.set(key, (group = []));
    return group;
  }
}

function replace<V>(list: V[], previous: V, value: V): void {
  const at = list.indexOf(previous);
  if (at >= 0) list[at] = value;
}

function remove<V>(list: V[], previous: V): void {
  const at = list.indexOf(previous);
  if (at >= 0) list.splice(at, 1);
}

/** All resources of one subscription. */
export interface Store {
  readonly subscriptionId: string;
  /** Keyed by {@link resourceKey}. */
  readonly vms: IndexedResources<VmRecord>;
  /** Keyed by {@link resourceKey}. */
  readonly uais: IndexedResources<UaiRecord>;
  /** Keyed by {@link resourceKey}. */
  readonly scaleSets: IndexedResources<VmssRecord>;
  /** Resource groups made empty ({@link FakeArm.addResourceGroup}), lower-cased. */
  readonly resourceGroups: Set<string>;
  /** Whether the resource group exists: made empty, or made by a resource put in it (it stays when they go). */
  hasResourceGroup(resourceGroup: string): boolean;
  findVm(resourceGroup: string, name: string): VmRecord | undefined;
  findUai(resourceGroup: string, name: string): UaiRecord | undefined;
  findVmss(resourceGroup: string, name: string): VmssRecord | undefined;
  /** The identity a full resource id names, if it exists in this subscription or another the emulator serves. */
  findUaiById(id: string): UaiRecord | undefined;
  clear(): void;
}

/**
 * Creates an empty store for one subscription; `storeOf` finds the stores of
 * the emulator's other subscriptions (a VM may hold an identity of another).
 */
export function createStore(subscriptionId: string, storeOf: (subscriptionId: string) => Store | undefined = () => undefined): Store {
  const vms = new IndexedResources<VmRecord>();
  const uais = new IndexedResources<UaiRecord>();
  const scaleSets = new IndexedResources<VmssRecord>();
  const findUai = (resourceGroup: string, name: string) => uais.get(resourceKey(resourceGroup, name));
  const resourceGroups = new Set<string>();

  return {
    subscriptionId,
    vms,
    uais,
    scaleSets,
    resourceGroups,
    hasResourceGroup: (resourceGroup) =>
      resourceGroups.has(resourceGroup.toLowerCase()) || vms.hasGroup(resourceGroup) || uais.hasGroup(resourceGroup) || scaleSets.hasGroup(resourceGroup),
    findVm: (resourceGroup, name) => vms.get(resourceKey(resourceGroup, name)),
    findUai,
    findVmss: (resourceGroup, name) => scaleSets.get(resourceKey(resourceGroup, name)),
    findUaiById(id) {
      const parts = parseUaiResourceId(id);
      if (!parts) return undefined;
      if (parts.subscriptionId.toLowerCase() === subscriptionId.toLowerCase()) return findUai(parts.resourceGroup, parts.name);
      return storeOf(parts.subscriptionId)?.findUai(parts.resourceGroup, parts.name);
    },
    clear() {
      resourceGroups.clear();
      vms.clear();
      uais.clear();
      scaleSets.clear();
    },
  };
}
