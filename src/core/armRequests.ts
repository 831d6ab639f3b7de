import type { IdentityPatchBody } from "./planIdentityChange.js";
import { armRequest, type RawArmRequest } from "./request.js";
import {
  type ResourceGroupScoped,
  encodeResourcePath,
  extensionPathSegments,
  userAssignedIdentityPathSegments,
  vmPathSegments,
} from "./resourceId.js";

/** Where requests go: the ARM origin and the api-version of each provider. */
export interface ArmTarget {
  endpoint: string;
  apiVersions: { compute: string; managedIdentity: string; authorization: string };
}

function url(target: ArmTarget, segments: string[], apiVersion: string): string {
  return `${target.endpoint}${encodeResourcePath(segments)}?api-version=${encodeURIComponent(apiVersion)}`;
}

/** The URL of a VM. */
export function vmUrl(target: ArmTarget, vm: ResourceGroupScoped): string {
  return url(target, vmPathSegments(vm), target.apiVersions.compute);
}

/** `GET` a VM. */
export function getVmRequest(target: ArmTarget, vm: ResourceGroupScoped): RawArmRequest {
  return armRequest("GET", vmUrl(target, vm));
}

/** `PATCH` a VM's identity, conditional on the etag read when one is given. */
export function patchVmIdentityRequest(
  target: ArmTarget,
  vm: ResourceGroupScoped,
  patch: { identity: IdentityPatchBody },
  etag: string | undefined,
): RawArmRequest {
  return armRequest("PATCH", vmUrl(target, vm), patch, etag ? { "if-match": etag } : {});
}

/** `PUT` a whole VM: `If-None-Match: *` unless overwriting an existing one is allowed. */
export function putVmRequest(target: ArmTarget, vm: ResourceGroupScoped, body: unknown, overwrite: boolean): RawArmRequest {
  return armRequest("PUT", vmUrl(target, vm), body, overwrite ? {} : { "if-none-match": "*" });
}

function extensionUrl(target: ArmTarget, vm: ResourceGroupScoped, name: string): string {
  return url(target, extensionPathSegments(vm, name), target.apiVersions.compute);
}

/** `GET` a VM extension. */
export function getExtensionRequest(target: ArmTarget, vm: ResourceGroupScoped, name: string): RawArmRequest {
  return armRequest("GET", extensionUrl(target, vm, name));
}

/** `PUT` a VM extension. */
export function putExtensionRequest(target: ArmTarget, vm: ResourceGroupScoped, name: string, body: unknown): RawArmRequest {
  return armRequest("PUT", extensionUrl(target, vm, name), body);
}

/** `DELETE` a VM extension. */
export function deleteExtensionRequest(target: ArmTarget, vm: ResourceGroupScoped, name: string): RawArmRequest {
  return armRequest("DELETE", extensionUrl(target, vm, name));
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

/** `DELETE` a user-assigned identity. */
export function deleteUserAssignedIdentityRequest(target: ArmTarget, uai: ResourceGroupScoped): RawArmRequest {
  return armRequest("DELETE", uaiUrl(target, uai));
}
