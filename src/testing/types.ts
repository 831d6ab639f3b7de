/**
 * Public types of the ARM emulator (`azure-vm-identity/testing`).
 */
import type { TokenCredential } from "@azure/core-auth";
import type { FakeArmAccess, FakeArmAccessOptions } from "./accessTypes.js";
import type { FakeArmScaleSets } from "./scaleSetTypes.js";

/** The four identity types ARM knows, in their canonical spelling. */
export type IdentityType = "None" | "SystemAssigned" | "UserAssigned" | "SystemAssigned, UserAssigned";

/** Operating system of a VM, as in `properties.storageProfile.osDisk.osType`. */
export type OsType = "Windows" | "Linux";

/** Options of {@link startFakeArm}. */
export interface FakeArmOptions extends FakeArmAccessOptions {
  /** The one subscription the emulator serves. Default {@link DEFAULT_SUBSCRIPTION_ID}. */
  subscriptionId?: string;
  /** Tenant of every identity the emulator creates. Default {@link DEFAULT_TENANT_ID}. */
  tenantId?: string;
  /**
   * How many polls of an operation's status URL answer `InProgress` before it
   * reports `Succeeded`. Default 1; 0 completes on the first poll.
   */
  pollsUntilDone?: number;
  /** The `Retry-After` (whole seconds) sent with operation status responses. Default 0. */
  retryAfterSeconds?: number;
  /**
   * Wall-clock time after which a running operation completes even if nobody
   * polls it, so that a client that never polls does not lock a VM forever.
   * Default 2000 ms; `Infinity` completes operations only by polling.
   */
  autoCompleteAfterMs?: number;
  /** Port to listen on (127.0.0.1 only). Default 0: an ephemeral port. */
  port?: number;
}

/** One request the emulator received, as recorded in {@link FakeArm.requests}. */
export interface FakeArmRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** Absolute URL, query included, e.g. `http://127.0.0.1:4321/subscriptions/...?api-version=2024-11-01`. */
  url: string;
  /** Request headers with lower-case names (repeated headers joined with `", "`). */
  headers: Record<string, string>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** `Date.now()` when the request was received. */
  receivedAt: number;
  /** Status the emulator answered with; undefined for a `reset` or `hang` fault. */
  status: number | undefined;
  /** Whether an injected fault answered the request. */
  faulted: boolean;
}

/** Counters over {@link FakeArm.requests} (so they restart with `clearRequests()`/`reset()`). */
export interface FakeArmStats {
  /** Requests received. */
  requests: number;
  /** PUT, PATCH and DELETE requests received, whatever their outcome. */
  writes: number;
  /** Writes answered with a 2xx status by the emulator itself (not by a fault). */
  appliedWrites: number;
  /** Requests answered 429 by the throttle (faults excluded). */
  throttled: number;
  /** Requests answered 409 (faults excluded). */
  conflicts: number;
  /** Requests answered 412 (faults excluded). */
  preconditionFailed: number;
  /** Requests answered (or dropped) by an injected fault. */
  faulted: number;
  /** Responses by status code, faults included. */
  byStatus: Record<number, number>;
}

/** Which requests a fault applies to. Omitted fields match everything. */
export interface FaultMatch {
  /** HTTP method, case-insensitive. */
  method?: string;
  /** Substring of the request's path and query, compared case-insensitively. */
  pathIncludes?: string;
  /** How many matching requests the fault answers. Default 1; `Infinity` for all. */
  times?: number;
}

/** A fault answered with a canned HTTP response. */
export interface ResponseFault extends FaultMatch {
  kind?: "respond";
  /** Status code to answer with. */
  status: number;
  /** Extra response headers (they override the emulator's `x-ms-*` ones). */
  headers?: Record<string, string>;
  /** Body: JSON-serialised, or sent as is when a string (`text/plain` unless a content-type header is given). */
  body?: unknown;
}

/** A fault at the connection level. */
export interface ConnectionFault extends FaultMatch {
  /** `reset` destroys the socket with a TCP reset; `hang` never answers (closed by `close()`). */
  kind: "reset" | "hang";
}

/**
 * A fault for {@link FakeArm.injectFault}: matching requests are answered by
 * the fault instead of the emulator and change no state.
 */
export type FaultSpec = ResponseFault | ConnectionFault;

/** A token bucket on writes (PUT/PATCH/DELETE) per subscription. */
export interface ThrottleSpec {
  /** Tokens added per second; `Infinity` disables throttling. */
  writesPerSecond: number;
  /** Bucket size, which it starts full at. Default `max(1, ceil(writesPerSecond))`. */
  burst?: number;
}

/** Makes operations end in `Failed`, see {@link FakeArm.failOperations}. */
export interface OperationFailureSpec {
  /** Error code of the failed operation. Default `InternalExecutionError`. */
  code?: string;
  /** Error message. Default a generic one. */
  message?: string;
  /** How many of the next operations fail. Default 1. */
  times?: number;
}

/** The identity of a VM as sent in a request: user-assigned values are `{}`. */
export interface ArmIdentityInput {
  type: IdentityType | string;
  userAssignedIdentities?: Record<string, object> | null;
}

