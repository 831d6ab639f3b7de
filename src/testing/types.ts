/**
 * Public types of the ARM emulator (`azure-vm-identity/testing`).
 */
import type { TokenCredential } from "@azure/core-auth";
import type { FakeArmAccess, FakeArmAccessOptions } from "./accessTypes.js";
import type { FakeArmBudgets, ThrottledByStats } from "./budgetTypes.js";
import type { FakeArmScaleSets } from "./scaleSetTypes.js";

/** The four identity types ARM knows, in their canonical spelling. */
export type IdentityType = "None" | "SystemAssigned" | "UserAssigned" | "SystemAssigned, UserAssigned";

/** Operating system of a VM, as in `properties.storageProfile.osDisk.osType`. */
export type OsType = "Windows" | "Linux";

/** A subscription the emulator serves, with the name `GET /subscriptions` reports. */
export interface FakeArmSubscription {
  /** The subscription id (a GUID in Azure; any id without '/', '?', '#' or spaces here). */
  id: string;
  /** Default `Subscription <n>`, n counting from 1 in the order given. */
  displayName?: string;
}

/** What a failed or cancelled operation leaves of the change its write made. */
export type FailedOperationChanges = "applied" | "rolledBack";

/** Options of {@link startFakeArm} (the access model's are in {@link FakeArmAccessOptions}). */
export interface FakeArmOptions extends FakeArmAccessOptions {
  /**
   * The subscription the emulator serves first (`arm.subscriptionId`).
   * Default the first of `subscriptionIds` / `subscriptions`, else {@link DEFAULT_SUBSCRIPTION_ID}.
   */
  subscriptionId?: string;
  /** More subscriptions to serve, each with its own resources and budgets. */
  subscriptionIds?: string[];
  /** Subscriptions to serve with their display names (after `subscriptionIds`). */
  subscriptions?: FakeArmSubscription[];
  /**
   * `"azure"` enforces the published budgets of ARM, Compute, managed identity
   * and Resource Graph ({@link AZURE_BUDGETS}); `"none"` (default) enforces
   * only the `budgets` given and `setThrottle`.
   */
  limits?: "none" | "azure";
  /** Budgets that replace (or with `false` switch off) those `limits` sets. */
  budgets?: FakeArmBudgets;
  /**
   * How many times faster than real time the emulator's clock runs. Default 1.
   * Budgets refill, operations finish and `Retry-After` values shrink by this
   * factor; when it is not 1, waits are also sent as `retry-after-ms`.
   */
  timeScale?: number;
  /** The real-time source in milliseconds (default `Date.now`), for tests that drive time themselves. */
  clock?: () => number;
  /**
   * Emulator time a write's operation runs before it ends: status polls answer
   * `InProgress` and the resource shows `Updating` until then. When set,
   * `pollsUntilDone` and `autoCompleteAfterMs` do not apply.
   */
  operationDurationMs?: number;
  /**
   * Emulator time a scale-set write's operation runs (PUT, PATCH, extension
   * PUT or DELETE, `manualupgrade`). Default `operationDurationMs`. When
   * neither is set, scale-set operations follow `pollsUntilDone` and
   * `autoCompleteAfterMs` like VM ones.
   */
  scaleSetOperationDurationMs?: number;
  /**
   * Entries per page of every list answer (VMs, user-assigned identities,
   * scale sets and their instances, role assignments) and the most rows per
   * Resource Graph page. Default 1000.
   */
  listPageSize?: number;
  /** Whether VM list entries carry `etag` (unconfirmed in Azure). Default false. */
  listEtags?: boolean;
  /** How many requests `arm.requests` keeps (the most recent ones). Default 10,000; `Infinity` keeps all. */
  maxLoggedRequests?: number;
  /**
   * What a failed or cancelled operation leaves of its write's change (unconfirmed
   * in Azure): `"applied"` (default) keeps it, `"rolledBack"` restores the state before the write.
   */
  failedOperationChanges?: FailedOperationChanges;
  /**
   * How a managed identity limit shows on a VM write (unconfirmed in Azure):
   * `"429"` (default) answers the write 429 `TooManyRequests`; `"failedOperation"`
   * accepts it and ends its operation `Failed` with that code.
   */
  managedIdentityThrottling?: "429" | "failedOperation";
  /** The error code of a 412 for a failed `If-Match` / `If-None-Match` (unconfirmed in Azure). Default `PreconditionFailed`. */
  preconditionFailedCode?: string;
  /** Tenant of every identity the emulator creates. Default {@link DEFAULT_TENANT_ID}. */
  tenantId?: string;
  /**
   * How many polls of an operation's status URL answer `InProgress` before it
   * reports `Succeeded`. Default 1; 0 completes on the first poll.
   */
  pollsUntilDone?: number;
  /**
   * The `Retry-After` (emulator seconds, scaled by `timeScale`) sent with
   * operation status responses and extension deletions. Default: none, as ARM
   * sends none on VM operations.
   */
  retryAfterSeconds?: number;
  /**
   * Emulator time after which a running operation completes even if nobody
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
  /**
   * Request headers with lower-case names (repeated headers joined with `", "`).
   * A credential keeps its scheme but not its value: `authorization` reads
   * `Bearer REDACTED`, so that no token reaches a test's output.
   */
  headers: Record<string, string>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** `Date.now()` when the request was received. */
  receivedAt: number;
  /** Status the emulator answered with; undefined for a `reset` or `hang` fault. */
  status: number | undefined;
  /** Whether an injected fault answered the request. */
  faulted: boolean;
  /** Present (true) when a `lose-response` fault dropped the emulator's answer after handling the request. */
  responseLost?: true;
}

