import { RestError } from "@azure/core-rest-pipeline";
import { InvalidInputError, describeValue } from "../core/errors.js";
import { type VmIdentity, fromArmIdentity } from "../core/identity.js";
import { type ArmTarget, patchIdentityRequest, vmUrl } from "../core/armRequests.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import { type IdentityChange, planIdentityChange } from "../core/planIdentityChange.js";
import { armRequest, type RawArmRequest } from "../core/request.js";
import type { ResourceSnapshot } from "../core/snapshot.js";
import { checkDurationInMs } from "../http/connection.js";
import { type ArmPoller, createArmPoller, followProvisioningState, isTerminalState, provisioningStateOf } from "../http/lro.js";
import type { ArmResponse, Operation } from "../http/operation.js";
import { restErrorFromResponse } from "../http/restError.js";
import { retryAfterInMs } from "../http/retryAfter.js";
import { logger } from "../logger.js";
import type { ApplyIdentityOptions, ConcurrencyMode } from "../options.js";
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

/** What `plan()` returns: the state read, the state wanted and the request that would get there. */
export interface IdentityPlan {
  current: VmIdentity;
  desired: VmIdentity;
  /** The exact PATCH `apply()` would send now; undefined when nothing would change. */
  request?: RawArmRequest;
}

/** The outcome of `apply()`. */
export interface IdentityResult {
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
const MAX_CONFLICT_DELAY_MS = 30_000;

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
}

/** Plan `changes` over a snapshot: the body of `plan()`, and of a fleet planning from list pages. */
export function planOnSnapshot(
  target: IdentityTarget,
  snapshot: ResourceSnapshot,
  changes: readonly IdentityChange[],
  concurrency: ConcurrencyMode = "optimistic",
): IdentityPlan {
  const { desired, patch } = planIdentityChange(snapshot.identity, changes);
  const plan: IdentityPlan = { current: snapshot.identity, desired };
  if (patch) {
    target.check?.(snapshot, desired);
    plan.request = patchIdentityRequest(target.url, patch, concurrency === "optimistic" ? snapshot.etag : undefined);
  }
  return plan;
}

/** Read the resource and plan the change: `plan()`. */
export async function planIdentity(
  op: Operation,
  target: IdentityTarget,
  changes: readonly IdentityChange[],
  concurrency: ConcurrencyMode = "optimistic",
): Promise<IdentityPlan> {
  return planOnSnapshot(target, await readResource(op, target.url), changes, concurrency);
}

function jittered(baseInMs: number, step: number): number {
  const exponential = Math.min(MAX_CONFLICT_DELAY_MS, baseInMs * 2 ** step);
  // Half fixed, half random: spreads writers that lost the same race.
  return exponential / 2 + Math.random() * (exponential / 2);
}

const isConflictingWrite = (response: ArmResponse): boolean =>
  response.status === 409 && (response.body as { error?: { code?: unknown } } | undefined)?.error?.code === "ConflictingConcurrentWriteNotAllowed";

/** What the write step of an identity change may start from: a snapshot already read (e.g. from a fleet's list page). */
export interface IdentityStartOptions {
  /** The first round plans from this instead of reading the resource. */
  snapshot?: ResourceSnapshot;
}

/**
 * Start an identity change as a core-lro poller: read, plan, PATCH once (not
 * at all for a no-op), then follow the operation and read the resource back.
 *
 * Under the optimistic mode the PATCH is conditional on the etag read; a lost
 * race (412) is answered by reading and planning again (at once the first
 * time, then with jittered, growing waits), a 409 for a running write by
 * waiting; after `maxAttempts` rounds the call fails with
 * `ConcurrencyRetriesExhausted`. A replay of a PATCH whose first attempt got
 * no response may answer 412 or 409 although that attempt landed: when the
 * next read shows nothing left to do, the write is this call's own, and its
 * outcome (Succeeded, or Failed) is what is reported.
 */
export function beginIdentityChange(
  op: Operation,
  target: IdentityTarget,
  changes: readonly IdentityChange[],
  options: ApplyIdentityOptions = {},
  start: IdentityStartOptions = {},
): ArmPoller<IdentityResult> {
  const concurrency = options.concurrency ?? "optimistic";
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const baseDelay = options.conflictRetryDelayInMs ?? DEFAULT_CONFLICT_RETRY_DELAY_IN_MS;
  let changed = false;
  let rounds = 0;

  async function write(): Promise<ArmResponse> {
    let lostRaces = 0;
    let conflicts = 0;
    // Set once a PATCH of ours may have landed although its answer was an error.
    let mayHaveLanded = false;
    let given = start.snapshot;
    for (;;) {
      rounds++;
      const read: ResourceSnapshot & Partial<Pick<ReadResource, "response">> = given ?? (await readResource(op, target.url));
      given = undefined;
      const plan = planOnSnapshot(target, read, changes, concurrency);
      if (!plan.request) {
        if (mayHaveLanded) {
          // Nothing left to do: an earlier attempt of ours did it. Report how it ended.
          changed = true;
          logger.info(`${op.name}: ${target.label} already shows the change after a replay; following its provisioning.`);
          return followProvisioningState(op, target.url, read.response);
        }
        logger.info(`${op.name}: ${target.label} already has identity ${plan.current.type}; nothing to send.`);
        return read.response ?? op.send(armRequest("GET", target.url));
      }
      if (concurrency === "optimistic" && !read.etag) {
        logger.warning(`${op.name}: ${target.label} was read without an etag: the PATCH cannot be conditional, and a concurrent change could be undone.`);
      }
      logger.info(`${op.name}: ${target.label}: ${plan.current.type} -> ${plan.desired.type} (attempt ${rounds}).`);
      const response = await op.send(plan.request, { accept: [409, 412] });
      if (response.status < 300) {
        changed = true;
        if (response.headers["azure-asyncoperation"] ?? response.headers["location"]) return response;
        // No status URL. Still running: core-lro follows a body only after a PUT, so it is followed here.
        // Done at once: read the resource back, since a PATCH's answer may not show identities' principals yet.
        if (!isTerminalState(provisioningStateOf(response.body))) return followProvisioningState(op, target.url);
        return op.send(armRequest("GET", target.url));
      }
      if (response.unansweredAttempts > 0) mayHaveLanded = true;
      const lostRace = response.status === 412 && concurrency === "optimistic";
      if (!lostRace && !isConflictingWrite(response)) throw restErrorFromResponse(response.raw, response.body);
      if (rounds >= maxAttempts) {
        throw new RestError(
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
          const waitMs = baseDelay > 0 ? jittered(baseDelay, lostRaces - 2) : 0;
          logger.info(`${op.name}: ${target.label} changed again (412, ${lostRaces} in a row); reading it again in ${Math.round(waitMs)} ms.`);
          await op.delay(waitMs);
        }
      } else {
        lostRaces = 0;
        const waitMs = retryAfterInMs((name) => response.headers[name]) ?? (baseDelay > 0 ? jittered(baseDelay, conflicts) : 0);
        conflicts++;
        logger.info(`${op.name}: another write to ${target.label} is running (409); retrying in ${Math.round(waitMs)} ms.`);
        await op.delay(waitMs);
      }
    }
  }

  return createArmPoller(op, {
    start: write,
    result: (final) => ({
      identity: fromArmIdentity((final.body as { identity?: unknown } | undefined)?.identity),
      changed,
      requestIds: op.requestIds as string[],
      attempts: rounds,
      correlationId: op.correlationId,
    }),
  });
}
