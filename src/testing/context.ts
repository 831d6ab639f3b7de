import type { AccessState } from "./access.js";
import type { Principal } from "./auth.js";
import type { EmulatorClock } from "./clock.js";
import type { Limits } from "./limits.js";
import type { Operations } from "./operations.js";
import type { EmulatorConfig } from "./options.js";
import type { ArmResponse } from "./response.js";
import type { RouteParams } from "./resourceIds.js";
import type { Store } from "./store.js";

/**
 * What the route handlers of one subscription share: configuration, that
 * subscription's resources, and the operations, budgets, clock and access
 * model common to all subscriptions.
 */
export interface EmulatorState {
  readonly subscriptionId: string;
  readonly tenantId: string;
  /** `http://127.0.0.1:<port>`, the base of the operation URLs and list links. */
  readonly endpoint: string;
  /** The `Retry-After` of status responses, in emulator seconds; undefined sends none. */
  readonly retryAfterSeconds: number | undefined;
  readonly store: Store;
  readonly operations: Operations;
  readonly clock: EmulatorClock;
  readonly limits: Limits;
  readonly config: EmulatorConfig;
  /** Role definitions and assignments, principals and denials: the tenant's, shared by every subscription. */
  readonly access: AccessState;
  /** The state of every subscription served, keyed by lower-cased id. */
  readonly subscriptions: ReadonlyMap<string, EmulatorState>;
}

/** A request that passed authentication, api-version and ARM's budgets. */
export interface RouteRequest {
  method: string;
  url: URL;
  headers: Readonly<Record<string, string>>;
  /** Parsed JSON body; undefined when empty or not JSON (see `bodyIsInvalid`). */
  body: unknown;
  /** The body was not empty but is not JSON. */
  bodyIsInvalid: boolean;
  apiVersion: string;
  /** The calling principal. */
  principal: Principal;
  /** Headers added to whatever the handler answers (e.g. Compute's remaining budget), errors included. */
  responseHeaders: Record<string, string>;
}

/** Handles one method of one route. May throw ArmError. */
export type RouteHandler = (req: RouteRequest, params: RouteParams) => ArmResponse;

/** The `Retry-After` headers of a status response: none unless `retryAfterSeconds` was set. */
export function statusRetryAfter(state: EmulatorState): Record<string, string> {
  return state.retryAfterSeconds === undefined ? {} : state.clock.retryAfter(state.retryAfterSeconds);
}
