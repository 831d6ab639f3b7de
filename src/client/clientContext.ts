import type { ArmTarget } from "../core/armRequests.js";
import type { ArmHttpClient } from "../http/armHttpClient.js";
import { type OperationContext, type OperationOptions, createOperationContext } from "../http/operationContext.js";

/** What every handle made by one client shares. Internal. */
export interface ClientContext extends ArmTarget {
  http: ArmHttpClient;
  subscriptionId: string;
  updateIntervalInMs: number;
}

/** Start one public operation: a fresh correlation id, the caller's signal and deadline. */
export function startOperation(cc: ClientContext, name: string, options?: OperationOptions): OperationContext {
  return createOperationContext(name, options, { updateIntervalInMs: cc.updateIntervalInMs });
}
