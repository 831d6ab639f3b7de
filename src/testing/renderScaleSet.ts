/** The ARM JSON views of scale sets, their extensions and instances; every view is a fresh deep copy. */
import type { Store } from "./store.js";
import { asRecord } from "./json.js";
import { renderExtension, renderVm, renderVmIdentity } from "./render.js";
import { resourceKey } from "./resourceIds.js";
import { isOnLatestModel } from "./scaleSetModel.js";
import type { ScaleSetExtensionRecord, ScaleSetInstance, VmssRecord } from "./scaleSetStore.js";
import type { ArmVirtualMachineScaleSet, ArmVmssExtension, ArmVmssExtensionProfileEntry, ArmVmssInstance } from "./scaleSetTypes.js";

/** The quoted ETag of a scale set, e.g. `"3"`. */
export function vmssEtag(vmss: VmssRecord): string {
  return `"${vmss.etag}"`;
}

function profileEntry(ext: ScaleSetExtensionRecord): ArmVmssExtensionProfileEntry {
  return {
    name: ext.name,
    properties: { ...ext.properties, provisioningState: ext.provisioningState } as ArmVmssExtensionProfileEntry["properties"],
  };
}

/** The scale set as ARM returns it. */
export function renderVmss(vmss: VmssRecord): ArmVirtualMachineScaleSet {
  const storageProfile = asRecord(vmss.profile.storageProfile);
  const identity = renderVmIdentity(vmss);
  const extensions = [...vmss.extensions.values()].map(profileEntry);
  const view: ArmVirtualMachineScaleSet = {
    id: vmss.id,
    name: vmss.name,
    type: "Microsoft.Compute/virtualMachineScaleSets",
    location: vmss.location,
    etag: vmssEtag(vmss),
    ...(vmss.tags !== undefined && { tags: vmss.tags }),
    ...(identity !== undefined && { identity }),
    sku: vmss.sku,
    properties: {
      ...vmss.properties,
      orchestrationMode: vmss.orchestrationMode,
      upgradePolicy: { ...vmss.upgradePolicy, mode: vmss.upgradeMode },
      virtualMachineProfile: {
        ...vmss.profile,
        storageProfile: { ...storageProfile, osDisk: { ...asRecord(storageProfile.osDisk), osType: vmss.osType } },
        ...(extensions.length > 0 && { extensionProfile: { extensions } }),
      },
      uniqueId: vmss.uniqueId,
      provisioningState: vmss.provisioningState,
    },
  };
  return structuredClone(view);
}

/** A scale-set extension as its own GET returns it: no `location`. */
export function renderVmssExtension(vmss: VmssRecord, ext: ScaleSetExtensionRecord): ArmVmssExtension {
  const { protectedSettings: _secret, ...properties } = ext.properties;
  return structuredClone({
    id: `${vmss.id}/extensions/${ext.name}`,
    type: "Microsoft.Compute/virtualMachineScaleSets/extensions",
    ...profileEntry({ ...ext, properties }),
  });
}

/** An instance as the instance list returns it; undefined for a Flexible instance whose VM is gone. */
export function renderInstance(store: Store, vmss: VmssRecord, instance: ScaleSetInstance): ArmVmssInstance | undefined {
  const latestModelApplied = isOnLatestModel(vmss, instance);
  if (vmss.orchestrationMode === "Flexible") {
    const vm = store.vms.get(resourceKey(vmss.resourceGroup, instance.instanceId));
    if (!vm) return undefined;
    const { id, name, location, identity, properties } = renderVm(vm);
    return {
      id,
      name,
      type: "Microsoft.Compute/virtualMachines",
      instanceId: instance.instanceId,
      location,
      ...(identity !== undefined && { identity }),
      properties: { ...properties, latestModelApplied },
    };
  }
  const id = `${vmss.id}/virtualMachines/${instance.instanceId}`;
  const identity = renderVmIdentity(vmss);
  const view: ArmVmssInstance = {
    id,
    name: `${vmss.name}_${instance.instanceId}`,
    type: "Microsoft.Compute/virtualMachines",
    instanceId: instance.instanceId,
    location: vmss.location,
    ...(identity !== undefined && { identity }),
    properties: {
      latestModelApplied,
      vmId: instance.vmId,
      provisioningState: "Succeeded",
      storageProfile: { osDisk: { osType: vmss.osType } },
    },
  };
  if (instance.extensions.length > 0) {
    view.resources = instance.extensions.map((ext) => ({
      ...renderExtension({ id }, { ...ext, location: vmss.location }),
      type: "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/extensions",
    }));
  }
  return structuredClone(view);
}
