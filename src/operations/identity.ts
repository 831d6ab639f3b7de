import { newRestError } from "../http/lazyDependencies.js";
import { InvalidInputError, describeValue } from "../core/errors.js";
import { type VmIdentity, fromArmIdentity, hasSystemAssigned, holdsIdentity } from "../core/identity.js";
import { type ArmTarget, patchIdentityRequest, vmUrl } from "../core/armRequests.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import { type IdentityChange, type IdentityPatchBody, planIdentityChange } from "../core/planIdentityChange.js";
import { armRequest, type RawArmRequest } from "../core/request.js";
import type { RoleAssignmentInfo } from "../core/roles.js";
import { type ResourceSnapshot, snapshotOf } from "../core/snapshot.js";
import { checkDurationInMs } from "../http/connection.js";
import { type ArmPoller, createArmPoller, followProvisioningState, isTerminalState, provisioningStateOf } from "../http/lro.js";
import type { ArmResponse, Operation } from "../http/operation.js";
import { restErrorFromResponse } from "../http/restError.js";
import { retryAfterInMs } from "../http/retryAfter.js";
import { logger } from "../logger.js";
import type { ApplyIdentityOptions, ConcurrencyMode } from "../options.js";
import { jitteredBackoffInMs } from "./backoff.js";
import { type AccessOutcome, type IdentityAccess, type PlannedRoleAssignment, type PreparedAccess, needsAccess, planAccess, prepareAccess } from "./identityAccess.js";
import { type ReadResource, readResource } from "./readResource.js";

/** A resource whose identity can change: a VM or a scale set. */
export interface IdentityTarget {
  /** The resource's URL, with api-version. */
  url: string;
  /** How messages name it, e.g. `virtual machine 'vm1'`. */
  label: string;
  /** Refuse a desired identity the resource cannot take, before any write (e.g. a Flexible scale set's system identity). */
  check?(current: ResourceSnapshot, desired: VmIdentity): void;
}

/** The identity target of a VM: its URL and how messages name it. */
export function vmIdentityTarget(target: ArmTarget, vm: ResourceGroupScoped): IdentityTarget {
  return { url: vmUrl(target, vm), label: `virtual machine '${vm.name}'` };
}

/** What `plan()` returns: the state read, the state wanted and the requests that would get there. */
export interface IdentityPlan {
  /** The identity the resource has now, as read (or as a fleet's list page shows it). */
  current: VmIdentity;
  /** The identity the resource will have once `apply()` is done. */
  desired: VmIdentity;
  /** The exact PATCH `apply()` would send now; undefined when nothing would change. */
  request?: RawArmRequest;
  /**
   * Every write `apply()` would send now, in order: the role assignment
   * DELETEs (under `roleAssignments: "delete"`), the PATCH, the role
   * assignment PUTs (a principal that does not exist yet shown as
   * `<pending: ...>`). `[]` when nothing would be written.
   */
  requests: RawArmRequest[];
  /** The grants asked for and what `apply()` would do for each (present when the change grants roles). */
  roleAssignments?: PlannedRoleAssignment[];
  /** The role assignments the disable would leave orphaned (under `"keep"`), read now. */
  orphanedRoleAssignments?: RoleAssignmentInfo[];
  /** The role assignments `apply()` would delete before the disable (under `"delete"`), read now. */
  deletedRoleAssignments?: RoleAssignmentInfo[];
}

/** The outcome of `apply()`, with the role assignments it granted, found, orphaned or deleted. */
export interface IdentityResult extends AccessOutcome {
  /** The identity read back after the change (or read, for a no-op). */
  identity: VmIdentity;
  /** Whether this call changed the resource (its write landed). */
  changed: boolean;
  /** `x-ms-request-id` of every response, in order. */
  requestIds: string[];
  /** Read-plan-write rounds taken (more than 1 when a concurrent writer interfered). */
  attempts: number;
  /** The correlation id shared by all requests of the call. */
  correlationId: string;
}

/** Default of {@link ApplyIdentityOptions.maxAttempts}. */
export const DEFAULT_MAX_ATTEMPTS = 10;
/** Default of {@link ApplyIdentityOptions.conflictRetryDelayInMs}. */
export const DEFAULT_CONFLICT_RETRY_DELAY_IN_MS = 1000;

