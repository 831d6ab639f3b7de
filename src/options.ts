/**
 * Every public option type of the library, in one place.
 *
 * Durations are `...InMs` numbers of milliseconds. For all of them, `0`
 * means "none": no deadline (`timeoutInMs`), no per-attempt bound
 * (`requestTimeoutInMs`), no wait (`updateIntervalInMs`,
 * `conflictRetryDelayInMs`, `retryDelayInMs`). Negative, non-finite and
 * non-numeric values are refused with an `InvalidOption` error before any
 * request.
 */
import type { AbortSignalLike } from "@azure/abort-controller";
import type { HttpClient, InternalPipelineOptions, PipelinePolicy } from "@azure/core-rest-pipeline";
import type { OperationTracingOptions } from "@azure/core-tracing";
import type { ApiVersions } from "./core/apiVersions.js";
import type { RoleAssignmentsOnDisable } from "./core/roles.js";
import type { OsType } from "./core/validation.js";

/** Options accepted by every operation. */
export interface OperationOptions {
  /** Stops waiting (never the operation on the server); the call rejects with an `AbortError`. */
  abortSignal?: AbortSignalLike;
  /**
   * Poll interval of long-running operations when the service sends no
   * `Retry-After` (ARM sends none for VM updates). Default: the client's
   * `updateIntervalInMs`. `0`: poll again at once.
   */
  updateIntervalInMs?: number;
  /**
   * Bounds the whole call, polling included; when it passes, the call rejects
   * with a `TimeoutError` (the operation on the server goes on). `0` or
   * absent: no deadline.
   */
  timeoutInMs?: number;
  /** The parent tracing context of the call's span (`VmIdentityClient.<operation>`). */
  tracingOptions?: OperationTracingOptions;
}

/** Options of every step that grants a role. */
export interface RoleAssignmentOptions extends OperationOptions {
  /**
   * First wait after ARM answers a grant with 400 `PrincipalNotFound` (a
   * principal made moments ago has not replicated yet); each further one
   * doubles, with jitter, up to 30 s. Default 2000. `0`: retry at once.
   */
  replicationRetryDelayInMs?: number;
  /**
   * How long to keep retrying `PrincipalNotFound` before failing with it.
   * Default 600000 (Azure says a new principal can take up to 10 minutes).
   * Never past `timeoutInMs`. `0`: no bound but `timeoutInMs`.
   */
  replicationTimeoutInMs?: number;
}

/** How `apply()` guards against concurrent writers. */
export type ConcurrencyMode = "optimistic" | "last-writer-wins";

/** Options of `apply()` / `beginApply()` on an identity change (the replication options apply to its grants). */
export interface ApplyIdentityOptions extends RoleAssignmentOptions {
  /**
   * `"optimistic"` (default): the PATCH carries `If-Match` of the etag read; if
   * another writer got there first (412), the resource is read again and the
   * same change list planned anew, so no one's change is undone.
   * `"last-writer-wins"`: no `If-Match`. A PATCH computed from a stale read can
   * undo a concurrent change, e.g. re-enable a system identity someone just
   * disabled, which creates a new principal whose role assignments are gone.
   */
  concurrency?: ConcurrencyMode;
  /**
   * Read-plan-write rounds before giving up with code
   * `ConcurrencyRetriesExhausted`. Default 10.
   */
  maxAttempts?: number;
  /**
   * First wait after a 409 without `Retry-After`, and after the second lost
   * race (412) in a row; each further one doubles, with jitter, up to 30 s.
   * Default 1000. `0`: retry at once.
   */
  conflictRetryDelayInMs?: number;
}

/** What `disableSystemAssigned()` and `removeAll()` take, on a builder and as shortcuts. */
export interface DisableSystemAssignedOptions {
  /**
   * The role assignments of the system identity being disabled. `"keep"`
   * (default, ARM's behaviour): they stay, orphaned (their principal is
   * gone, and a system identity enabled later gets a new one), and each is
   * named in a warning and in `orphanedRoleAssignments`. `"delete"`: they
   * are deleted before the identity is disabled (`deletedRoleAssignments`).
   */
  roleAssignments?: RoleAssignmentsOnDisable;
}

