/** `addVmss`: seeding a scale set (and, for a Flexible one, its instance VMs) without HTTP. */
import type { ExtendedState } from "./extendedContext.js";
import type { IdentityRule } from "./identityWrites.js";
import { resourceKey } from "./resourceIds.js";
import { splitProperties } from "./routes/scaleSets.js";
import { identityRuleFor, scaleTo } from "./scaleSetModel.js";
import { DEFAULT_SKU, newVmssRecord } from "./scaleSetRecords.js";
import type { AddVmssOptions } from "./scaleSetTypes.js";
import { assertName } from "./seeding.js";
import type { VmIdentityRecord } from "./store.js";
import type { ArmIdentityInput } from "./types.js";

function assertOneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): asserts value is T {
  if (!allowed.includes(value as T)) {
    throw new TypeError(`${what} must be ${allowed.map((a) => JSON.stringify(a)).join(" or ")}, got ${JSON.stringify(value)}.`);
  }
}

/** Creates `addVmss` over the emulator's state; `seedIdentity` is the VM seeding's (shared rules, user-assigned identities created). */
export function createScaleSetSeeding(
  state: ExtendedState,
  seedIdentity: (input: ArmIdentityInput | undefined, location: string, rule?: IdentityRule) => VmIdentityRecord,
): { addVmss(options: AddVmssOptions): string } {
  return {
    addVmss(options) {
      const { resourceGroup, name, location, osType, orchestrationMode = "Uniform", upgradePolicy = "Manual", capacity = 2 } = options;
      assertName(resourceGroup, "resourceGroup");
      assertName(name, "name");
      assertName(location, "location");
      assertOneOf(osType, ["Windows", "Linux"], "osType");
      assertOneOf(orchestrationMode, ["Uniform", "Flexible"], "orchestrationMode");
      assertOneOf(upgradePolicy, ["Manual", "Automatic", "Rolling"], "upgradePolicy");
      if (!Number.isInteger(capacity) || capacity < 0) throw new TypeError(`capacity must be an integer >= 0, got ${JSON.stringify(capacity)}.`);
      const subscriptionId = options.subscriptionId ?? state.subscriptionId;
      if (subscriptionId.toLowerCase() !== state.subscriptionId.toLowerCase()) {
        throw new Error(`subscriptionId '${subscriptionId}' is not the emulator's subscription '${state.subscriptionId}'.`);
      }
      if (state.scaleSets.find(resourceGroup, name)) {
        throw new Error(`The virtual machine scale set '${name}' already exists in resource group '${resourceGroup}'.`);
      }
      const parts = splitProperties(structuredClone(options.properties ?? {}));
      const identity = seedIdentity(options.identity, location, identityRuleFor(orchestrationMode));
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
      state.scaleSets.scaleSets.set(resourceKey(resourceGroup, name), vmss);
      scaleTo(state, vmss, capacity);
      return vmss.id;
    },
  };
}
