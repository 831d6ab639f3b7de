/**
 * What a migration off the MSI extension does to one VM or scale set: keep
 * the extension where no managed identity would be left to get tokens
 * (unless forced), else DELETE it and wait; for a scale set under a Manual
 * upgrade policy, bring its instances to the model without it when asked
 * (and say how many still run it when not). A dry run plans the same
 * requests and sends none of its writes.
 */
import { type ExtensionHost, manualUpgradeRequest, vmExtensionHost, vmssExtensionHost } from "../core/armRequests.js";
import type { VmIdentity } from "../core/identity.js";
import type { ListedMsiExtension } from "../core/msiExtension.js";
import { type RawArmRequest, armRequest } from "../core/request.js";
import type { ComputeResourceKind, ComputeResourceRef } from "../core/resourceId.js";
import { type UpgradePolicyMode, upgradePolicyOf } from "../core/scaleSet.js";
import type { ResourceSnapshot } from "../core/snapshot.js";
import type { Operation } from "../http/operation.js";
import { removeMsiExtension } from "../operations/msiExtension.js";
import { type InstanceUpgradeOutcome, listVmssInstances, settleInstances } from "../operations/scaleSet.js";
import type { FleetEntry, FleetTask } from "./runFleet.js";
import type { FleetStatus } from "./results.js";

/** Why a resource was skipped: a stable code the command (or a script) can branch on. */
export type MigrationSkipCode = "NoIdentity" | "ExtensionAbsent" | "DoneEarlier";

/**
 * Refusal to remove the extension from a resource with no managed identity
 * (its applications would lose their tokens). Thrown by the task so that the
 * journal does not record the resource done: a rerun looks at it again
 * (after an identity was given to it, or with `force`).
 */
export class MigrationSkip extends Error {
  readonly code: MigrationSkipCode;
  constructor(code: MigrationSkipCode, message: string) {
    super(message);
    this.name = "MigrationSkip";
    this.code = code;
  }
}

/** One entry of a migration's fleet: what the inventory found. */
export interface MigrationEntry extends FleetEntry {
  /** The VM or scale set (its real name; `vm` keeps a scale set's key apart from a VM of the same name). */
  ref?: ComputeResourceRef;
  /** The MSI extensions it lists ([] for one an earlier run left unfinished). */
  extensions?: ListedMsiExtension[];
  /** What the journal shows for it (a dry run reports those done as such). */
  previous?: FleetStatus;
}

/** What the task reports for one resource. */
export interface MigrationTaskOutcome extends Partial<InstanceUpgradeOutcome> {
  /** Named apart from the fleet's own `status`, which the journal records. */
  outcome: "removed" | "skipped" | "planned";
  reason?: string;
  reasonCode?: MigrationSkipCode;
  warnings: string[];
  /** The exact requests a dry run would send (writes and the instance list they need). */
  requests?: RawArmRequest[];
}

/** The migration's own options, as the task needs them. */
export interface MigrationTaskOptions {
  dryRun: boolean;
  force: boolean;
  upgradeInstances: boolean;
}

const KIND_LABEL: Record<ComputeResourceKind, string> = { virtualMachine: "virtual machine", virtualMachineScaleSet: "virtual machine scale set" };

/** How messages name a resource. */
export const labelOf = (ref: ComputeResourceRef): string => `${KIND_LABEL[ref.kind]} '${ref.name}'`;

function hostOf(op: Operation, ref: ComputeResourceRef): ExtensionHost {
  return ref.kind === "virtualMachine" ? vmExtensionHost(op.target, ref) : vmssExtensionHost(op.target, ref);
}

/** Why a resource with no managed identity keeps the extension. */
function noIdentitySkip(ref: ComputeResourceRef): MigrationSkip {
  return new MigrationSkip(
    "NoIdentity",
    `The ${labelOf(ref)} has no managed identity left: removing the extension would leave its applications without tokens. ` +
      "Give it an identity first (its applications then get tokens from IMDS), or pass force.",
  );
}