/**
 * Counters kept as requests arrive (not derived from {@link FakeArm.requests},
 * which is a window); they restart with `clearRequests()`/`reset()`.
 */
export interface FakeArmStats {
  /** Requests received. */
  requests: number;
  /** GET requests received (status polls and list pages included). */
  reads: number;
  /** PUT, PATCH, POST and DELETE requests received, whatever their outcome (deletes included). */
  writes: number;
  /** DELETE requests received (also counted in `writes`). */
  deletes: number;
  /** Writes the emulator handled with a 2xx status (not answered by a fault; a lost response still counts). */
  appliedWrites: number;
  /** Requests answered 429 by a budget or the throttle (faults excluded). */
  throttled: number;
  /** 429s (and throttled operations) by the budget family that caused them. */
  throttledBy: ThrottledByStats;
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
  /** Omitted or `respond`: answer with `status`, `headers` and `body`. */
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
 * A lost response: the emulator handles the request in full (a write is
 * applied and its operation started), then resets the connection instead of
 * answering, as when a response is lost on the way back.
 */
export interface LostResponseFault extends FaultMatch {
  /** Handle the request, then reset the connection instead of answering. */
  kind: "lose-response";
}

/**
 * A fault for {@link FakeArm.injectFault}: matching requests are answered by
 * the fault instead of the emulator and change no state, except a
 * {@link LostResponseFault}, which lets the emulator handle the request first.
 */
export type FaultSpec = ResponseFault | ConnectionFault | LostResponseFault;

/** A token bucket on writes (PUT/PATCH/DELETE) per subscription. */
export interface ThrottleSpec {
  /** Tokens added per second; `Infinity` disables throttling. */
  writesPerSecond: number;
  /** Bucket size, which it starts full at. Default `max(1, ceil(writesPerSecond))`. */
  burst?: number;
}

/** Makes operations end in `Failed` or `Canceled`, see {@link FakeArm.failOperations}. */
export interface OperationFailureSpec {
  /** The final status. Default `Failed`. */
  status?: "Failed" | "Canceled";
  /** Whether the write's change stays. Default the emulator's `failedOperationChanges` (`"applied"`). */
  changes?: FailedOperationChanges;
  /** Error code of the operation. Default `InternalExecutionError` (`OperationCanceled` when cancelled). */
  code?: string;
  /** Error message. Default a generic one. */
  message?: string;
  /** How many of the next operations fail. Default 1. */
  times?: number;
}

/** The identity of a VM as sent in a request: user-assigned values are `{}`. */
export interface ArmIdentityInput {
  /** One of the four identity types, in any casing, with or without the space after the comma. */
  type: IdentityType | string;
  /** User-assigned identities keyed by full resource id, each `{}`; `null` for none. */
  userAssignedIdentities?: Record<string, object> | null;
}

/** The identity of a VM as ARM returns it. */
export interface ArmVmIdentity {
  /** The identity type, in its canonical spelling; never `None` (a VM without identities has no `identity`). */
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
  /** `{VM id}/extensions/{name}`. */
  id: string;
  /** The extension's name, in the casing it was created with. */
  name: string;
  /** The resource type. */
  type: "Microsoft.Compute/virtualMachines/extensions";
  /** The region its first PUT gave, which matches the VM's. */
  location: string;
  /** The properties written (never `protectedSettings`), with the extension's `provisioningState`. */
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
  /** `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}`, in the casing the VM was created with. */
  id: string;
  /** The VM's name, in the casing it was created with. */
  name: string;
  /** The resource type. */
  type: "Microsoft.Compute/virtualMachines";
  /** The VM's region, as it was created. */
  location: string;
  /** Quoted counter, e.g. `"\"3\""`; equals the `ETag` header. */
  etag: string;
  /** The VM's tags; absent unless set. */
  tags?: Record<string, string>;
  /** Absent when the VM has no identity. */
  identity?: ArmVmIdentity;
  /** The VM's properties as written or seeded, with `vmId`, the OS disk's `osType` and `provisioningState` filled in. */
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
  /** The identity's name, in the casing it was created with. */
  name: string;
  /** The resource type. */
  type: "Microsoft.ManagedIdentity/userAssignedIdentities";
  /** The identity's region, as it was created. */
  location: string;
  /** The identity's tags; `{}` when it has none. */
  tags: Record<string, string>;
  /** The identity's tenant, principal (object) and client ids, GUIDs fixed when it was created. */
  properties: { tenantId: string; principalId: string; clientId: string };
}

/** Options of {@link FakeArm.addVm}. */
export interface AddVmOptions {
  /** The resource group to put the VM in (no `/`); it need not be created first. */
  resourceGroup: string;
  /** The VM's name (no `/`); no VM of that name may exist in the resource group. */
  name: string;
  /** The VM's region, e.g. `westeurope`, kept as given. */
  location: string;
  /** The OS of the VM's disk, shown as `properties.storageProfile.osDisk.osType`. */
  osType: OsType;
  /**
   * Identity in ARM's request shape. User-assigned identities it names that
   * do not exist yet are created (in the VM's location), so seeding takes one call.
   */
  identity?: ArmIdentityInput;
  /** The VM's tags; its JSON has no `tags` when omitted. */
  tags?: Record<string, string>;
  /** Extra VM properties, merged over the defaults (`hardwareProfile`, `storageProfile`). */
  properties?: Record<string, unknown>;
  /** One of the emulator's subscriptions. Default `arm.subscriptionId`. */
  subscriptionId?: string;
}

/** The template of {@link FakeArm.addVms}: every VM is made from it. */
export interface AddVmsTemplate extends Omit<AddVmOptions, "name" | "resourceGroup"> {
  /** The resource group, or a function of the VM's index (0-based). */
  resourceGroup: string | ((index: number) => string);
  /** Names are `<namePrefix><index>` (index 0-based, zero-padded to the count's width). Default `vm-`. */
  namePrefix?: string;
}

/** Options of {@link FakeArm.addUserAssignedIdentity}. */
export interface AddUserAssignedIdentityOptions {
  /** The resource group to put the identity in (no `/`); it need not be created first. */
  resourceGroup: string;
  /** The identity's name (no `/`). */
  name: string;
  /** The identity's region, e.g. `westeurope`, kept as given. */
  location: string;
  /** The identity's tags. Default `{}`. */
  tags?: Record<string, string>;
  /** One of the emulator's subscriptions. Default `arm.subscriptionId`. */
  subscriptionId?: string;
}

/** A running emulator, see {@link startFakeArm}; the access model and scale sets are in {@link FakeArmAccess} and {@link FakeArmScaleSets}. */
export interface FakeArm extends FakeArmAccess, FakeArmScaleSets {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly endpoint: string;
  /** A credential whose token (random per emulator) the emulator accepts. */
  readonly credential: TokenCredential;
  /** The first subscription the emulator serves; unknown subscriptions are 404 `SubscriptionNotFound`. */
  readonly subscriptionId: string;
  /** Every subscription the emulator serves, `subscriptionId` first. */
  readonly subscriptionIds: readonly string[];
  /** Tenant of the identities the emulator creates. */
  readonly tenantId: string;
  /**
   * The most recent requests received (at most `maxLoggedRequests`), oldest
   * first, faulted and rejected ones included. A live array: a window, not the
   * whole history; {@link FakeArm.stats} counts everything.
   */
  readonly requests: readonly FakeArmRequest[];
  /** Counters kept as requests arrive (a fresh snapshot on each read). */
  readonly stats: FakeArmStats;

