/**
 * The MSI extension on a scale set: the scale-set extension resource (in the
 * model, no `location`), the OS read from the model, and the instances:
 * under a Manual upgrade policy existing instances get an extension added or
 * removed only after `manualupgrade`, which `upgradeInstances` runs on every
 * instance that lacks the latest model.
 */
import { vmssExtensionHost } from "../core/armRequests.js";
import { InvalidInputError } from "../core/errors.js";
import { msiExtensionType } from "../core/msiExtension.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import { upgradePolicyOf } from "../core/scaleSet.js";
import type { Operation } from "../http/operation.js";
import type { MsiExtensionInstallOptions } from "../options.js";
import { type MsiExtensionRemoveResult, type VmExtensionResource, installMsiExtension, removeMsiExtension } from "./msiExtension.js";
import { type ReadResource, readResource } from "./readResource.js";
import { type InstanceUpgradeOutcome, settleInstances, vmssLabel } from "./scaleSet.js";

/** The outcome of `ss.msiExtension.install()`. */
export interface VmssMsiExtensionResult extends InstanceUpgradeOutcome {
  /** The extension as its GET shows it once installed. */
  extension: VmExtensionResource;
}

/** The outcome of `ss.msiExtension.remove()`. */
export type VmssMsiExtensionRemoveResult = MsiExtensionRemoveResult & InstanceUpgradeOutcome;

function osOf(read: ReadResource, vmss: ResourceGroupScoped, what: string): "Windows" | "Linux" {
  if (!read.osType) {
    throw new InvalidInputError("InvalidOsType", `The OS type of ${vmssLabel(vmss)} is not in its model's storage profile: pass ${what}.`);
  }
  return read.osType;
}

/**
 * Install (or update) the MSI extension on a scale set: one GET of the scale
 * set (its OS and upgrade policy), PUT the extension, wait, then settle the
 * instances (see {@link settleInstances}).
 */
export async function installVmssMsiExtension(
  op: Operation,
  vmss: ResourceGroupScoped,
  options: Omit<MsiExtensionInstallOptions, "location">,
  upgrade: boolean,
): Promise<VmssMsiExtensionResult> {
  const host = vmssExtensionHost(op.target, vmss);
  const read = await readResource(op, host.url);
  const os = options.os ?? osOf(read, vmss, 'os: "Windows" or "Linux"');
  const extension = await installMsiExtension(op, host, { ...options, os });
  return { extension, ...(await settleInstances(op, vmss, upgradePolicyOf(read.body), upgrade)) };
}

/**
 * Remove the MSI extension from a scale set: one GET of the scale set (the
 * extension's default name, its upgrade policy), DELETE, wait, then settle
 * the instances. Instances still on an older model are upgraded even when
 * the extension was already gone from the model (an earlier removal whose
 * upgrade never ran).
 */
export async function removeVmssMsiExtension(
  op: Operation,
  vmss: ResourceGroupScoped,
  name: string | undefined,
  upgrade: boolean,
): Promise<VmssMsiExtensionRemoveResult> {
  const host = vmssExtensionHost(op.target, vmss);
  const read = await readResource(op, host.url);
  const removed = await removeMsiExtension(op, host, name ?? msiExtensionType(osOf(read, vmss, "the extension name")), read);
  return { ...removed, ...(await settleInstances(op, vmss, upgradePolicyOf(read.body), upgrade)) };
}
