/** Validation of `startFakeArm`'s options into the emulator's configuration. */
import { resolveAccessOptions, type AccessConfig } from "./access.js";
import { resolveBudgets, type ResolvedBudgets } from "./budgets.js";
import type { FailedOperationChanges, FakeArmOptions, FakeArmSubscription } from "./types.js";

/** The subscription the emulator serves unless told otherwise (a well-formed, obviously fake GUID). */
export const DEFAULT_SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000000";

/** The tenant of the identities the emulator creates unless told otherwise. */
export const DEFAULT_TENANT_ID = "00000000-0000-4000-8000-000000000001";

/** Entries per list page (and the most rows per Resource Graph page) unless told otherwise. */
export const DEFAULT_LIST_PAGE_SIZE = 1000;

/** Requests `arm.requests` keeps unless told otherwise. */
export const DEFAULT_MAX_LOGGED_REQUESTS = 10_000;

/** The emulator's configuration, every option resolved. */
export interface EmulatorConfig {
  /** `subscriptions[0]` is `arm.subscriptionId`. */
  subscriptions: Required<FakeArmSubscription>[];
  tenantId: string;
  pollsUntilDone: number;
  retryAfterSeconds: number | undefined;
  autoCompleteAfterMs: number;
  port: number;
  budgets: ResolvedBudgets;
  timeScale: number;
  clock: (() => number) | undefined;
  operationDurationMs: number | undefined;
  /** Undefined: scale-set operations take `operationDurationMs` like the others. */
  scaleSetOperationDurationMs: number | undefined;
  listPageSize: number;
  listEtags: boolean;
  maxLoggedRequests: number;
  failedOperationChanges: FailedOperationChanges;
  managedIdentityThrottling: "429" | "failedOperation";
  preconditionFailedCode: string;
  /** The access model's options. */
  access: AccessConfig;
}

const SUBSCRIPTION_ID = /^[^/?#\s]+$/;

function subscriptionsOf(options: FakeArmOptions): Required<FakeArmSubscription>[] {
  if (options.subscriptionIds !== undefined && !Array.isArray(options.subscriptionIds)) {
    throw new RangeError("startFakeArm: subscriptionIds must be an array of subscription ids.");
  }
  if (options.subscriptions !== undefined && !Array.isArray(options.subscriptions)) {
    throw new RangeError("startFakeArm: subscriptions must be an array of { id, displayName? }.");
  }
  const given: FakeArmSubscription[] = [
    ...(options.subscriptionId !== undefined ? [{ id: options.subscriptionId }] : []),
    ...(options.subscriptionIds ?? []).map((id) => ({ id })),
    ...(options.subscriptions ?? []),
  ];
  if (given.length === 0) given.push({ id: DEFAULT_SUBSCRIPTION_ID });
  const byId = new Map<string, Required<FakeArmSubscription>>();
  for (const entry of given) {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id !== "string" || !SUBSCRIPTION_ID.test(id)) {
      throw new RangeError(
        `startFakeArm: subscriptionId ${JSON.stringify(id)} must be a non-empty id without '/', '?', '#' or spaces.`,
      );
    }
    const known = byId.get(id.toLowerCase());
    if (known) {
      if (entry.displayName !== undefined) known.displayName = entry.displayName;
      continue;
    }
    byId.set(id.toLowerCase(), { id, displayName: entry.displayName ?? `Subscription ${byId.size + 1}` });
  }
  return [...byId.values()];
}

function oneOf<T extends string>(name: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) {
    throw new RangeError(`startFakeArm: ${name} must be ${allowed.map((a) => JSON.stringify(a)).join(" or ")}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** Resolves and checks the options. @throws RangeError naming the first bad option and the expected form. */
export function resolveOptions(options: FakeArmOptions): EmulatorConfig {
  const config: EmulatorConfig = {
    subscriptions: subscriptionsOf(options),
    tenantId: options.tenantId ?? DEFAULT_TENANT_ID,
    pollsUntilDone: options.pollsUntilDone ?? 1,
    retryAfterSeconds: options.retryAfterSeconds,
    autoCompleteAfterMs: options.autoCompleteAfterMs ?? 2000,
    port: options.port ?? 0,
    budgets: resolveBudgets(oneOf("limits", options.limits, ["none", "azure"], "none"), options.budgets),
    timeScale: options.timeScale ?? 1,
    clock: options.clock,
    operationDurationMs: options.operationDurationMs,
    scaleSetOperationDurationMs: options.scaleSetOperationDurationMs,
    listPageSize: options.listPageSize ?? DEFAULT_LIST_PAGE_SIZE,
    listEtags: options.listEtags ?? false,
    maxLoggedRequests: options.maxLoggedRequests ?? DEFAULT_MAX_LOGGED_REQUESTS,
    failedOperationChanges: oneOf("failedOperationChanges", options.failedOperationChanges, ["applied", "rolledBack"], "applied"),
    managedIdentityThrottling: oneOf("managedIdentityThrottling", options.managedIdentityThrottling, ["429", "failedOperation"], "429"),
    preconditionFailedCode: options.preconditionFailedCode ?? "PreconditionFailed",
    access: resolveAccessOptions(options),
  };
  const isCount = (n: number) => Number.isInteger(n) && n >= 0;
  const isDuration = (ms: number | undefined) => ms === undefined || (typeof ms === "number" && Number.isFinite(ms) && ms >= 0);
  const checks: Array<[boolean, string]> = [
    [typeof config.tenantId === "string" && config.tenantId !== "", "tenantId must be a non-empty string"],
    [isCount(config.pollsUntilDone), "pollsUntilDone must be an integer >= 0"],
    [config.retryAfterSeconds === undefined || isCount(config.retryAfterSeconds), "retryAfterSeconds must be an integer >= 0"],
    [config.autoCompleteAfterMs >= 0, "autoCompleteAfterMs must be >= 0 (Infinity to disable)"],
    [Number.isInteger(config.port) && config.port >= 0 && config.port <= 65535, "port must be 0..65535"],
    [typeof config.timeScale === "number" && Number.isFinite(config.timeScale) && config.timeScale > 0, "timeScale must be a finite number > 0"],
    [config.clock === undefined || typeof config.clock === "function", "clock must be a function returning milliseconds"],
    [isDuration(config.operationDurationMs), "operationDurationMs must be a finite number >= 0"],
    [isDuration(config.scaleSetOperationDurationMs), "scaleSetOperationDurationMs must be a finite number >= 0"],
    [Number.isInteger(config.listPageSize) && config.listPageSize >= 1, "listPageSize must be an integer >= 1"],
    [typeof config.listEtags === "boolean", "listEtags must be a boolean"],
    [
      config.maxLoggedRequests === Infinity || isCount(config.maxLoggedRequests),
      "maxLoggedRequests must be an integer >= 0 or Infinity",
    ],
    [typeof config.preconditionFailedCode === "string" && config.preconditionFailedCode !== "", "preconditionFailedCode must be a non-empty string"],
  ];
  for (const [ok, message] of checks) if (!ok) throw new RangeError(`startFakeArm: ${message}.`);
  return config;
}