  /** Emulator time in milliseconds since the epoch (runs `timeScale` times faster than real time). */
  now(): number;
  /**
   * The credential of another calling principal: its own token, and so its
   * own ARM and Resource Graph budgets. The same name gives the same token.
   */
  credentialFor(principal: string): TokenCredential;

  /**
   * Adds a VM in a completed state (etag `"1"`, `Succeeded`) and returns its id.
   * @throws if the VM exists or the identity is invalid (same rules as a PUT).
   */
  addVm(options: AddVmOptions): string;
  /**
   * Adds `count` VMs made from one template (validated once), fast enough for
   * fleets of 100,000, and returns their ids in order.
   * @throws before adding any if the template is invalid or a name is taken.
   */
  addVms(count: number, template: AddVmsTemplate): string[];
  /** Adds a user-assigned identity and returns its id; returns the existing id if it exists. */
  addUserAssignedIdentity(options: AddUserAssignedIdentityOptions): string;
  /**
   * Makes an empty resource group (in `subscriptionId`, default the first).
   * A group also exists once a resource is put in it; listing one that does
   * not exist answers 404 `ResourceGroupNotFound`, as ARM does.
   * @throws `InvalidInputError` (`InvalidResourceGroupName`) for a name ARM refuses.
   */
  addResourceGroup(name: string, subscriptionId?: string): void;
  /** The VM as a GET would return it, or undefined when absent. */
  getVm(resourceGroup: string, name: string, subscriptionId?: string): ArmVirtualMachine | undefined;
  /** The extension as a GET would return it, or undefined when absent. */
  getExtension(resourceGroup: string, vmName: string, name: string, subscriptionId?: string): ArmVmExtension | undefined;
  /** The user-assigned identity as a GET would return it, or undefined when absent. */
  getUserAssignedIdentity(resourceGroup: string, name: string, subscriptionId?: string): ArmUserAssignedIdentity | undefined;

  /** Answers the next `times` matching requests with the fault, before any other check. */
  injectFault(fault: FaultSpec): void;
  /** Removes all faults not yet used up. */
  clearFaults(): void;
  /** Makes the next operations started end in `Failed` or `Canceled` (see {@link OperationFailureSpec}). */
  failOperations(spec?: OperationFailureSpec): void;
  /** Completes every running operation now, as if it had been polled to the end. */
  completeOperations(): void;
  /** Sets (or with `undefined` removes) the write throttle; the bucket starts full. */
  setThrottle(spec: ThrottleSpec | undefined): void;

  /** Forgets the recorded requests and zeroes the stats. */
  clearRequests(): void;
  /** Forgets all resources, operations, requests, faults and the throttle, and refills every budget. */
  reset(): void;
  /** Stops listening and closes every open connection, hung ones included. */
  close(): Promise<void>;
}
