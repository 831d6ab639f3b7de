/** `addVm` and `addUserAssignedIdentity`: seeding state without HTTP. */
import { randomUUID } from "node:crypto";
import type { EmulatorState } from "./context.js";
import { applyIdentityRequest, NO_IDENTITY } from "./identitySemantics.js";
import type { IdentityRule } from "./identityWrites.js";
import { newUaiRecord, newVmRecord } from "./records.js";
import { parseUaiResourceId, resourceKey } from "./resourceIds.js";
import type { VmIdentityRecord } from "./store.js";
import type { AddUserAssignedIdentityOptions, AddVmOptions, ArmIdentityInput } from "./types.js";
import { commitIdentity, noIdentity } from "./vmIdentity.js";

/** The VM properties a seeded VM starts with, before `AddVmOptions.properties`. */
export const DEFAULT_VM_PROPERTIES = { hardwareProfile: { vmSize: "Standard_B2s" } };

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
  /**
   * Checks the parts of a VM's options other than its names, creates the
   * identities it names, and returns a maker of the identity to store (each
   * call a new system principal, as each VM has its own).
   */
  prepareVm(options: Omit<AddVmOptions, "name" | "resourceGroup">): () => VmIdentityRecord;
  /**
   * Checks a seeded resource's identity as a PUT would (and by the resource
   * kind's `rule`), creates the user-assigned identities it names (in
   * `location`), and returns a maker of the identity to store.
   */
  prepareIdentity(input: ArmIdentityInput | undefined, location: string, rule?: IdentityRule): () => VmIdentityRecord;
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

  function prepareIdentity(input: ArmIdentityInput | undefined, location: string, rule?: IdentityRule): () => VmIdentityRecord {
    // Validated (as a PUT would be) before anything is created.
    const update = input ? applyIdentityRequest(NO_IDENTITY, input, "PUT") : undefined;
    if (update) rule?.(update);
    const owners = (update?.addedIds ?? []).map((id) => {
      const parts = parseUaiResourceId(id);
      const owner = parts && state.subscriptions.get(parts.subscriptionId.toLowerCase());
      if (parts && !owner) {
        throw new Error(
          `'${id}' is in subscription '${parts.subscriptionId}', which the emulator does not serve ` +
            `(it serves ${[...state.subscriptions.values()].map((s) => `'${s.subscriptionId}'`).join(", ")}).`,
        );
      }
      return parts && { owner: owner as EmulatorState, parts };
    });
    for (const entry of owners) {
      if (entry) createSeeding(entry.owner).addUserAssignedIdentity({ resourceGroup: entry.parts.resourceGroup, name: entry.parts.name, location });
    }
    if (!update) return noIdentity;
    // Resolved once; each resource then gets its own system principal. Records are replaced on writes, never changed in place.
    const { system, ...shared } = commitIdentity(noIdentity(), update, state);
    return system ? () => ({ ...shared, system: { principalId: randomUUID(), tenantId: state.tenantId } }) : () => ({ ...shared });
  }

  /**
   * Checks a VM's options and its identity (as a PUT would) and creates the
   * user-assigned identities it names, in whichever of the emulator's
   * subscriptions they belong to. Returns a maker of the identity to store.
   */
  function prepareVm(options: Omit<AddVmOptions, "name" | "resourceGroup">): () => VmIdentityRecord {
    const { location, osType } = options;
    assertName(location, "location");
    if (osType !== "Windows" && osType !== "Linux") {
      throw new TypeError(`osType must be "Windows" or "Linux", got ${JSON.stringify(osType)}.`);
    }
    return prepareIdentity(options.identity, location);
  }

  function addVm(options: AddVmOptions): string {
    const { resourceGroup, name, location, osType } = options;
    assertName(resourceGroup, "resourceGroup");
    assertName(name, "name");
    if (store.findVm(resourceGroup, name)) {
      throw new Error(`The virtual machine '${name}' already exists in resource group '${resourceGroup}'.`);
    }
    const identity = prepareVm(options)();
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

  return { addVm, addUserAssignedIdentity, prepareVm, prepareIdentity };
}