/** Options of the `disableSystemAssigned()` and `removeAll()` shortcuts. */
export interface DisableIdentityOptions extends ApplyIdentityOptions, DisableSystemAssignedOptions {}

/** Options of `msiExtension.install()`. */
export interface MsiExtensionInstallOptions {
  /** The VM's OS; read from the VM when omitted. */
  os?: OsType;
  /** The port of the extension's token endpoint. Default 50342. */
  port?: number;
  /** The extension's name. Default: its type, as the CLI and PowerShell name it. */
  name?: string;
  /** Must be the VM's location; read from the VM when omitted. */
  location?: string;
}

/** Options of a scale set's `msiExtension.install()`: its OS comes from the scale set's model, and its extensions carry no location. */
export type VmssMsiExtensionInstallOptions = Omit<MsiExtensionInstallOptions, "location">;

/** Options of a scale set's `msiExtension.install()` and `remove()`: every operation option, and what to do about existing instances. */
export interface VmssExtensionOptions extends OperationOptions {
  /**
   * Under a Manual upgrade policy existing instances get an extension added
   * or removed only through a manual upgrade: `true` runs `manualupgrade` on
   * every instance that lacks the latest model, and waits for it. Default
   * false: the result says how many instances do not have it yet
   * (`instancesPending`). Automatic and Rolling scale sets need nothing.
   */
  upgradeInstances?: boolean;
}

/** The MSI extension to install once a new VM exists. */
export interface CreateMsiExtensionOptions {
  /** The port of the extension's token endpoint, from 1 to 65535. Default 50342. */
  port?: number;
  /** Default: from the definition's OS disk or OS profile, else from the created VM. */
  os?: OsType;
  /** The extension's name. Default: its type (`ManagedIdentityExtensionForWindows` or `ManagedIdentityExtensionForLinux`). */
  name?: string;
}

/** Options of the create builder's `apply()`. */
export interface VmCreateOptions extends OperationOptions {
  /** Replace an existing VM of that name. Default false: the PUT carries `If-None-Match: *`. */
  overwrite?: boolean;
}

/** Progress of a fleet operation, reported after each VM. */
export interface FleetProgress {
  /** Entries of the selection (duplicates included). */
  total: number;
  /** Entries finished, whatever their status. */
  done: number;
  /** Entries finished `changed`: the VM was changed (for `plan()`: would be). */
  changed: number;
  /** Entries finished `unchanged`: the VM needed no change. */
  unchanged: number;
  /** Entries finished `failed`: nothing of this run's landed (see each result's `error`). */
  failed: number;
  /** Entries whose write was sent but whose outcome was not seen. */
  unknown: number;
}

/** Options of a fleet operation. */
export interface FleetOptions {
  /**
   * `"adaptive"` (default): every request waits for the budgets it spends
   * (ARM's reads, writes and deletes, Compute's per subscription and per VM,
   * managed identity's), learned per subscription from ARM's headers and
   * 429s, and a VM waiting for its operation holds no slot. A number: that
   * many VMs at once, unpaced (429s are retried by the pipeline).
   */
  concurrency?: number | "adaptive";
  /**
   * VMs in progress at once, per subscription, when adaptive (the budgets set
   * the pace; this bounds memory). Default 1000.
   */
  maxConcurrency?: number;
  /**
   * Called after each VM. A callback that throws, or returns a promise that
   * rejects, is logged and never fails the fleet.
   */
  onProgress?: (progress: FleetProgress) => void;
  /** Stops the fleet: VMs not started fail with an `AbortError`; VMs whose write was sent are `"unknown"`. */
  abortSignal?: AbortSignalLike;
  /** Bounds the whole fleet operation (`TimeoutError` for the VMs it stops). `0` or absent: none. */
  timeoutInMs?: number;
  /** How long to wait between looks at the VMs whose operations run (a list sweep, or a read of each). */
  updateIntervalInMs?: number;
  /**
   * A file that makes the run resumable: each VM's outcome is appended as it
   * finishes; a rerun with the same file skips the VMs it shows done and
   * works on the rest (a VM whose outcome was unknown is read first). A file
   * written by another fleet is refused (`JournalMismatch`), before any request.
   */
  journal?: string;
  /** Work on one share of the selection: `{ index: K, count: N }` (or `"K/N"`), split by resource id the same way on every machine. */
  shard?: { index: number; count: number } | string;
}

