/**
 * The records of scale sets, held in each subscription's store (store.ts);
 * like the other records, internal and seen only through render views.
 */
import type { OrchestrationMode, UpgradePolicyMode } from "./scaleSetTypes.js";
import type { VmIdentityRecord } from "./store.js";
import type { OsType } from "./types.js";

/** An extension of a scale set's model (or the copy an instance runs). */
export interface ScaleSetExtensionRecord {
  name: string;
  /** As sent, without `provisioningState`. */
  properties: Record<string, unknown>;
  provisioningState: string;
}

/** One instance. Uniform instances live here alone; a Flexible instance is a VM of the store, named by `instanceId`. */
export interface ScaleSetInstance {
  /** Uniform: `"0"`, `"1"`, ...; Flexible: the instance VM's name. */
  instanceId: string;
  vmId: string;
  /** The {@link VmssRecord.modelVersion} it last applied. */
  modelVersion: number;
  /** The model's extensions when it last applied it. */
  extensions: ScaleSetExtensionRecord[];
}

/** A scale set. */
export interface VmssRecord {
  readonly kind: "virtual machine scale set";
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  osType: OsType;
  orchestrationMode: OrchestrationMode;
  upgradeMode: UpgradePolicyMode;
  uniqueId: string;
  /** Counter behind the quoted ETag. */
  etag: number;
  tags?: Record<string, string> | undefined;
  sku: { name: string; tier: string; capacity: number };
  /** The properties as sent, without the ones modelled apart (mode, policy, profile) and the read-only ones. */
  properties: Record<string, unknown>;
  /** `upgradePolicy` as sent, without `mode`. */
  upgradePolicy: Record<string, unknown>;
  /** `virtualMachineProfile` as sent, without `extensionProfile`. */
  profile: Record<string, unknown>;
  /** The model's extensions, keyed by lower-cased name. */
  extensions: Map<string, ScaleSetExtensionRecord>;
  /** Bumped by every change of the model (profile or extensions), never by an identity change. */
  modelVersion: number;
  identity: VmIdentityRecord;
  provisioningState: string;
  /** Lower-cased ids added by the running write: shown as `{}` until it completes. Replaced, never changed in place. */
  pendingUserIds: ReadonlySet<string>;
  runningOperationId?: string;
  instances: ScaleSetInstance[];
  /** The next Uniform instance id. */
  nextInstanceId: number;
}

/** The id of a scale set, with `/resourceGroups/` as Compute writes it. */
export function vmssResourceId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
}
