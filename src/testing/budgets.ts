/** Resolves `limits` and `budgets` options into the budgets the emulator enforces, validating them. */
import {
  AZURE_BUDGETS,
  type BudgetName,
  type ComputePolicyName,
  type ComputePolicySpec,
  type FakeArmBudgets,
  type ResourceGraphQuotaSpec,
  type TokenBucketSpec,
} from "./budgetTypes.js";

/** A Compute policy with its levels resolved (absent = off). */
export interface ResolvedComputePolicy {
  resource?: TokenBucketSpec;
  subscription?: TokenBucketSpec;
}

/** The budgets in force; an absent entry is switched off. */
export interface ResolvedBudgets {
  armReads?: TokenBucketSpec;
  armWrites?: TokenBucketSpec;
  armDeletes?: TokenBucketSpec;
  compute: Partial<Record<ComputePolicyName, ResolvedComputePolicy>>;
  managedIdentityCreate?: TokenBucketSpec;
  managedIdentityAssign?: TokenBucketSpec;
  resourceGraph?: ResourceGraphQuotaSpec;
}

const BUCKET_NAMES = ["armReads", "armWrites", "armDeletes", "managedIdentityCreate", "managedIdentityAssign"] as const;
const COMPUTE_NAMES: readonly ComputePolicyName[] = [
  "computePutVm",
  "computeUpdateVm",
  "computeLowCostGet",
  "computeHighCostGet",
  "computeGetOperation",
  "computeUpdateVmss",
];
const ALL_NAMES = new Set<string>([...BUCKET_NAMES, ...COMPUTE_NAMES, "resourceGraph"] satisfies BudgetName[]);

function fail(path: string, expected: string, value: unknown): never {
  throw new RangeError(`startFakeArm: budgets.${path} must be ${expected}, got ${JSON.stringify(value)}.`);
}

const isPositive = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n > 0;

function bucketSpec(path: string, value: unknown): TokenBucketSpec | undefined {
  if (value === false) return undefined;
  const spec = value as Partial<TokenBucketSpec> | null;
  if (typeof spec !== "object" || spec === null) fail(path, "{ bucket, refillPerSecond } or false", value);
  if (!isPositive(spec.bucket)) fail(`${path}.bucket`, "a positive finite number", spec.bucket);
  if (!isPositive(spec.refillPerSecond)) fail(`${path}.refillPerSecond`, "a positive finite number", spec.refillPerSecond);
  return { bucket: spec.bucket, refillPerSecond: spec.refillPerSecond };
}

function computeSpec(path: string, base: ResolvedComputePolicy | undefined, value: unknown): ResolvedComputePolicy | undefined {
  if (value === false) return undefined;
  if (typeof value !== "object" || value === null) fail(path, "{ resource?, subscription? } or false", value);
  const spec = value as ComputePolicySpec;
  const level = (name: "resource" | "subscription") =>
    spec[name] === undefined ? base?.[name] : bucketSpec(`${path}.${name}`, spec[name]);
  const resolved: ResolvedComputePolicy = {};
  const resource = level("resource");
  const subscription = level("subscription");
  if (resource) resolved.resource = resource;
  if (subscription) resolved.subscription = subscription;
  return resource || subscription ? resolved : undefined;
}

function quotaSpec(value: unknown): ResourceGraphQuotaSpec | undefined {
  if (value === false) return undefined;
  const spec = value as Partial<ResourceGraphQuotaSpec> | null;
  if (typeof spec !== "object" || spec === null) fail("resourceGraph", "{ queries, windowSeconds } or false", value);
  if (!Number.isInteger(spec.queries) || (spec.queries as number) < 1) fail("resourceGraph.queries", "an integer >= 1", spec.queries);
  if (!isPositive(spec.windowSeconds)) fail("resourceGraph.windowSeconds", "a positive finite number", spec.windowSeconds);
  return { queries: spec.queries as number, windowSeconds: spec.windowSeconds };
}

/**
 * The budgets in force: Azure's for `"azure"` (nothing for `"none"`), each
 * replaced by its entry in `overrides`. A Compute entry replaces only the
 * levels it names.
 *
 * @throws RangeError naming the first invalid or unknown entry.
 */
export function resolveBudgets(limits: "none" | "azure", overrides: FakeArmBudgets = {}): ResolvedBudgets {
  if (typeof overrides !== "object" || overrides === null) fail("", "an object", overrides);
  for (const name of Object.keys(overrides)) {
    if (!ALL_NAMES.has(name)) {
      throw new RangeError(`startFakeArm: unknown budget '${name}'; known budgets are ${[...ALL_NAMES].join(", ")}.`);
    }
  }
  const azure = limits === "azure";
  const resolved: ResolvedBudgets = { compute: {} };
  for (const name of BUCKET_NAMES) {
    const spec = overrides[name] !== undefined ? bucketSpec(name, overrides[name]) : azure ? AZURE_BUDGETS[name] : undefined;
    if (spec) resolved[name] = { ...spec };
  }
  for (const name of COMPUTE_NAMES) {
    const base = azure ? computeSpec(name, undefined, AZURE_BUDGETS[name]) : undefined;
    const spec = overrides[name] !== undefined ? computeSpec(name, base, overrides[name]) : base;
    if (spec) resolved.compute[name] = spec;
  }
  const graph = overrides.resourceGraph !== undefined ? quotaSpec(overrides.resourceGraph) : azure ? AZURE_BUDGETS.resourceGraph : undefined;
  if (graph) resolved.resourceGraph = { ...graph };
  return resolved;
}
