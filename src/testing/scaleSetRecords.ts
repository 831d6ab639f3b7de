/** Building scale-set records from request bodies and seeding options; each failure throws an ArmError. */
import { randomUUID } from "node:crypto";
import { ORCHESTRATION_MODES, UPGRADE_POLICY_MODES } from "../core/scaleSet.js";
import { invalidParameter } from "./errors.js";
import { extensionProperties } from "./extensionBody.js";
import { isPlainObject } from "./json.js";
import { optionalObject } from "./requestBody.js";
import { vmssResourceId, type ScaleSetExtensionRecord, type VmssRecord } from "./scaleSetStore.js";
import type { OrchestrationMode, UpgradePolicyMode } from "./scaleSetTypes.js";
import type { VmIdentityRecord } from "./store.js";
import type { OsType } from "./types.js";


function enumValue<T>(table: Readonly<Record<string, T>>, value: unknown, target: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = typeof value === "string" ? table[value.toLowerCase()] : undefined;
  if (parsed === undefined) {
    throw invalidParameter(
      `The value '${String(value)}' of parameter ${target} is invalid. Allowed values are ${Object.values(table).map((v) => `'${String(v)}'`).join(", ")}.`,
      target,
    );
  }
  return parsed;
}

/** `properties.orchestrationMode`, case-insensitively; undefined when absent. */
export function parseOrchestrationMode(value: unknown): OrchestrationMode | undefined {
  // One table with the library's core, which reads scale sets the same way.
  return enumValue(ORCHESTRATION_MODES, value, "properties.orchestrationMode");
}

/** `properties.upgradePolicy.mode`, case-insensitively (the Azure CLI sends `manual`); undefined when absent. */
export function parseUpgradeMode(value: unknown): UpgradePolicyMode | undefined {
  return enumValue(UPGRADE_POLICY_MODES, value, "properties.upgradePolicy.mode");
}

/** An extension of the model, from a PUT of the extension or an entry of `extensionProfile.extensions`. */
export function modelExtension(name: string, body: Record<string, unknown>, provisioningState: string): ScaleSetExtensionRecord {
  return { name, properties: extensionProperties(body), provisioningState };
}

/** The model's extensions a `virtualMachineProfile` names, keyed by lower-cased name; undefined when it names none. */
export function parseExtensionProfile(profile: Record<string, unknown>): Map<string, ScaleSetExtensionRecord> | undefined {
  const extensionProfile = optionalObject(profile.extensionProfile ?? undefined, "properties.virtualMachineProfile.extensionProfile");
  const list = extensionProfile?.extensions;
  if (list === undefined || list === null) return undefined;
  const target = "properties.virtualMachineProfile.extensionProfile.extensions";
  if (!Array.isArray(list)) throw invalidParameter(`The value of parameter ${target} must be an array.`, target);
  const extensions = new Map<string, ScaleSetExtensionRecord>();
  for (const entry of list) {
    if (!isPlainObject(entry) || typeof entry.name !== "string" || entry.name === "") {
      throw invalidParameter(`Each entry of ${target} needs a name.`, target);
    }
    extensions.set(entry.name.toLowerCase(), modelExtension(entry.name, entry, "Succeeded"));
  }
  return extensions;
}

/** `sku` merged over `current`: `capacity` an integer >= 0. */
export function parseSku(value: unknown, current: VmssRecord["sku"]): VmssRecord["sku"] {
  const sku = optionalObject(value ?? undefined, "sku") ?? {};
  const merged = { ...current, ...sku } as Record<string, unknown>;
  const { capacity, name, tier } = merged;
  if (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 0) {
    throw invalidParameter(`The value '${String(capacity)}' of parameter sku.capacity is invalid: it must be an integer >= 0.`, "sku.capacity");
  }
  if (typeof name !== "string" || name === "" || typeof tier !== "string") {
    throw invalidParameter("The parameters sku.name and sku.tier must be strings.", "sku");
  }
  return { name, tier, capacity };
}

/** The sku of a scale set created without one. */
export const DEFAULT_SKU: VmssRecord["sku"] = { name: "Standard_B2s", tier: "Standard", capacity: 2 };

/** A new scale set at ETag `"1"`, provisioned, with no instances yet (see `scaleTo`). */
export function newVmssRecord(init: {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  osType: OsType;
  orchestrationMode: OrchestrationMode;
  upgradeMode: UpgradePolicyMode;
  tags?: Record<string, string> | undefined;
  sku: VmssRecord["sku"];
  properties: Record<string, unknown>;
  upgradePolicy: Record<string, unknown>;
  profile: Record<string, unknown>;
  extensions: Map<string, ScaleSetExtensionRecord>;
  identity: VmIdentityRecord;
}): VmssRecord {
  return {
    kind: "virtual machine scale set",
    id: vmssResourceId(init.subscriptionId, init.resourceGroup, init.name),
    name: init.name,
    resourceGroup: init.resourceGroup,
    location: init.location,
    osType: init.osType,
    orchestrationMode: init.orchestrationMode,
    upgradeMode: init.upgradeMode,
    uniqueId: randomUUID(),
    etag: 1,
    tags: init.tags,
    sku: init.sku,
    properties: init.properties,
    upgradePolicy: init.upgradePolicy,
    profile: init.profile,
    extensions: init.extensions,
    modelVersion: 1,
    identity: init.identity,
    provisioningState: "Succeeded",
    pendingUserIds: new Set(),
    instances: [],
    nextInstanceId: 0,
  };
}
