/**
 * The asynchronous side of writes to a VM or its extensions: one write at a
 * time per VM, run as an operation with an `Azure-AsyncOperation` status URL.
 */
import type { EmulatorState } from "./context.js";
import { ArmError } from "./errors.js";
import type { AsyncOperation } from "./operations.js";
import { normalizeLocation } from "./resourceIds.js";
import { empty, type ArmResponse } from "./response.js";
import type { VmRecord } from "./store.js";

/**
 * What a write runs on: a VM, or a scale set (which has the same fields).
 * `kind` names it in messages; a VM has none ("virtual machine").
 */
export type WriteTarget = Pick<VmRecord, "name" | "location" | "provisioningState" | "pendingUserIds" | "runningOperationId"> & {
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

/** 202 with the operation's `Azure-AsyncOperation`, `Location` and `Retry-After`: ARM's answer to a DELETE or a POST action. */
export function acceptedResponse(state: EmulatorState, op: AsyncOperation, apiVersion: string): ArmResponse {
  const urls = operationUrls(state, op, apiVersion);
  return empty(202, {
    "Azure-AsyncOperation": urls.asyncOperation,
    Location: urls.location,
    "Retry-After": String(state.retryAfterSeconds),
  });
}

/**
 * Starts the operation of a write whose state change has been applied: the
 * VM shows `provisioningState` (and hides `pendingUserIds`' values) until it
 * finishes, then `onFinish` runs after the VM itself is settled.
 */
export function beginVmWrite(
  state: EmulatorState,
  vm: WriteTarget,
  write: {
    provisioningState: "Creating" | "Updating";
    pendingUserIds?: readonly string[];
    onFinish?: (status: "Succeeded" | "Failed") => void;
  },
): AsyncOperation {
  vm.provisioningState = write.provisioningState;
  vm.pendingUserIds = new Set((write.pendingUserIds ?? []).map((id) => id.toLowerCase()));
  const op = state.operations.start(normalizeLocation(vm.location), (status) => {
    vm.runningOperationId = undefined;
    vm.pendingUserIds = new Set();
    vm.provisioningState = status;
    write.onFinish?.(status);
  });
  vm.runningOperationId = op.id;
  return op;
}
