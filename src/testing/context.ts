import type { Operations } from "./operations.js";
import type { ArmResponse } from "./response.js";
import type { RouteParams } from "./resourceIds.js";
import type { Store } from "./store.js";

/** What the route handlers share: configuration, resources and operations. */
export interface EmulatorState {
  readonly subscriptionId: string;
  readonly tenantId: string;
  /** `http://127.0.0.1:<port>`, the base of the operation URLs. */
  readonly endpoint: string;
  readonly retryAfterSeconds: number;
  readonly store: Store;
  readonly operations: Operations;
}

/** A request that passed authentication, api-version and throttling. */
export interface RouteRequest {
  method: string;
  url: URL;
  headers: Readonly<Record<string, string>>;
  /** Parsed JSON body; undefined when empty or not JSON (see `bodyIsInvalid`). */
  body: unknown;
  /** The body was not empty but is not JSON. */
  bodyIsInvalid: boolean;
  apiVersion: string;
}

/** Handles one method of one route. May throw ArmError. */
export type RouteHandler = (req: RouteRequest, params: RouteParams) => ArmResponse;
