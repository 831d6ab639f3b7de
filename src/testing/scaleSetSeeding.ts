/** `addVmss`: seeding a scale set (and, for a Flexible one, its instance VMs) without HTTP. */
import type { EmulatorState } from "./context.js";
import { resourceKey } from "./resourceIds.js";
import { splitProperties } from "./routes/scaleSets.js";
import { identityRuleFor, scaleTo } from "./scaleSetModel.js";
import { DEFAULT_SKU, newVmssRecord } from "./scaleSetRecords.js";
import type { AddVmssOptions } from "./scaleSetTypes.js";
import { assertName, type createSeeding } from "./seeding.js";

function assertOneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): asserts value is T {
  if (!allowed.includes(value as T)) {
    throw new TypeError(`${what} must be ${allowed.map((a) => JSON.stringify(a)).join(" or ")}, got ${JSON.stringify(value)}.`);
  }
}

/**
 * Adds a scale set to the subscription whose `state` is given, its identity
 * checked and prepared by that subscription's `seeding` (the VM seeding's
 * rules; user-assigned identities created in whichever subscription they name),
 * and returns its id.
 *
 * @throws TypeError for a bad option; Error when the scale set exists.
 */
export function addVmss(state: EmulatorState, seeding: ReturnType<typeof createSeeding>, options: AddVmssOptions): string {
  const { resourceGroup, name, location, osType, orchestrationMode = "Uniform", upgradePolicy = "Manual", capacity = 2 } = options;
  assertName(resourceGroup, "resourceGroup");
  assertName(name, "name");
  assertName(location, "location");
  assertOneOf(osType, ["Windows", "Linux"], "osType");
  assertOneOf(orchestrationMode, ["Uniform", "Flexible"], "orchestrationMode");
  assertOneOf(upgradePolicy, ["Manual", "Automatic", "Rolling"], "upgradePolicy");
  if (!Number.isInteger(capacity) || capacity < 0) throw new TypeError(`capacity must be an integer >= 0, got ${JSON.stringify(capacity)}.`);
  if (state.store.findVmss(resourceGroup, name)) {
    throw new Error(`The virtual machine scale set '${name}' already exists in resource group '${resourceGroup}'.`);
  }
  const parts = splitProperties(structuredClone(options.properties ?? {}));
  const identity = seeding.prepareIdentity(options.identity, location, identityRuleFor(orchestrationMode))();
  const vmss = newVmssRecord({
    subscriptionId: state.subscriptionId,
    resourceGroup,
    name,
    location,
    osType,
    orchestrationMode,
    upgradeMode: upgradePolicy,
    tags: options.tags && { ...options.tags },
    sku: { ...DEFAULT_SKU, capacity },
    properties: parts.rest,
    upgradePolicy: parts.upgradePolicy ?? {},
    profile: parts.profile ?? { storageProfile: { osDisk: { createOption: "FromImage" } } },
    extensions: parts.extensions ?? new Map(),
    identity,
  });
  state.store.scaleSets.set(resourceKey(resourceGroup, name), vmss);
  scaleTo(state, vmss, capacity);
  return vmss.id;
}