/** Check the options of `apply()` before anything is sent. */
export function checkApplyOptions(options: ApplyIdentityOptions): void {
  if (options === null || typeof options !== "object") {
    throw new InvalidInputError("InvalidOption", `Invalid options ${describeValue(options)}: expected an object.`, options);
  }
  const { concurrency, maxAttempts } = options;
  if (concurrency !== undefined && concurrency !== "optimistic" && concurrency !== "last-writer-wins") {
    throw new InvalidInputError("InvalidOption", `Invalid concurrency ${describeValue(concurrency)}: expected "optimistic" or "last-writer-wins".`, concurrency);
  }
  if (maxAttempts !== undefined && (!Number.isInteger(maxAttempts) || maxAttempts < 1)) {
    throw new InvalidInputError("InvalidOption", `Invalid maxAttempts ${describeValue(maxAttempts)}: expected a positive integer.`, maxAttempts);
  }
  checkDurationInMs("conflictRetryDelayInMs", options.conflictRetryDelayInMs);
  checkDurationInMs("replicationRetryDelayInMs", options.replicationRetryDelayInMs);
  checkDurationInMs("replicationTimeoutInMs", options.replicationTimeoutInMs);
}

/** Plan `changes` over a snapshot: the body of `plan()`, and of a fleet planning from list pages. */
export function planOnSnapshot(
  target: IdentityTarget,
  snapshot: ResourceSnapshot,
  changes: readonly IdentityChange[],
  concurrency: ConcurrencyMode = "optimistic",
): IdentityPlan {
  const { desired, patch } = planIdentityChange(snapshot.identity, changes);
  const plan: IdentityPlan = { current: snapshot.identity, desired, requests: [] };
  if (patch) {
    target.check?.(snapshot, desired);
    plan.request = patchIdentityRequest(target.url, patch, concurrency === "optimistic" ? snapshot.etag : undefined);
    plan.requests.push(plan.request);
  }
  return plan;
}

/**
 * Plan over a snapshot, role assignments included: the grants checked and
 * their roles resolved, the orphans of a disable read, existing grants
 * looked up, and every write `apply()` would send, in order.
 */
export async function planWithAccess(
  op: Operation,
  target: IdentityTarget,
  snapshot: ResourceSnapshot,
  changes: readonly IdentityChange[],
  access: IdentityAccess | undefined,
  concurrency: ConcurrencyMode = "optimistic",
): Promise<IdentityPlan> {
  const plan = planOnSnapshot(target, snapshot, changes, concurrency);
  if (!access || !needsAccess(changes, access.changes)) return plan;
  const { before, after, ...found } = await planAccess(op, target, { snapshot, desired: plan.desired, writes: plan.request !== undefined }, access);
  return { ...plan, requests: [...before, ...plan.requests, ...after], ...found };
}

/** Read the resource and plan the change: `plan()`. */
export async function planIdentity(
  op: Operation,
  target: IdentityTarget,
  changes: readonly IdentityChange[],
  concurrency: ConcurrencyMode = "optimistic",
  access?: IdentityAccess,
): Promise<IdentityPlan> {
  return planWithAccess(op, target, await readResource(op, target.url), changes, access, concurrency);
}

const isConflictingWrite = (response: ArmResponse): boolean =>
  response.status === 409 && (response.body as { error?: { code?: unknown } } | undefined)?.error?.code === "ConflictingConcurrentWriteNotAllowed";

/** What the write step of an identity change may start from: a snapshot already read (e.g. from a fleet's list page). */
export interface IdentityStartOptions {
  /** The first round plans from this instead of reading the resource. */
  snapshot?: ResourceSnapshot;
  /**
   * A PATCH to send again when the resource already shows the change but its
   * provisioning ended `Failed` (a write whose operation was refused, e.g. by
   * managed identity's limit, and whose change stayed): the same body, under
   * a fresh `If-Match`.
   */
  reapply?: { identity: IdentityPatchBody };
}

/** What {@link writeIdentityChange} did. */
export interface IdentityWrite {
  /**
   * The response to follow: the PATCH's (its operation still to follow), or
   * a read of the resource (a no-op, or a write already followed to its end).
   */
  response: ArmResponse;
  /** Whether this call's write landed. */
  changed: boolean;
  /** Read-plan-write rounds taken. */
  rounds: number;
  /** The identity the last write (or the read, for a no-op) aimed at: what a read of the resource should show once it is done. */
  desired: VmIdentity;
}