/** What a dry run says of a scale set's instances, with the upgrade request it would send. */
async function planInstances(
  op: Operation,
  ref: ComputeResourceRef,
  policy: UpgradePolicyMode,
  modelChanges: boolean,
  options: MigrationTaskOptions,
  requests: RawArmRequest[],
  warnings: string[],
): Promise<InstanceUpgradeOutcome> {
  if (policy !== "Manual") return { upgradePolicy: policy, instancesPending: 0, upgradedInstances: [] };
  // Once the extension leaves the model, every instance lacks the latest model; until then, those listed so.
  const pending: string[] = [];
  for await (const instance of listVmssInstances(op, ref)) if (modelChanges || !instance.latestModelApplied) pending.push(instance.instanceId);
  if (options.upgradeInstances && pending.length > 0) {
    requests.push(manualUpgradeRequest(op.target, ref, pending));
    return { upgradePolicy: policy, instancesPending: 0, upgradedInstances: pending };
  }
  if (pending.length > 0) warnings.push(instancesWarning(ref, pending.length));
  return { upgradePolicy: policy, instancesPending: pending.length, upgradedInstances: [] };
}

const instancesWarning = (ref: ComputeResourceRef, count: number): string =>
  `${count} instance(s) of the ${labelOf(ref)} (upgrade policy Manual) still run the extension until they are upgraded (upgradeInstances).`;

/**
 * The per-resource task of a migration. `entry.snapshot` is the resource as
 * its list page (or its own GET) showed it: its identity and extensions; no
 * other read is made before the DELETE.
 */
export function migrationTask(options: MigrationTaskOptions): FleetTask<MigrationTaskOutcome> {
  return async (_vm, op, fleetEntry) => {
    const entry = fleetEntry as MigrationEntry;
    const ref = entry.ref!;
    const snapshot = entry.snapshot as ResourceSnapshot;
    const identity: VmIdentity = snapshot.identity;
    const extensions = entry.extensions ?? [];
    const warnings: string[] = [];
    const isScaleSet = ref.kind === "virtualMachineScaleSet";
    const policy = isScaleSet ? upgradePolicyOf(snapshot.body) : undefined;

    if (options.dryRun && (entry.previous === "changed" || entry.previous === "unchanged")) {
      return { changed: false, extra: { outcome: "skipped", reasonCode: "DoneEarlier", reason: "The journal shows it done by an earlier run.", warnings, requests: [] } };
    }
    if (extensions.length > 0 && identity.type === "None") {
      if (!options.force) {
        const skip = noIdentitySkip(ref);
        // A dry run keeps no journal: it reports the skip as it is, without a failure in the log.
        if (options.dryRun) return { changed: false, extra: { outcome: "skipped", reasonCode: skip.code, reason: skip.message, warnings, requests: [] } };
        throw skip;
      }
      warnings.push(`The ${labelOf(ref)} has no managed identity: its applications that used the extension lose their tokens (force).`);
    }
    if (extensions.length === 0) warnings.push(`The extension was already gone from the ${labelOf(ref)}: an earlier run's removal landed.`);
    const host = hostOf(op, ref);

    if (options.dryRun) {
      const requests = extensions.map((ext) => armRequest("DELETE", host.extensionUrl(ext.name)));
      const instances = policy ? await planInstances(op, ref, policy, extensions.length > 0, options, requests, warnings) : {};
      return { changed: false, extra: { outcome: "planned", warnings, requests, ...instances } };
    }

    let removed = false;
    for (const ext of extensions) {
      const result = await removeMsiExtension(op, host, ext.name, snapshot);
      removed ||= result.removed;
    }
    const instances = policy ? await settleInstances(op, ref, policy, options.upgradeInstances) : undefined;
    if (instances && instances.instancesPending > 0) warnings.push(instancesWarning(ref, instances.instancesPending));
    const upgraded = (instances?.upgradedInstances.length ?? 0) > 0;
    if (!removed && extensions.length > 0 && !upgraded) {
      return {
        changed: false,
        extra: { outcome: "skipped", reasonCode: "ExtensionAbsent", reason: `The extension was already gone from the ${labelOf(ref)} when its DELETE arrived.`, warnings, ...instances },
      };
    }
    return { changed: removed || upgraded || extensions.length === 0, extra: { outcome: "removed", warnings, ...instances } };
  };
}
