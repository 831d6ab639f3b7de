/**
 * Public types of the emulator's request budgets (`limits` and `budgets` of
 * `startFakeArm`), and the published Azure values they default to.
 */

/**
 * A token bucket: it starts full with `bucket` tokens, each request charged to
 * it takes one, and `refillPerSecond` tokens come back per second of emulator
 * time, up to `bucket`. A request that finds no whole token is answered 429.
 */
export interface TokenBucketSpec {
  /** Bucket size (the burst). A positive number. */
  bucket: number;
  /** Tokens added per second of emulator time. A positive number. */
  refillPerSecond: number;
}

/**
 * A Compute throttling policy: one bucket per resource (VM or scale set) and
 * one per subscription. A request needs a token from both; `false` switches a
 * level off.
 */
export interface ComputePolicySpec {
  /** The bucket of each VM or scale set; `false` switches it off, absent keeps the default level. */
  resource?: TokenBucketSpec | false;
  /** The bucket of each subscription; `false` switches it off, absent keeps the default level. */
  subscription?: TokenBucketSpec | false;
}

/** Resource Graph's quota: `queries` per calling principal in each window of `windowSeconds`. */
export interface ResourceGraphQuotaSpec {
  /** Queries each calling principal may send per window, an integer of at least 1. */
  queries: number;
  /** Length of each window, in seconds of emulator time; it starts with the principal's first query. */
  windowSeconds: number;
}

/**
 * Every budget the emulator can enforce. With `limits: "azure"` each starts
 * at its {@link AZURE_BUDGETS} value; an entry here replaces it (`false`
 * switches it off). With `limits: "none"` only the entries given here apply.
 */
export interface FakeArmBudgets {
  /** ARM reads (every GET, status polls and list pages included), per subscription and calling principal. */
  armReads?: TokenBucketSpec | false;
  /** ARM writes (PUT, PATCH, POST), per subscription and calling principal. */
  armWrites?: TokenBucketSpec | false;
  /** ARM deletes, per subscription and calling principal. */
  armDeletes?: TokenBucketSpec | false;
  /** Compute `PutVM`: VM PUT. */
  computePutVm?: ComputePolicySpec | false;
  /** Compute `UpdateVM`: VM PATCH, extension PUT and DELETE. */
  computeUpdateVm?: ComputePolicySpec | false;
  /** Compute `LowCostGet`: VM GET, extension GET. */
  computeLowCostGet?: ComputePolicySpec | false;
  /** Compute `HighCostGet`: VM list pages (subscription level only). */
  computeHighCostGet?: ComputePolicySpec | false;
  /** Compute `GetOperation`: operation status polls; the resource is the VM the operation runs on. */
  computeGetOperation?: ComputePolicySpec | false;
  /** Compute `UpdateVMScaleSet`: scale-set writes (charged by the scale-set routes). */
  computeUpdateVmss?: ComputePolicySpec | false;
  /** Managed identity creations (a system identity enabled, a user-assigned identity created), per subscription. */
  managedIdentityCreate?: TokenBucketSpec | false;
  /** User-assigned identities assigned to a resource (one token per identity added), per subscription. */
  managedIdentityAssign?: TokenBucketSpec | false;
  /** Resource Graph queries, per calling principal. */
  resourceGraph?: ResourceGraphQuotaSpec | false;
}

/** The name of a budget. */
export type BudgetName = keyof FakeArmBudgets;

/** The Compute policies, by budget name. */
export type ComputePolicyName =
  | "computePutVm"
  | "computeUpdateVm"
  | "computeLowCostGet"
  | "computeHighCostGet"
  | "computeGetOperation"
  | "computeUpdateVmss";

/** 429s answered by each family of budgets, counted as they happen. */
export interface ThrottledByStats {
  /** ARM's read bucket (per subscription and calling principal) was empty. */
  armReads: number;
  /** ARM's write bucket (per subscription and calling principal) was empty. */
  armWrites: number;
  /** ARM's delete bucket (per subscription and calling principal) was empty. */
  armDeletes: number;
  /** A Compute policy's per-resource bucket was empty. */
  computeResource: number;
  /** A Compute policy's per-subscription bucket was empty. */
  computeSubscription: number;
  /** Identity creation or assignment (as 429s or as failed operations). */
  managedIdentity: number;
  /** The calling principal had used its Resource Graph queries for the window. */
  resourceGraph: number;
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (typeof child === "object" && child !== null) deepFreeze(child);
  return Object.freeze(value);
}

const perMinute = (bucket: number, refillPerMinute: number): TokenBucketSpec => ({
  bucket,
  refillPerSecond: refillPerMinute / 60,
});

/**
 * The published Azure budgets that `limits: "azure"` enforces: ARM's front
 * door (2024 token buckets), Compute's throttling policies (per region; the
 * emulator treats a subscription as one region), managed identity's limits
 * and Resource Graph's user quota.
 */
export const AZURE_BUDGETS: Readonly<Required<{ [K in BudgetName]: Exclude<FakeArmBudgets[K], false | undefined> }>> =
  deepFreeze({
    armReads: { bucket: 250, refillPerSecond: 25 },
    armWrites: { bucket: 200, refillPerSecond: 10 },
    armDeletes: { bucket: 200, refillPerSecond: 10 },
    computePutVm: { resource: perMinute(12, 4), subscription: perMinute(1500, 500) },
    computeUpdateVm: { resource: perMinute(12, 4), subscription: perMinute(1500, 500) },
    computeLowCostGet: { resource: perMinute(36, 12), subscription: perMinute(24_000, 8000) },
    computeHighCostGet: { resource: false, subscription: perMinute(900, 300) },
    computeGetOperation: { resource: perMinute(45, 15), subscription: perMinute(15_000, 5000) },
    computeUpdateVmss: { resource: perMinute(12, 4), subscription: perMinute(1500, 500) },
    // 80 per 20 s and 300 per 20 s, as buckets that refill evenly over the 20 s.
    managedIdentityCreate: { bucket: 80, refillPerSecond: 4 },
    managedIdentityAssign: { bucket: 300, refillPerSecond: 15 },
    resourceGraph: { queries: 15, windowSeconds: 5 },
  });
