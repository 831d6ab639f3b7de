/** `addVm` and `addUserAssignedIdentity`: seeding state without HTTP. */
import type { EmulatorState } from "./context.js";
import { applyIdentityRequest, NO_IDENTITY } from "./identitySemantics.js";
import { newUaiRecord, newVmRecord } from "./records.js";
import { parseUaiResourceId, resourceKey } from "./resourceIds.js";
import type { IdentityRule } from "./identityWrites.js";
import type { VmIdentityRecord } from "./store.js";
import type { AddUserAssignedIdentityOptions, AddVmOptions, ArmIdentityInput } from "./types.js";
import { commitIdentity, noIdentity } from "./vmIdentity.js";

/** The VM properties a seeded VM starts with, before `AddVmOptions.properties`. */
const DEFAULT_VM_PROPERTIES = { hardwareProfile: { vmSize: "Standard_B2s" } };

/** @throws TypeError unless `value` is a non-empty string without '/'. */
export function assertName(value: unknown, what: string): asserts value is string {
  if (typeof value !== "string" || value === "" || value.includes("/")) {
    throw new TypeError(`${what} must be a non-empty string without '/', got ${JSON.stringify(value)}.`);
  }
}

/** Creates the seeding helpers over the emulator's state. */
export function createSeeding(state: EmulatorState): {
  addVm(options: AddVmOptions): string;
  addUserAssignedIdentity(options: AddUserAssignedIdentityOptions): string;
  seedIdentity(input: ArmIdentityInput | undefined, location: string, rule?: IdentityRule): VmIdentityRecord;
} {
  const { store } = state;

  function addUserAssignedIdentity({ resourceGroup, name, location, tags }: AddUserAssignedIdentityOptions): string {
    assertName(resourceGroup, "resourceGroup");
    assertName(name, "name");
    assertName(location, "location");
    const existing = store.findUai(resourceGroup, name);
    if (existing) return existing.id;
    const uai = newUaiRecord({
      subscriptionId: state.subscriptionId,
      tenantId: state.tenantId,
      resourceGroup,
      name,
      location,
      tags: tags && { ...tags },
    });
    store.uais.set(resourceKey(resourceGroup, name), uai);
    return uai.id;
  }

  /**
   * The identity of a seeded resource, validated as a PUT would be (and by
   * `rule`) before anything is created; the user-assigned identities it names
   * are created (in `location`) when missing.
   */
  function seedIdentity(input: ArmIdentityInput | undefined, location: string, rule?: IdentityRule): VmIdentityRecord {
    if (!input) return noIdentity();
    const update = applyIdentityRequest(NO_IDENTITY, input, "PUT");
    rule?.(update);
    for (const id of update.addedIds) {
      const parts = parseUaiResourceId(id);
      if (parts && parts.subscriptionId.toLowerCase() !== state.subscriptionId.toLowerCase()) {
        throw new Error(`'${id}' is in subscription '${parts.subscriptionId}', not the emulator's '${state.subscriptionId}'.`);
      }
      if (parts) addUserAssignedIdentity({ resourceGroup: parts.resourceGroup, name: parts.name, location });
    }
    return commitIdentity(noIdentity(), update, state);
  }

  function addVm(options: AddVmOptions): string {
    const { resourceGroup, name, location, osType } = options;
    assertName(resourceGroup, "resourceGroup");
    assertName(name, "name");
    assertName(location, "location");
    if (osType !== "Windows" && osType !== "Linux") {
      throw new TypeError(`osType must be "Windows" or "Linux", got ${JSON.stringify(osType)}.`);
    }
    if (store.findVm(resourceGroup, name)) {
      throw new Error(`The virtual machine '${name}' already exists in resource group '${resourceGroup}'.`);
    }
    const identity = seedIdentity(options.identity, location);
    const vm = newVmRecord({
      subscriptionId: state.subscriptionId,
      resourceGroup,
      name,
      location,
      osType,
      tags: options.tags && { ...options.tags },
      properties: { ...DEFAULT_VM_PROPERTIES, ...structuredClone(options.properties) },
      identity,
    });
    store.vms.set(resourceKey(resourceGroup, name), vm);
    return vm.id;
  }

  return { addVm, addUserAssignedIdentity, seedIdentity };
}
