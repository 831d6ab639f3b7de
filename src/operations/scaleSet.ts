/**
 * Scale sets: their identity target (a VM's rules, plus the Flexible
 * refusal of a system identity), their instances (listed page by page), and
 * bringing instances up to the scale set's model under a Manual upgrade
 * policy. Identity changes need no instance upgrade under any policy; an
 * extension added or removed does under Manual.
 */
import { type ArmTarget, manualUpgradeRequest, vmssInstancesUrl, vmssUrl } from "../core/armRequests.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import { type UpgradePolicyMode, type VmssInstance, checkScaleSetIdentity, vmssInstanceOf } from "../core/scaleSet.js";
import { followProvisioningState, waitForOperation } from "../http/lro.js";
import type { Operation } from "../http/operation.js";
import { restErrorFromResponse } from "../http/restError.js";
import { logger } from "../logger.js";
import type { IdentityTarget } from "./identity.js";
import { listEntries } from "./listPages.js";
import { isConflictingWrite } from "./msiExtension.js";

/** How messages name a scale set. */
export const vmssLabel = (vmss: ResourceGroupScoped): string => `virtual machine scale set '${vmss.name}'`;

/**
 * The identity target of a scale set: its URL, how messages name it, and the
 * check a VM has not: once the read shows Flexible orchestration, a system
 * identity is refused (`SystemIdentityNotSupported`) before any write.
 */
export function vmssIdentityTarget(target: ArmTarget, vmss: ResourceGroupScoped): IdentityTarget {
  const label = vmssLabel(vmss);
  return { url: vmssUrl(target, vmss), label, check: (current, desired) => checkScaleSetIdentity(current.body, desired, label) };
}

/** The instances of a scale set, page by page as they are consumed. */
export async function* listVmssInstances(op: Operation, vmss: ResourceGroupScoped): AsyncGenerator<VmssInstance> {
  for await (const entry of listEntries(op, vmssInstancesUrl(op.target, vmss))) {
    const instance = vmssInstanceOf(entry);
    if (instance) yield instance;
  }
}

/** What became of a scale set's instances after a change to its model. */
export interface InstanceUpgradeOutcome {
  /** The scale set's upgrade policy, as its model showed it. */
  upgradePolicy: UpgradePolicyMode;
  /**
   * Instances that do not run the scale set's current model and will not get
   * it without a manual upgrade: under Manual, those listed without
   * `latestModelApplied` (and not upgraded now); under Automatic and Rolling
   * always 0, since Azure brings them up to date itself.
   */
  instancesPending: number;
  /** The instance ids this call upgraded (`manualupgrade`), in the order listed. */
  upgradedInstances: string[];
}

/**
 * `POST manualupgrade` for `instanceIds` and wait for its operation. A replay
 * whose first attempt got no answer and which finds the scale set busy (409)
 * is this call's own upgrade still running: it is followed to its end.
 */
export async function upgradeInstances(op: Operation, vmss: ResourceGroupScoped, instanceIds: readonly string[]): Promise<void> {
  const request = manualUpgradeRequest(op.target, vmss, instanceIds);
  logger.info(`${op.name}: upgrading ${instanceIds.length} instance(s) of ${vmssLabel(vmss)} to its model.`);
  const response = await op.send(request, { accept: [409] });
  if (response.status === 409) {
    if (response.unansweredAttempts === 0 || !isConflictingWrite(response)) throw restErrorFromResponse(response.raw, response.body);
    await followProvisioningState(op, vmssUrl(op.target, vmss));
    return;
  }
  await waitForOperation(op, response);
}

/**
 * After the model changed: under a Manual policy, list the instances and,
 * when `upgrade`, bring every one that lacks the latest model up to it
 * (`manualupgrade`, waited for); otherwise count them. Automatic and Rolling
 * scale sets need nothing and cost no request.
 */
export async function settleInstances(
  op: Operation,
  vmss: ResourceGroupScoped,
  upgradePolicy: UpgradePolicyMode,
  upgrade: boolean,
): Promise<InstanceUpgradeOutcome> {
  if (upgradePolicy !== "Manual") return { upgradePolicy, instancesPending: 0, upgradedInstances: [] };
  const outdated: string[] = [];
  for await (const instance of listVmssInstances(op, vmss)) if (!instance.latestModelApplied) outdated.push(instance.instanceId);
  if (!upgrade || outdated.length === 0) {
    if (outdated.length > 0) {
      logger.warning(
        `${op.name}: ${outdated.length} instance(s) of ${vmssLabel(vmss)} (upgrade policy Manual) do not run its latest model; ` +
          "they get the change only after a manual upgrade (upgradeInstances: true).",
      );
    }
    return { upgradePolicy, instancesPending: outdated.length, upgradedInstances: [] };
  }
  await upgradeInstances(op, vmss, outdated);
  return { upgradePolicy, instancesPending: 0, upgradedInstances: outdated };
}
