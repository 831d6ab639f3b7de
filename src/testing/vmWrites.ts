/**
 * The asynchronous side of writes to a VM or its extensions: one write at a
 * time per VM, run as an operation with an `Azure-AsyncOperation` status URL.
 */
import type { EmulatorState } from "./context.js";
import { ArmError } from "./errors.js";
import type { AsyncOperation, OperationOutcome } from "./operations.js";
import { normalizeLocation } from "./resourceIds.js";
import type { VmRecord } from "./store.js";

/** @throws ArmError 409 `ConflictingConcurrentWriteNotAllowed` while a write on the VM runs. */
export function assertNoRunningWrite(vm: VmRecord): void {
  if (vm.runningOperationId !== undefined) {
    throw new ArmError(
      409,
      "ConflictingConcurrentWriteNotAllowed",
      `The virtual machine '${vm.name}' is being updated by operation '${vm.runningOperationId}'. ` +
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
 * Starts the operation of a write whose state change has been applied: the
 * VM shows `provisioningState` (and hides `pendingUserIds`' values) until it
 * finishes, then `onFinish` runs after the VM itself is settled. When a failed
 * or cancelled operation is to be rolled back, `rollBack` undoes the change,
 * the VM takes back the provisioning state it had before the write, and its
 * ETag moves on (it changed again).
 */
export function beginVmWrite(
  state: EmulatorState,
  vm: VmRecord,
  write: {
    provisioningState: "Creating" | "Updating";
    pendingUserIds?: readonly string[];
    onFinish?: (outcome: OperationOutcome) => void;
    rollBack?: () => void;
    /** Makes the operation fail with this error (e.g. a managed identity limit). */
    failWith?: { code: string; message: string } | undefined;
  },
): AsyncOperation {
  const stateBefore = vm.provisioningState;
  vm.provisioningState = write.provisioningState;
  vm.pendingUserIds = new Set((write.pendingUserIds ?? []).map((id) => id.toLowerCase()));
  const op = state.operations.start({
    location: normalizeLocation(vm.location),
    resourceId: vm.id,
    failWith: write.failWith,
    onFinish: (outcome) => {
      vm.runningOperationId = undefined;
      vm.pendingUserIds = new Set();
      if (outcome.rollBack) {
        write.rollBack?.();
        vm.provisioningState = stateBefore;
        vm.etag += 1;
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
 * A read of the VM (a GET, or its entry in a list page) is a look at its
 * running operation, as a poll of the status URL is: under `pollsUntilDone`
 * it counts as one, so a client that follows `provisioningState` (as ARM
 * allows) sees the operation end just as one polling the status URL does.
 */
export function observeRunningWrite(state: EmulatorState, vm: VmRecord): void {
  if (vm.runningOperationId !== undefined) state.operations.poll(vm.runningOperationId);
}