/** Options of a fleet identity change. */
export interface FleetIdentityOptions extends FleetOptions {
  /** Per-VM write guard; see {@link ApplyIdentityOptions.concurrency}. Default `"optimistic"`. */
  writeMode?: ConcurrencyMode;
  /** Per-VM read-plan-write rounds; see {@link ApplyIdentityOptions.maxAttempts}. Default 10. */
  maxAttempts?: number;
  /** See {@link ApplyIdentityOptions.conflictRetryDelayInMs}. Default 1000. */
  conflictRetryDelayInMs?: number;
  /** Per-VM grants; see {@link RoleAssignmentOptions.replicationRetryDelayInMs}. Default 2000. */
  replicationRetryDelayInMs?: number;
  /** Per-VM grants; see {@link RoleAssignmentOptions.replicationTimeoutInMs}. Default 600000. */
  replicationTimeoutInMs?: number;
}

/** Progress of a migration off the MSI extension, reported after each VM or scale set. */
export interface MigrationProgress {
  /** VMs and scale sets found carrying the extension (or left unfinished by an earlier run), so far. */
  total: number;
  /** Of which finished, whatever their status. */
  done: number;
  /** Of which the extension is gone from. */
  removed: number;
  /** Of which were left as they are (see each result's `reason`). */
  skipped: number;
  /** Of which nothing of this run's landed on. */
  failed: number;
  /** Of which a write was sent and its outcome not seen. */
  unknown: number;
  /** Dry run: resources whose requests were planned. */
  planned: number;
}

/** Options of `client.migrateFromMsiExtension()`: a fleet's options, and the migration's own. */
export interface MigrationOptions extends Omit<FleetOptions, "onProgress"> {
  /** Inventory and plan only: the report holds each resource's exact requests (`requests`); no write is sent and no journal written. */
  dryRun?: boolean;
  /**
   * Remove the extension also from resources that have no managed identity
   * (their applications lose their tokens). Default false: such a resource
   * is `skipped`, with its reason.
   */
  force?: boolean;
  /** Upgrade the existing instances of Manual scale sets once the extension is gone from their model (`manualupgrade`). Default false. */
  upgradeInstances?: boolean;
  /** Called after each resource. A callback that throws is logged and never fails the migration. */
  onProgress?: (progress: MigrationProgress) => void;
}

/** A policy added to the pipeline, placed as in the Azure SDK's generated clients. */
export interface AdditionalPolicyConfig {
  /** The policy to add. */
  policy: PipelinePolicy;
  /** `perCall`: once per operation call; `perRetry`: on every attempt, after signing. */
  position: "perCall" | "perRetry";
}

/** Pipeline options accepted by the client: every `PipelineOptions` field (and `loggingOptions`), plus the usual extras. */
export interface ArmPipelineOptions extends InternalPipelineOptions {
  /** Policies to add to the pipeline. */
  additionalPolicies?: AdditionalPolicyConfig[];
  /** The HTTP client that sends requests; the platform default otherwise. */
  httpClient?: HttpClient;
  /**
   * Bounds each attempt of each request; a timed-out attempt counts as
   * unanswered and is retried. Default 60000. `0`: no per-attempt bound.
   */
  requestTimeoutInMs?: number;
}

/** Options of `VmIdentityClient`: every pipeline option, plus where and how to talk to ARM. */
export interface VmIdentityClientOptions extends ArmPipelineOptions {
  /** Default `https://management.azure.com`; plain http only for loopback hosts. */
  endpoint?: string;
  /** Default `[<origin of endpoint>/.default]`. */
  credentialScopes?: string[];
  /**
   * Override the api-version per provider. Compute versions before
   * `2018-06-01` are refused (`UnsupportedApiVersion`).
   */
  apiVersions?: Partial<ApiVersions>;
  /**
   * Poll interval of long-running operations when the service sends no
   * `Retry-After`. Default 5000 (ARM sends none for VM updates, which run
   * 3-9 s). `0`: poll again at once (for tests against the emulator).
   */
  updateIntervalInMs?: number;
}
