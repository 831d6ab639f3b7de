import type { IdentityPatchBody } from "./planIdentityChange.js";
import type { ApiVersions } from "./apiVersions.js";
import { armRequest, type RawArmRequest } from "./request.js";
import {
  type ResourceGroupScoped,
  encodeResourcePath,
  extensionPathSegments,
  userAssignedIdentityPathSegments,
  vmPathSegments,
  vmssPathSegments,
} from "./resourceId.js";
import { validateExtensionName } from "./validation.js";

/** Where requests go: the ARM origin, the default subscription and the api-version of each provider. */
export interface ArmTarget {
  /** The ARM origin, e.g. `https://management.azure.com`. */
  readonly endpoint: string;
  /** The subscription of handles made by name. */
  readonly subscriptionId: string;
  readonly apiVersions: ApiVersions;
}

function url(target: ArmTarget, segments: string[], apiVersion: string): string {
  return `${target.endpoint}${encodeResourcePath(segments)}?api-version=${encodeURIComponent(apiVersion)}`;
}

/** The URL of a VM. */
export function vmUrl(target: ArmTarget, vm: ResourceGroupScoped): string {
  return url(target, vmPathSegments(vm), target.apiVersions.compute);
}

/**
 * `PATCH` the identity of a VM or scale set (its URL): a body of `identity`
 * alone, conditional on the etag read when one is given.
 */
export function patchIdentityRequest(url: string, patch: { identity: IdentityPatchBody }, etag: string | undefined): RawArmRequest {
  return armRequest("PATCH", url, patch, etag ? { "if-match": etag } : {});
}

/** `PUT` a whole VM: `If-None-Match: *` unless overwriting an existing one is allowed. */
export function putVmRequest(target: ArmTarget, vm: ResourceGroupScoped, body: unknown, overwrite: boolean): RawArmRequest {
  return armRequest("PUT", vmUrl(target, vm), body, overwrite ? {} : { "if-none-match": "*" });
}

/** Where an extension lives: a VM, or a scale set (whose extensions carry no location). */
export interface ExtensionHost {
  /** The VM's or scale set's URL, with api-version. */
  readonly url: string;
  /** The URL of one of its extensions, with api-version. */
  extensionUrl(name: string): string;
  /** How messages name it, e.g. `virtual machine 'vm1'`. */
  readonly label: string;
  /** Whether the extension body names a location (VMs: yes, the VM's; scale sets: no). */
  readonly located: boolean;
}

/** A VM as the host of extensions. VM extensions carry the VM's location. */
export function vmExtensionHost(target: ArmTarget, vm: ResourceGroupScoped): ExtensionHost {
  return {
    url: vmUrl(target, vm),
    extensionUrl: (name) => url(target, extensionPathSegments(vm, name), target.apiVersions.compute),
    label: `virtual machine '${vm.name}'`,
    located: true,
  };
}

/** The URL of a virtual machine scale set. */
export function vmssUrl(target: ArmTarget, vmss: ResourceGroupScoped): string {
  return url(target, vmssPathSegments(vmss), target.apiVersions.compute);
}

/** A scale set as the host of extensions: they live in its model and carry no location. */
export function vmssExtensionHost(target: ArmTarget, vmss: ResourceGroupScoped): ExtensionHost {
  return {
    url: vmssUrl(target, vmss),
    extensionUrl: (name) => url(target, [...vmssPathSegments(vmss), "extensions", validateExtensionName(name)], target.apiVersions.compute),
    label: `virtual machine scale set '${vmss.name}'`,
    located: false,
  };
}

/** The first page of a scale set's instances: `GET .../virtualMachineScaleSets/{name}/virtualMachines`. */
export function vmssInstancesUrl(target: ArmTarget, vmss: ResourceGroupScoped): string {
  return url(target, [...vmssPathSegments(vmss), "virtualMachines"], target.apiVersions.compute);
}

/**
 * `POST .../virtualMachineScaleSets/{name}/manualupgrade` with `{"instanceIds":[...]}`:
 * under a Manual upgrade policy, how existing instances get the scale set's
 * current model (an extension added or removed included).
 */
export function manualUpgradeRequest(target: ArmTarget, vmss: ResourceGroupScoped, instanceIds: readonly string[]): RawArmRequest {
  return armRequest("POST", url(target, [...vmssPathSegments(vmss), "manualupgrade"], target.apiVersions.compute), { instanceIds: [...instanceIds] });
}

/**
 * The first page of the VMs (`virtualMachines`) or scale sets
 * (`virtualMachineScaleSets`) of a subscription, or of one resource group.
 */
export function computeListUrl(
  target: ArmTarget,
  collection: "virtualMachines" | "virtualMachineScaleSets",
  scope: { subscriptionId: string; resourceGroup?: string },
): string {
  const segments = ["subscriptions", scope.subscriptionId];
  if (scope.resourceGroup !== undefined) segments.push("resourceGroups", scope.resourceGroup);
  segments.push("providers", "Microsoft.Compute", collection);
  return url(target, segments, target.apiVersions.compute);
}

function uaiUrl(target: ArmTarget, uai: ResourceGroupScoped): string {
  return url(target, userAssignedIdentityPathSegments(uai), target.apiVersions.managedIdentity);
}

/** `GET` a user-assigned identity. */
export function getUserAssignedIdentityRequest(target: ArmTarget, uai: ResourceGroupScoped): RawArmRequest {
  return armRequest("GET", uaiUrl(target, uai));
}

/** `PUT` a user-assigned identity. */
export function putUserAssignedIdentityRequest(
  target: ArmTarget,
  uai: ResourceGroupScoped,
  body: { location: string; tags?: Record<string, string> },
): RawArmRequest {
  return armRequest("PUT", uaiUrl(target, uai), body);
}

/** `GET` the first page of the user-assigned identities of a subscription or of one resource group. */
export function listUserAssignedIdentitiesRequest(target: ArmTarget, scope: { subscriptionId: string; resourceGroup?: string }): RawArmRequest {
  const segments = ["subscriptions", scope.subscriptionId];
  if (scope.resourceGroup !== undefined) segments.push("resourceGroups", scope.resourceGroup);
  segments.push("providers", "Microsoft.ManagedIdentity", "userAssignedIdentities");
  return armRequest("GET", url(target, segments, target.apiVersions.managedIdentity));
}

/** `DELETE` a user-assigned identity. */
export function deleteUserAssignedIdentityRequest(target: ArmTarget, uai: ResourceGroupScoped): RawArmRequest {
  return armRequest("DELETE", uaiUrl(target, uai));
}