/** Budgets a PATCH spends that no header reports: managed identity's, when it creates or assigns identities. */
function identityBudgets(plan: IdentityPlan): string[] {
  const budgets: string[] = [];
  if (hasSystemAssigned(plan.desired.type) && !hasSystemAssigned(plan.current.type)) budgets.push("managedIdentityCreate");
  const held = new Set(plan.current.userAssigned.map((ref) => ref.id.toLowerCase()));
  if (plan.desired.userAssigned.some((ref) => !held.has(ref.id.toLowerCase()))) budgets.push("managedIdentityAssign");
  return budgets;
}

/**
 * The write step of an identity change: read, plan, PATCH once (not at all
 * for a no-op). Under the optimistic mode the PATCH is conditional on the
 * etag read; a lost race (412) is answered by reading and planning again (at
 * once the first time, then with jittered, growing waits), a 409 for a
 * running write by waiting; after `maxAttempts` rounds it fails with
 * `ConcurrencyRetriesExhausted`. A replay of a PATCH whose first attempt got
 * no response may answer 412 or 409 although that attempt landed: when the
 * next read shows nothing left to do, the write is this call's own, and its
 * outcome (Succeeded, or Failed) is what is reported.
 */
export async function writeIdentityChange(
  op: Operation,
  target: IdentityTarget,
  changes: readonly IdentityChange[],
  options: ApplyIdentityOptions = {},
  start: IdentityStartOptions = {},
): Promise<IdentityWrite> {
  const concurrency = options.concurrency ?? "optimistic";
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const baseDelay = options.conflictRetryDelayInMs ?? DEFAULT_CONFLICT_RETRY_DELAY_IN_MS;
  let lostRaces = 0;
  let conflicts = 0;
  // Set once a PATCH of ours may have landed although its answer was an error.
  let mayHaveLanded = false;
  let given = start.snapshot;
  // What the last PATCH aimed at: after a replay, a read that shows it means that PATCH landed.
  let aimedAt: VmIdentity | undefined;
  for (let rounds = 1; ; rounds++) {
    const read: ResourceSnapshot & Partial<Pick<ReadResource, "response">> = given ?? (await readResource(op, target.url));
    given = undefined;
    if (mayHaveLanded && aimedAt && holdsIdentity(read.identity, aimedAt)) {
      // An earlier attempt of ours did it (a removal's id is gone, an addition's is there). Report how it ended.
      logger.info(`${op.name}: ${target.label} already shows the change after a replay; following its provisioning.`);
      const final = await followProvisioningState(op, target.url, read.response);
      const settled = snapshotOf(final.body, final.headers["etag"]);
      if (holdsIdentity(settled.identity, aimedAt)) return { response: final, changed: true, rounds, desired: aimedAt };
      // Its operation ended and the change is gone (a failure rolled back): that write did not stick.
      logger.warning(`${op.name}: ${target.label}: the write whose answer was lost did not stick; writing again.`);
      mayHaveLanded = false;
      given = settled;
      continue;
    }
    const plan = planOnSnapshot(target, read, changes, concurrency);
    if (!plan.request && start.reapply && read.provisioningState?.toLowerCase() === "failed") {
      plan.request = patchIdentityRequest(target.url, start.reapply, concurrency === "optimistic" ? read.etag : undefined);
    }
    if (!plan.request) {
      logger.info(`${op.name}: ${target.label} already has identity ${plan.current.type}; nothing to send.`);
      return { response: read.response ?? (await op.send(armRequest("GET", target.url))), changed: false, rounds, desired: plan.desired };
    }
    if (concurrency === "optimistic" && !read.etag) {
      logger.warning(`${op.name}: ${target.label} was read without an etag: the PATCH cannot be conditional, and a concurrent change could be undone.`);
    }
    logger.info(`${op.name}: ${target.label}: ${plan.current.type} -> ${plan.desired.type} (attempt ${rounds}).`);
    aimedAt = plan.desired;
    const response = await op.send(plan.request, { accept: [409, 412], budgets: identityBudgets(plan) });
    if (response.status < 300) {
      if (response.headers["azure-asyncoperation"] ?? response.headers["location"]) return { response, changed: true, rounds, desired: plan.desired };
      // No status URL. Still running: core-lro follows a body only after a PUT, so it is followed here.
      // Done at once: read the resource back, since a PATCH's answer may not show identities' principals yet.
      const final = isTerminalState(provisioningStateOf(response.body)) ? await op.send(armRequest("GET", target.url)) : await followProvisioningState(op, target.url);
      return { response: final, changed: true, rounds, desired: plan.desired };
    }
    if (response.unansweredAttempts > 0) mayHaveLanded = true;
    const lostRace = response.status === 412 && concurrency === "optimistic";
    if (!lostRace && !isConflictingWrite(response)) throw restErrorFromResponse(response.raw, response.body);
    if (rounds >= maxAttempts) {
      throw newRestError(
        `${op.name}: gave up on ${target.label} after ${rounds} attempts: ${lostRace ? "every PATCH lost the race to a concurrent change (412)" : "another write kept running (409)"}. ` +
          `Nothing of this call is left half-done${mayHaveLanded ? ", but an attempt without an answer may have landed: read the resource" : ""}.` +
          (response.requestId ? ` (x-ms-request-id: ${response.requestId})` : ""),
        { code: "ConcurrencyRetriesExhausted", statusCode: response.status, response: response.raw },
      );
    }
    if (lostRace) {
      lostRaces++;
      conflicts = 0;
      if (lostRaces === 1) {
        logger.info(`${op.name}: ${target.label} changed since it was read (412); reading it again.`);
      } else {
        const waitMs = baseDelay > 0 ? jitteredBackoffInMs(baseDelay, lostRaces - 2) : 0;
        logger.info(`${op.name}: ${target.label} changed again (412, ${lostRaces} in a row); reading it again in ${Math.round(waitMs)} ms.`);
        await op.delay(waitMs);
      }
    } else {
      lostRaces = 0;
      const waitMs = retryAfterInMs((name) => response.headers[name]) ?? (baseDelay > 0 ? jitteredBackoffInMs(baseDelay, conflicts) : 0);
      conflicts++;
      logger.info(`${op.name}: another write to ${target.label} is running (409); retrying in ${Math.round(waitMs)} ms.`);
      await op.delay(waitMs);
    }
  }
}

