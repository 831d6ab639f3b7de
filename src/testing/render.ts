/**
 * The ARM JSON views of stored records, as GET (and write responses) return them.
 * Every view is a fresh deep copy.
 */
import { asRecord } from "./json.js";
import type { ExtensionRecord, UaiRecord, VmRecord } from "./store.js";
import type { ArmUserAssignedIdentity, ArmVirtualMachine, ArmVmExtension, ArmVmIdentity } from "./types.js";

/** The quoted ETag of a VM, e.g. `"3"`. */
export function vmEtag(vm: VmRecord): string {
  return `"${vm.etag}"`;
}

/** The VM as ARM returns it: a deep copy, safe to hand out. */
export function renderVm(vm: VmRecord): ArmVirtualMachine {
  return structuredClone(vmView(vm));
}

/**
 * The VM as ARM returns it, sharing nested values with the record: only for
 * a response that is serialised at once (it is, in the same tick), where a
 * deep copy per request would be wasted work.
 */
export function vmView(vm: VmRecord): ArmVirtualMachine {
  const storageProfile = asRecord(vm.properties.storageProfile);
  const identity = renderVmIdentity(vm);
  const view: ArmVirtualMachine = {
    id: vm.id,
    name: vm.name,
    type: "Microsoft.Compute/virtualMachines",
    location: vm.location,
    etag: vmEtag(vm),
    ...(vm.tags !== undefined && { tags: vm.tags }),
    ...(identity !== undefined && { identity }),
    properties: {
      ...vm.properties,
      vmId: vm.vmId,
      storageProfile: { ...storageProfile, osDisk: { ...asRecord(storageProfile.osDisk), osType: vm.osType } },
      provisioningState: vm.provisioningState,
    },
  };
  if (vm.extensions.size > 0) view.resources = [...vm.extensions.values()].map((ext) => renderExtension(vm, ext));
  return view;
}

/** The identity of a VM (or of a scale set, which stores it alike) as ARM returns it; undefined for none. */
export function renderVmIdentity(vm: Pick<VmRecord, "identity" | "pendingUserIds">): ArmVmIdentity | undefined {
  const { type, system, user } = vm.identity;
  if (type === "None") return undefined;
  const view: ArmVmIdentity = { type };
  if (system) {
    view.principalId = system.principalId;
    view.tenantId = system.tenantId;
  }
  if (user.length > 0) {
    view.userAssignedIdentities = Object.fromEntries(
      user.map(({ id, principalId, clientId }) => [
        id,
        vm.pendingUserIds.has(id.toLowerCase()) ? {} : { principalId, clientId },
      ]),
    );
  }
  return view;
}

/** The extension as ARM returns it; `protectedSettings` are never returned. */
export function renderExtension(vm: Pick<VmRecord, "id">, ext: ExtensionRecord): ArmVmExtension {
  const { protectedSettings: _secret, ...properties } = ext.properties;
  return structuredClone({
    id: `${vm.id}/extensions/${ext.name}`,
    name: ext.name,
    type: "Microsoft.Compute/virtualMachines/extensions",
    location: ext.location,
    properties: { ...properties, provisioningState: ext.provisioningState } as ArmVmExtension["properties"],
  });
}

/** The user-assigned identity as the identity service returns it. */
export function renderUai(uai: UaiRecord): ArmUserAssignedIdentity {
  return structuredClone({
    id: uai.id,
    name: uai.name,
    type: "Microsoft.ManagedIdentity/userAssignedIdentities",
    location: uai.location,
    tags: uai.tags,
    properties: { tenantId: uai.tenantId, principalId: uai.principalId, clientId: uai.clientId },
  });
}
