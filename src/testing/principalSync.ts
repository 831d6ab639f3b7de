/**
 * Keeps the directory in step with the resources that own principals: a VM's
 * or scale set's system identity, a user-assigned identity. Called after a
 * write succeeds, after seeding, and when a failed operation rolls a write back.
 */
import type { EmulatorState } from "./context.js";
import { matchTemplate, template, uaiResourceId, vmResourceId } from "./resourceIds.js";
import { vmssResourceId } from "./scaleSetStore.js";
import { scopeSegments } from "./scopes.js";
import type { VmIdentityRecord } from "./store.js";

const VM_PATH = template("subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}");
const VMSS_PATH = template("subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}");
const UAI_PATH = template("subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}");

const systemPrincipals = (identity: VmIdentityRecord | undefined) => (identity?.system ? [identity.system.principalId] : []);

/**
 * Syncs the principals of the VM, scale set or user-assigned identity that a
 * path (or a resource id's segments) names or lies below, in whichever of the
 * emulator's subscriptions it is; anything else is left alone.
 */
export function syncPrincipalsAt(state: EmulatorState, segments: readonly string[]): void {
  const head = segments.slice(0, 8);
  const vm = matchTemplate(head, VM_PATH);
  const vmss = matchTemplate(head, VMSS_PATH);
  const uai = matchTemplate(head, UAI_PATH);
  const names = vm ?? vmss ?? uai;
  const owner = names && state.subscriptions.get((names.s as string).toLowerCase());
  if (!names || !owner) return;
  const { s, rg, name } = names as { s: string; rg: string; name: string };
  const { store, access, clock } = owner;
  const now = clock.now();
  if (vm) access.directory.sync(vmResourceId(s, rg, name), systemPrincipals(store.findVm(rg, name)?.identity), now);
  else if (vmss) access.directory.sync(vmssResourceId(s, rg, name), systemPrincipals(store.findVmss(rg, name)?.identity), now);
  else {
    const record = store.findUai(rg, name);
    access.directory.sync(uaiResourceId(s, rg, name), record ? [record.principalId] : [], now);
  }
}

/** Syncs the principals of the resource `resourceId` names. */
export function syncPrincipalsOf(state: EmulatorState, resourceId: string): void {
  syncPrincipalsAt(state, scopeSegments(resourceId));
}