/**
 * Before an identity write, the role assignment steps it needs (grants
 * checked and resolved, orphans read, and deleted if asked), on a snapshot
 * read for them; undefined when the change needs none.
 */
export async function prepareIdentityAccess(
  op: Operation,
  target: IdentityTarget,
  changes: readonly IdentityChange[],
  access: IdentityAccess | undefined,
  options: ApplyIdentityOptions,
  given?: ResourceSnapshot,
): Promise<{ snapshot: ResourceSnapshot; prepared: PreparedAccess } | undefined> {
  if (!access || !needsAccess(changes, access.changes)) return undefined;
  const snapshot = given ?? (await readResource(op, target.url));
  const plan = planOnSnapshot(target, snapshot, changes, options.concurrency);
  const prepared = await prepareAccess(op, target, { snapshot, desired: plan.desired, writes: plan.request !== undefined }, access, options);
  return { snapshot, prepared };
}

/**
 * Start an identity change as a core-lro poller: the role assignment steps
 * due before the write (see {@link prepareIdentityAccess}), then
 * {@link writeIdentityChange}, the operation its PATCH started and core-lro's
 * read of the resource, then the grants, on the principals read back. All
 * in one operation: one correlation id, one deadline.
 */
export function beginIdentityChange(
  op: Operation,
  target: IdentityTarget,
  changes: readonly IdentityChange[],
  options: ApplyIdentityOptions = {},
  start: IdentityStartOptions = {},
  access?: IdentityAccess,
): ArmPoller<IdentityResult> {
  let changed = false;
  let rounds = 0;
  let prepared: PreparedAccess | undefined;
  async function write(): Promise<ArmResponse> {
    const before = await prepareIdentityAccess(op, target, changes, access, options, start.snapshot);
    prepared = before?.prepared;
    const written = await writeIdentityChange(op, target, changes, options, before ? { snapshot: before.snapshot } : start);
    changed = written.changed;
    rounds = written.rounds;
    return written.response;
  }

  return createArmPoller(op, {
    start: write,
    result: async (final) => {
      const read = fromArmIdentity((final.body as { identity?: unknown } | undefined)?.identity);
      const { outcome, identity } = prepared ? await prepared.finish(op, read) : { outcome: {}, identity: read };
      return {
        identity,
        changed,
        requestIds: op.requestIds as string[],
        attempts: rounds,
        correlationId: op.correlationId,
        ...outcome,
      };
    },
  });
}
