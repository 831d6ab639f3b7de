/**
 * The asynchronous side of writes to a VM or a scale set (or their
 * extensions): one write at a time per resource, run as an operation with an
 * `Azure-AsyncOperation` status URL.
 */
import { statusRetryAfter, type EmulatorState } from "./context.js";
import { ArmError } from "./errors.js";
import type { AsyncOperation, OperationOutcome } from "./operations.js";
import { syncPrincipalsOf } from "./principalSync.js";
import { normalizeLocation } from "./resourceIds.js";
import { empty, type ArmResponse } from "./response.js";
import type { VmRecord } from "./store.js";

/**
 * What a write runs on: a VM, or a scale set (which has the same fields).
 * `kind` names it in messages; a VM has none ("virtual machine").
 */
export type WriteTarget = Pick<VmRecord, "id" | "name" | "location" | "etag" | "provisioningState" | "pendingUserIds" | "runningOperationId"> & {
  readonly kind?: string;
};

/** @throws ArmError 409 `ConflictingConcurrentWriteNotAllowed` while a write on the VM (or scale set) runs. */
export function assertNoRunningWrite(vm: WriteTarget): void {
  if (vm.runningOperationId !== undefined) {
    throw new ArmError(
      409,
      "ConflictingConcurrentWriteNotAllowed",
      `The ${vm.kind ?? "virtual machine"} '${vm.name}' is being updated by operation '${vm.runningOperationId}'. ` +
        "Retry after it completes.",
    );
  }
}

/** The URLs at which an operation reports its progress. */
export function operationUrls(
  state: EmulatorState,
  op: AsyncOperation,
  apiVersion: string,
): { asyncOperation: string; location: string } {
  const base = `${state.endpoint}/subscriptions/${state.subscriptionId}/providers/Microsoft.Compute/locations/${op.location}`;
  const query = `?api-version=${encodeURIComponent(apiVersion)}`;
  return {
    asyncOperation: `${base}/operations/${op.id}${query}`,
    location: `${base}/operationResults/${op.id}${query}`,
  };
}

/**
 * 202 with the operation's `Azure-AsyncOperation` and `Location` (and the
 * `Retry-After` of status responses, when one is configured): ARM's answer to
 * a DELETE or a POST action.
 */
export function acceptedResponse(state: EmulatorState, op: AsyncOperation, apiVersion: string): ArmResponse {
  const urls = operationUrls(state, op, apiVersion);
  return empty(202, {
    "Azure-AsyncOperation": urls.asyncOperation,
    Location: urls.location,
    ...statusRetryAfter(state),
  });
}

/**
 * Starts the operation of a write whose state change has been applied: the
 * VM shows `provisioningState` (and hides `pendingUserIds`' values) until it
 * finishes, then `onFinish` runs after the VM itself is settled. When a failed
 * or cancelled operation is to be rolled back, `rollBack` undoes the change,
 * the VM takes back the provisioning state it had before the write, its
 * ETag moves on (it changed again), and the directory follows its identity.
 */
export function beginVmWrite(
  state: EmulatorState,
  vm: WriteTarget,
  write: {
    provisioningState: "Creating" | "Updating";
    pendingUserIds?: readonly string[];
    onFinish?: (outcome: OperationOutcome) => void;
    rollBack?: () => void;
    /** Makes the operation fail with this error (e.g. a managed identity limit). */
    failWith?: { code: string; message: string } | undefined;
    /** Emulator time the operation runs, instead of `operationDurationMs`. */
    durationMs?: number | undefined;
  },
): AsyncOperation {
  const stateBefore = vm.provisioningState;
  vm.provisioningState = write.provisioningState;
  vm.pendingUserIds = new Set((write.pendingUserIds ?? []).map((id) => id.toLowerCase()));
  const op = state.operations.start({
    location: normalizeLocation(vm.location),
    resourceId: vm.id,
    failWith: write.failWith,
    durationMs: write.durationMs,
    onFinish: (outcome) => {
      vm.runningOperationId = undefined;
      vm.pendingUserIds = new Set();
      if (outcome.rollBack) {
        write.rollBack?.();
        vm.provisioningState = stateBefore;
        vm.etag += 1;
        // The principal the write made (or deleted) goes (or comes back) with it.
        syncPrincipalsOf(state, vm.id);
      } else {
        vm.provisioningState = outcome.status;
      }
      write.onFinish?.(outcome);
    },
  });
  vm.runningOperationId = op.id;
  return op;
}

/**
 * A read of the VM or scale set (a GET, or its entry in a list page) is a
 * look at its running operation, as a poll of the status URL is: under
 * `pollsUntilDone` it counts as one, so a client that follows
 * `provisioningState` (as ARM allows) sees the operation end just as one
 * polling the status URL does.
 */
export function observeRunningWrite(state: EmulatorState, vm: Pick<WriteTarget, "runningOperationId">): void {
  if (vm.runningOperationId !== undefined) state.operations.poll(vm.runningOperationId);
}