/** The identity of a VM as ARM returns it. */
export interface ArmVmIdentity {
  type: IdentityType;
  /** Present when the type includes SystemAssigned. */
  principalId?: string;
  /** Present when the type includes SystemAssigned. */
  tenantId?: string;
  /** Keyed by resource id; values are `{}` until the write that added them completes. */
  userAssignedIdentities?: Record<string, { principalId?: string; clientId?: string }>;
}

/** A VM extension as ARM returns it. */
export interface ArmVmExtension {
  id: string;
  name: string;
  type: "Microsoft.Compute/virtualMachines/extensions";
  location: string;
  properties: {
    publisher: string;
    type: string;
    typeHandlerVersion: string;
    autoUpgradeMinorVersion?: boolean;
    settings?: unknown;
    provisioningState: string;
    [key: string]: unknown;
  };
}

/** A VM as ARM returns it (only the parts the emulator models are typed). */
export interface ArmVirtualMachine {
  id: string;
  name: string;
  type: "Microsoft.Compute/virtualMachines";
  location: string;
  /** Quoted counter, e.g. `"\"3\""`; equals the `ETag` header. */
  etag: string;
  tags?: Record<string, string>;
  /** Absent when the VM has no identity. */
  identity?: ArmVmIdentity;
  properties: {
    vmId: string;
    /** `Creating` or `Updating` while a write runs, then `Succeeded` (or `Failed`). */
    provisioningState: string;
    storageProfile: { osDisk: { osType: OsType; [key: string]: unknown }; [key: string]: unknown };
    [key: string]: unknown;
  };
  /** The VM's extensions, when it has any. */
  resources?: ArmVmExtension[];
}

/** A user-assigned identity as ARM returns it. */
export interface ArmUserAssignedIdentity {
  /** Uses `/resourcegroups/` in lower case, as the identity service does. */
  id: string;
  name: string;
  type: "Microsoft.ManagedIdentity/userAssignedIdentities";
  location: string;
  tags: Record<string, string>;
  properties: { tenantId: string; principalId: string; clientId: string };
}

/** Options of {@link FakeArm.addVm}. */
export interface AddVmOptions {
  resourceGroup: string;
  name: string;
  location: string;
  osType: OsType;
  /**
   * Identity in ARM's request shape. User-assigned identities it names that
   * do not exist yet are created (in the VM's location), so seeding takes one call.
   */
  identity?: ArmIdentityInput;
  tags?: Record<string, string>;
  /** Extra VM properties, merged over the defaults (`hardwareProfile`, `storageProfile`). */
  properties?: Record<string, unknown>;
}

/** Options of {@link FakeArm.addUserAssignedIdentity}. */
export interface AddUserAssignedIdentityOptions {
  resourceGroup: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
}

/** A running emulator, see {@link startFakeArm}. */
export interface FakeArm extends FakeArmAccess, FakeArmScaleSets {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly endpoint: string;
  /** A credential whose token (random per emulator) the emulator accepts. */
  readonly credential: TokenCredential;
  /** The subscription the emulator serves; other subscriptions are 404 `SubscriptionNotFound`. */
  readonly subscriptionId: string;
  /** Tenant of the identities the emulator creates. */
  readonly tenantId: string;
  /** Every request received, in order, faulted and rejected ones included. A live array. */
  readonly requests: readonly FakeArmRequest[];
  /** Counters derived from {@link FakeArm.requests} (a fresh snapshot on each read). */
  readonly stats: FakeArmStats;

  /**
   * Adds a VM in a completed state (etag `"1"`, `Succeeded`) and returns its id.
   * @throws if the VM exists or the identity is invalid (same rules as a PUT).
   */
  addVm(options: AddVmOptions): string;
  /** Adds a user-assigned identity and returns its id; returns the existing id if it exists. */
  addUserAssignedIdentity(options: AddUserAssignedIdentityOptions): string;
  /** The VM as a GET would return it, or undefined when absent. */
  getVm(resourceGroup: string, name: string): ArmVirtualMachine | undefined;
  /** The extension as a GET would return it, or undefined when absent. */
  getExtension(resourceGroup: string, vmName: string, name: string): ArmVmExtension | undefined;
  /** The user-assigned identity as a GET would return it, or undefined when absent. */
  getUserAssignedIdentity(resourceGroup: string, name: string): ArmUserAssignedIdentity | undefined;

  /** Answers the next `times` matching requests with the fault, before any other check. */
  injectFault(fault: FaultSpec): void;
  /** Removes all faults not yet used up. */
  clearFaults(): void;
  /** Makes the next operations started end in `Failed` (their state change stays applied). */
  failOperations(spec?: OperationFailureSpec): void;
  /** Completes every running operation now, as if it had been polled to the end. */
  completeOperations(): void;
  /** Sets (or with `undefined` removes) the write throttle; the bucket starts full. */
  setThrottle(spec: ThrottleSpec | undefined): void;

  /** Forgets the recorded requests (and so the stats). */
  clearRequests(): void;
  /** Forgets all resources, operations, requests, faults and the throttle. */
  reset(): void;
  /** Stops listening and closes every open connection, hung ones included. */
  close(): Promise<void>;
}
