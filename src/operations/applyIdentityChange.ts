import { delay } from "@azure/core-util";
import { isRestError, type RestError } from "@azure/core-rest-pipeline";
import type { ClientContext } from "../client/clientContext.js";
import { patchVmIdentityRequest, vmUrl } from "../core/armRequests.js";
import type { VmIdentity } from "../core/identity.js";
import { type IdentityChange, planIdentityChange } from "../core/planIdentityChange.js";
import type { RawArmRequest } from "../core/request.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import { InvalidInputError, describeValue } from "../errors.js";
import { wasReplayed } from "../http/armHttpClient.js";
import { waitForOperation, waitForProvisioning } from "../http/lro.js";
import { retryAfterInMs } from "../http/retryAfter.js";
import type { OperationContext, OperationOptions } from "../http/operationContext.js";
import { logger } from "../logger.js";
import { readVm } from "./readVm.js";

/** How `apply()` guards against concurrent writers. */
export type ConcurrencyMode = "optimistic" | "last-writer-wins";

/** Options of `apply()` on an identity change. */
export interface ApplyIdentityOptions extends OperationOptions {
  /**
   * `"optimistic"` (default): the PATCH carries `If-Match` of the etag read; if
   * another writer got there first (412), the VM is read again and the same
   * change list planned anew, so no one's change is undone.
   * `"last-writer-wins"`: no `If-Match`. A PATCH computed from a stale read can
   * undo a concurrent change, e.g. re-enable a system identity someone just
   * disabled, which creates a new principal whose role assignments are gone.
   */
  concurrency?: ConcurrencyMode;
  /** Upper bound on read-plan-write rounds. Default 100; `timeoutInMs` usually ends it first. */
  maxAttempts?: number;
  /** First wait after a 409 that has no Retry-After; doubles each time, with jitter, up to 30 s. Default 1000. */
  conflictRetryDelayInMs?: number;
}

/** What {@link IdentityPlan} holds: the state read, the state wanted and the request that would get there. */
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
  /** Whether a write was made. */
  changed: boolean;
  /** `x-ms-request-id` of every response, in order. */
  requestIds: string[];
  /** Read-plan-write rounds taken (more than 1 when a concurrent writer interfered). */
  attempts: number;
  /** The correlation id shared by all requests of the call. */
  correlationId: string;
}

const MAX_CONFLICT_DELAY_MS = 30_000;

function checkApplyOptions(options: ApplyIdentityOptions): void {
  const { concurrency, maxAttempts } = options;
  if (concurrency !== undefined && concurrency !== "optimistic" && concurrency !== "last-writer-wins") {
    throw new InvalidInputError("InvalidOption", `Invalid concurrency ${describeValue(concurrency)}: expected "optimistic" or "last-writer-wins".`, concurrency);
  }
  if (maxAttempts !== undefined && (!Number.isInteger(maxAttempts) || maxAttempts < 1)) {
    throw new InvalidInputError("InvalidOption", `Invalid maxAttempts ${describeValue(maxAttempts)}: expected a positive integer.`, maxAttempts);
  }
}

/** Read the VM and plan the change: the body of `plan()`. */
export async function planOnVm(
  cc: ClientContext,
  vm: ResourceGroupScoped,
  changes: readonly IdentityChange[],
  ctx: OperationContext,
  concurrency: ConcurrencyMode = "optimistic",
): Promise<IdentityPlan & { etag?: string }> {
  const snapshot = await readVm(cc, vm, ctx);
  const { desired, patch } = planIdentityChange(snapshot.identity, changes);
  const plan: IdentityPlan & { etag?: string } = { current: snapshot.identity, desired };
  if (snapshot.etag) plan.etag = snapshot.etag;
  if (patch) {
    plan.request = patchVmIdentityRequest(cc, vm, patch, concurrency === "optimistic" ? snapshot.etag : undefined);
  }
  return plan;
}

const isPreconditionFailed = (e: unknown): e is RestError => isRestError(e) && e.statusCode === 412;
const isConflictingWrite = (e: unknown): e is RestError =>
  isRestError(e) && e.statusCode === 409 && e.code === "ConflictingConcurrentWriteNotAllowed";

/**
 * Apply `changes` to the VM: read it, PATCH the identity once (nothing for a
 * no-op), wait for the operation and read the VM back. Under the optimistic
 * mode the PATCH is conditional on the etag read, and a lost race is answered
 * by reading and planning again rather than by overwriting.
 */
export async function applyIdentityChange(
  cc: ClientContext,
  vm: ResourceGroupScoped,
  changes: readonly IdentityChange[],
  ctx: OperationContext,
  options: ApplyIdentityOptions = {},
): Promise<IdentityResult> {
  checkApplyOptions(options);
  const concurrency = options.concurrency ?? "optimistic";
  const maxAttempts = options.maxAttempts ?? 100;
  const baseDelay = options.conflictRetryDelayInMs ?? 1000;
  let conflicts = 0;
  // Set once a PATCH of ours may have landed although its answer was an error
  // (a replay after a lost response): the state read next may already be ours.
  let mayHaveWritten = false;
  for (let attempt = 1; ; attempt++) {
    const plan = await planOnVm(cc, vm, changes, ctx, concurrency);
    const result = (identity: VmIdentity, changed: boolean): IdentityResult => ({
      identity,
      changed,
      requestIds: ctx.requestIds,
      attempts: attempt,
      correlationId: ctx.correlationId,
    });
    if (!plan.request) {
      if (mayHaveWritten) {
        // Our earlier attempt did land: wait for it like any write, then read back.
        await waitForProvisioning(cc.http, vmUrl(cc, vm), ctx);
        return result((await readVm(cc, vm, ctx)).identity, true);
      }
      logger.info(`${ctx.name}: ${vm.name} already has identity ${plan.current.type}; nothing to send.`);
      return result(plan.current, false);
    }
    if (concurrency === "optimistic" && !plan.etag) {
      logger.warning(
        `${ctx.name}: ${vm.name} was read without an etag (Compute api-version before 2023-09-01?): the PATCH cannot be conditional, and a concurrent change could be undone.`,
      );
    }
    logger.info(`${ctx.name}: ${vm.name}: ${plan.current.type} -> ${plan.desired.type} (attempt ${attempt}).`);
    let response;
    try {
      // Retrying this PATCH (here or in the pipeline's retry policy) is safe: it
      // names the end state, not a delta to add, and under If-Match a replay of
      // a PATCH that already landed fails with 412 and is planned again.
      response = await cc.http.send(plan.request, ctx);
    } catch (e) {
      const lostRace = concurrency === "optimistic" && isPreconditionFailed(e);
      if ((!lostRace && !isConflictingWrite(e)) || attempt >= maxAttempts) throw e;
      mayHaveWritten ||= wasReplayed(e);
      if (lostRace) {
        logger.info(`${ctx.name}: ${vm.name} changed since it was read (412); reading it again.`);
      } else {
        const exponential = Math.min(MAX_CONFLICT_DELAY_MS, baseDelay * 2 ** conflicts++);
        const waitMs = retryAfterInMs((name) => e.response?.headers.get(name)) ?? exponential / 2 + Math.random() * (exponential / 2);
        logger.info(`${ctx.name}: another write to ${vm.name} is running (409); retrying in ${Math.round(waitMs)} ms.`);
        await delay(waitMs, { abortSignal: ctx.abortSignal });
      }
      continue;
    }
    await waitForOperation(cc.http, plan.request, response, ctx);
    const after = await readVm(cc, vm, ctx);
    return result(after.identity, true);
  }
}
