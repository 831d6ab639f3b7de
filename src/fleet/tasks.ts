/** What a fleet does on each VM: plan from the list page when it can, write, and read the outcome back at the fleet's cost. */
import { vmExtensionHost } from "../core/armRequests.js";
import { type VmIdentity, fromArmIdentity, holdsIdentity } from "../core/identity.js";
import { isRestError } from "../http/lazyDependencies.js";
import type { IdentityChange, IdentityPatchBody } from "../core/planIdentityChange.js";
import type { MsiExtensionInstallOptions } from "../options.js";
import type { ApplyIdentityOptions } from "../options.js";
import {
  type IdentityPlan,
  planIdentity,
  planOnSnapshot,
  planWithAccess,
  prepareIdentityAccess,
  vmIdentityTarget,
  writeIdentityChange,
} from "../operations/identity.js";
import { type AccessOutcome, type IdentityAccess, finishAccess } from "../operations/identityAccess.js";
import { type VmExtensionResource, installMsiExtension, removeMsiExtension } from "../operations/msiExtension.js";
import type { FleetTask } from "./runFleet.js";

/** What a fleet identity change reports per VM, besides its status (and its role assignments, when the change grants or disables). */
export interface FleetIdentityOutcome extends AccessOutcome {
  /** The VM's identity once the change is done, as ARM shows it (as listed or read when there was nothing to do). */
  identity: VmIdentity;
  /** Read-plan-write rounds (0: the list page showed nothing to do, and nothing was sent). */
  attempts: number;
}

/**
 * Apply `changes` to one VM of a fleet. A VM whose list page shows nothing
 * to do costs no request; one whose page carries an etag is written at once
 * (`If-Match` of that etag); otherwise it is read first. The operation its
 * PATCH starts is followed by the fleet (a list sweep, or a read of the VM).
 */
export function identityTask(changes: readonly IdentityChange[], options: ApplyIdentityOptions, access?: IdentityAccess): FleetTask<FleetIdentityOutcome> {
  const budgets = [
    ...(changes.some((c) => c.op === "enableSystemAssigned") ? ["managedIdentityCreate"] : []),
    ...(changes.some((c) => c.op === "assignUserAssigned") ? ["managedIdentityAssign"] : []),
  ];
  return async (vm, op, entry, fleet) => {
    const target = vmIdentityTarget(op.target, vm);
    // Role assignments (grants, orphans of a disabled system identity): prepared on the VM as listed or read, finished on the identity written.
    const before = await prepareIdentityAccess(op, target, changes, access, options, entry.snapshot);
    let listed = before?.snapshot ?? entry.snapshot;
    if (listed) {
      const plan = planOnSnapshot(target, listed, changes, options.concurrency);
      if (!plan.request) return finishAccess(before?.prepared, op, { changed: false, extra: { identity: plan.current, attempts: 0 } });
    }
    let reapply: { identity: IdentityPatchBody } | undefined;
    let rounds = 0;
    for (let tries = 1; ; tries++) {
      const start = { ...(listed?.etag ? { snapshot: listed } : {}), ...(reapply ? { reapply } : {}) };
      listed = undefined;
      const written = await writeIdentityChange(op, target, changes, options, start);
      rounds += written.rounds;
      const followable = written.response.headers["azure-asyncoperation"] ?? written.response.headers["location"];
      if (!followable) {
        const identity = fromArmIdentity((written.response.body as Record<string, unknown>)?.["identity"]);
        return finishAccess(before?.prepared, op, { changed: written.changed, extra: { identity, attempts: rounds } });
      }
      try {
        // The change is in place when the resource shows the identity the write aimed at.
        const final = await fleet.confirm(op, target.url, written.response, entry, (body) => holdsIdentity(fromArmIdentity(body["identity"]), written.desired));
        if (budgets.length > 0) fleet.succeeded(op, target.url, budgets);
        return finishAccess(before?.prepared, op, { changed: written.changed, extra: { identity: fromArmIdentity(final["identity"]), attempts: rounds } });
      } catch (e) {
        // An operation refused by a budget no header reports: slow that budget down and write again.
        if (!isThrottled(e) || tries >= MAX_THROTTLED_TRIES) throw e;
        fleet.throttled(op, target.url, budgets);
        reapply = written.response.request.body as { identity: IdentityPatchBody };
      }
    }
  };
}

/**
 * How often a fleet writes a VM again when its operation ends refused by a
 * budget (managed identity's limit may answer so). Each refusal is learned
 * only when the operation ends, seconds after the writes that followed it, so
 * at the limit one VM may be refused several times while the fleet's pace
 * settles; the fleet's deadline bounds the tries too.
 */
const MAX_THROTTLED_TRIES = 20;
const THROTTLING_CODES = new Set(["TooManyRequests", "SubscriptionRequestsThrottled"]);

function isThrottled(e: unknown): boolean {
  return isRestError(e) && e.statusCode === undefined && THROTTLING_CODES.has(e.code ?? "");
}

/** Plan `changes` for one VM: from its list page when it has one, else from a read. */
export function identityPlanTask(changes: readonly IdentityChange[], access?: IdentityAccess): FleetTask<{ plan: IdentityPlan }> {
  return async (vm, op, entry) => {
    const target = vmIdentityTarget(op.target, vm);
    const plan = entry.snapshot?.etag ? await planWithAccess(op, target, entry.snapshot, changes, access) : await planIdentity(op, target, changes, undefined, access);
    return { changed: plan.request !== undefined, extra: { plan } };
  };
}

/** Install the MSI extension on one VM of a fleet. */
export function msiInstallTask(options: MsiExtensionInstallOptions): FleetTask<{ extension: VmExtensionResource }> {
  return async (vm, op, entry) => {
    const listed = entry.snapshot;
    // The list page already says the OS and location: no read needed for them.
    const known = { ...(listed?.osType && options.os === undefined ? { os: listed.osType } : {}), ...(listed?.location && options.location === undefined ? { location: listed.location } : {}) };
    return { changed: true, extra: { extension: await installMsiExtension(op, vmExtensionHost(op.target, vm), { ...known, ...options }) } };
  };
}

/** Remove the MSI extension from one VM of a fleet. */
export function msiRemoveTask(name: string | undefined): FleetTask<{ name: string }> {
  return async (vm, op) => {
    const { removed, name: removedName } = await removeMsiExtension(op, vmExtensionHost(op.target, vm), name);
    return { changed: removed, extra: { name: removedName } };
  };
}
