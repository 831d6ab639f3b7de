import type { PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { AbortError } from "@azure/abort-controller";
import { type RequestGate, requestFacts } from "../../http/requestFacts.js";
import { retryAfterInMs } from "../../http/retryAfter.js";
import { createQueue, type Queue } from "../queue.js";
import { type Bucket, type BucketState, createBucket } from "./bucket.js";
import { type ArmBucket, type RequestClass, classify, parseComputeRemaining } from "./classify.js";

/** Options of {@link createBudgetGate}. */
export interface BudgetGateOptions {
  /** HTTP requests in flight at once, per subscription and class of request (so reads never starve writes). Default 32. */
  maxRequestsInFlight?: number;
  /** Read the clock (tests pass a fake one through fake timers). */
  now?: () => number;
}

/** What the gate saw, for a fleet's figures. */
export interface BudgetGateStats {
  /** Attempts admitted, by ARM bucket (Resource Graph queries under `queries`). */
  requests: { reads: number; writes: number; deletes: number; queries: number };
  /** 429s, by the budget they were charged to (`armReads`, `computeSubscription`, `managedIdentity`, ...). */
  throttledBy: Record<string, number>;
  /** What each budget learned, by subscription, then by name (e.g. `armWrites`, `UpdateVMSubscriptionMaximum`); Resource Graph's under `tenant`. */
  budgets: Record<string, Record<string, BucketState>>;
}

/** A gate for every subscription and caller of a fleet: each subscription's budgets are its own. */
export interface BudgetGate extends RequestGate {
  readonly stats: BudgetGateStats;
  /** A refusal that came without a 429 (an operation that ended throttled): pause the named budgets of the subscription of `url`, as a 429 would. */
  penalize(url: string, budgets: readonly string[]): void;
  /** An operation that spent the named budgets of the subscription of `url` ended well (what {@link BudgetGate.penalize} learns from once refusals came that way). */
  succeeded(url: string, budgets: readonly string[]): void;
}

const ARM_BUDGET: Record<ArmBucket, string> = { reads: "armReads", writes: "armWrites", deletes: "armDeletes" };
/** Resource Graph's quota, per user: its own headers, no subscription. */
const GRAPH_REMAINING = "x-ms-user-quota-remaining";

interface Waiter {
  cls: RequestClass;
  buckets: Bucket[];
  resolve(): void;
  reject(e: unknown): void;
  done: boolean;
}

interface Admitted {
  cls: RequestClass;
  buckets: Bucket[];
  sub: SubscriptionBudgets;
}

/** The budgets of one subscription (ARM's are per caller too: one client is one caller). */
interface SubscriptionBudgets {
  arm: Record<ArmBucket, Bucket>;
  /** Compute's per-subscription policies, by policy name. */
  compute: Map<string, Bucket>;
  /** Compute's per-resource policies, by `policy resource`. */
  perResource: Map<string, Bucket>;
  /** The Compute policies each class of request has been seen to report. */
  policiesOf: Map<string, { subscription: Set<string>; resource: Set<string> }>;
  /** Budgets no header reports (managed identity's), named by the operations. */
  hinted: Map<string, Bucket>;
  /** Requests in flight, by class of request. */
  inFlight: Map<string, number>;
}

/** The longest a waiter sleeps before looking again, so that a new response's news is acted on. */
const MAX_NAP_MS = 1000;
/** Per-resource buckets kept before the oldest are forgotten (a VM finished long ago needs none). */
const MAX_PER_RESOURCE = 20_000;

/**
 * Admit each attempt of each request only when every budget it spends has
 * a token: ARM's reads, writes or deletes, the Compute policies its class of
 * request reports (per subscription and per resource), and any budget the
 * operation names (managed identity's). Waiters queue per class of request,
 * first come first served, so a read never waits behind a write; one whose
 * own resource's budget is empty steps aside for the rest.
 */
export function createBudgetGate(options: BudgetGateOptions = {}): BudgetGate {
  const maxInFlight = options.maxRequestsInFlight ?? 32;
  const now = options.now ?? (() => Date.now());
  const subscriptions = new Map<string, SubscriptionBudgets>();
  const graph = createBucket("resourceGraph", { initialBurst: 4 });
  const queues = new Map<string, Queue<Waiter>>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const admitted = new WeakMap<PipelineRequest, Admitted>();
  const perResourceBuckets = new WeakSet<Bucket>();
  const stats: BudgetGateStats = { requests: { reads: 0, writes: 0, deletes: 0, queries: 0 }, throttledBy: {}, budgets: {} };

  function budgetsOf(subscription: string): SubscriptionBudgets {
    let found = subscriptions.get(subscription);
    if (!found) {
      found = {
        arm: {
          reads: createBucket("armReads", { initialBurst: 16 }),
          writes: createBucket("armWrites", { initialBurst: 8 }),
          deletes: createBucket("armDeletes", { initialBurst: 8 }),
        },
        compute: new Map(),
        perResource: new Map(),
        policiesOf: new Map(),
        hinted: new Map(),
        inFlight: new Map(),
      };
      subscriptions.set(subscription, found);
    }
    return found;
  }

  function perResourceBucket(sub: SubscriptionBudgets, policy: string, resource: string): Bucket {
    const key = `${policy} ${resource}`;
    let bucket = sub.perResource.get(key);
    if (!bucket) {
      if (sub.perResource.size >= MAX_PER_RESOURCE) sub.perResource.delete(sub.perResource.keys().next().value as string);
      bucket = createBucket(policy, { initialBurst: 2 });
      perResourceBuckets.add(bucket);
      sub.perResource.set(key, bucket);
    }
    return bucket;
  }

  function bucketsFor(cls: RequestClass, sub: SubscriptionBudgets | undefined, hints: readonly string[] | undefined): Bucket[] {
    if (!sub) return [graph];
    const buckets: Bucket[] = [];
    if (cls.arm) buckets.push(sub.arm[cls.arm]);
    const learned = sub.policiesOf.get(cls.key);
    for (const policy of learned?.subscription ?? []) {
      let bucket = sub.compute.get(policy);
      if (!bucket) sub.compute.set(policy, (bucket = createBucket(policy)));
      buckets.push(bucket);
    }
    if (cls.resource) for (const policy of learned?.resource ?? []) buckets.push(perResourceBucket(sub, policy, cls.resource));
    for (const hint of hints ?? []) {
      let bucket = sub.hinted.get(hint);
      if (!bucket) sub.hinted.set(hint, (bucket = createBucket(hint, { initialBurst: 16 })));
      buckets.push(bucket);
    }
    return buckets;
  }

  /** Serve the waiters of one queue in order, until one must wait. */
  function pump(key: string): void {
    const queue = queues.get(key);
    if (!queue || timers.has(key)) return;
    for (let head = queue.peek(); head; head = queue.peek()) {
      if (head.done) {
        queue.shift();
        continue;
      }
      const sub = head.cls.subscription === undefined ? undefined : budgetsOf(head.cls.subscription);
      const t = now();
      let wait = sub && (sub.inFlight.get(key) ?? 0) >= maxInFlight ? MAX_NAP_MS : 0;
      let ownResource = false;
      for (const bucket of head.buckets) {
        const w = bucket.waitInMs(t);
        if (w > wait) {
          wait = w;
          ownResource = perResourceBuckets.has(bucket);
        }
      }
      if (wait <= 0) {
        queue.shift();
        for (const bucket of head.buckets) bucket.take(t);
        if (sub) sub.inFlight.set(key, (sub.inFlight.get(key) ?? 0) + 1);
        head.done = true;
        head.resolve();
        continue;
      }
      if (ownResource) {
        // Only this resource is out of tokens: let the others by, and come back for it.
        const parked = queue.shift()!;
        setTimeout(() => enqueue(key, parked), Math.min(wait, MAX_NAP_MS));
        continue;
      }
      // Nap until the head's tokens are due, or until a response brings news.
      const timer = setTimeout(() => {
        timers.delete(key);
        pump(key);
      }, Math.min(wait, MAX_NAP_MS));
      timers.set(key, timer);
      return;
    }
  }

  function enqueue(key: string, waiter: Waiter): void {
    if (waiter.done) return;
    let queue = queues.get(key);
    if (!queue) queues.set(key, (queue = createQueue()));
    queue.push(waiter);
    pump(key);
  }

  /** A response arrived: wake every queue, since a header may have refilled any of them. */
  function wakeAll(): void {
    for (const [key, timer] of timers) {
      clearTimeout(timer);
      timers.delete(key);
    }
    for (const key of queues.keys()) pump(key);
  }

  /** The budgets named `names` that a write to `url` spends (none above every subscription). */
  function namedBuckets(url: string, names: readonly string[]): Bucket[] {
    const cls = classify("PATCH", url);
    if (cls.subscription === undefined) return [];
    return bucketsFor(cls, budgetsOf(cls.subscription), names).filter((b) => names.includes(b.name));
  }

  function throttledBudget(cls: RequestClass, response: PipelineResponse): string {
    const code = /"code"\s*:\s*"([^"]+)"/.exec(response.bodyAsText ?? "")?.[1];
    if (cls.subscription === undefined) return "resourceGraph";
    if (code === "SubscriptionRequestsThrottled" && cls.arm) return ARM_BUDGET[cls.arm];
    if (code === "OperationNotAllowed") {
      const perResource = /Resource\b/.test(response.bodyAsText ?? "") && !/SubscriptionMaximum/.test(response.bodyAsText ?? "");
      return perResource ? "computeResource" : "computeSubscription";
    }
    return "managedIdentity";
  }

  return {
    stats,
    penalize(url, names) {
      const t = now();
      for (const bucket of namedBuckets(url, names)) {
        bucket.refusedLate(t, Math.max(1, Math.round(1 / Math.max(1e-6, (bucket.state.refillPerSecond ?? 1) / 1000))));
      }
      stats.throttledBy["managedIdentity"] = (stats.throttledBy["managedIdentity"] ?? 0) + 1;
      wakeAll();
    },
    succeeded(url, names) {
      const t = now();
      for (const bucket of namedBuckets(url, names)) bucket.succeeded(t);
      wakeAll();
    },
    admit(request) {
      const cls = classify(request.method, request.url);
      const sub = cls.subscription === undefined ? undefined : budgetsOf(cls.subscription);
      const buckets = bucketsFor(cls, sub, requestFacts(request).budgets);
      const signal = request.abortSignal;
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(new AbortError("The request was aborted before it was sent."));
        const waiter: Waiter = {
          cls,
          buckets,
          done: false,
          resolve: () => {
            signal?.removeEventListener("abort", onAbort);
            admitted.set(request, { cls, buckets, sub: sub as SubscriptionBudgets });
            if (cls.arm) stats.requests[cls.arm]++;
            else stats.requests.queries++;
            resolve();
          },
          reject,
        };
        const onAbort = (): void => {
          if (waiter.done) return;
          waiter.done = true;
          reject(new AbortError("The request was aborted while waiting for Azure's budget."));
        };
        signal?.addEventListener("abort", onAbort);
        enqueue(cls.key, waiter);
      });
    },

    settle(request, response) {
      const entry = admitted.get(request);
      if (!entry) return;
      admitted.delete(request);
      const { cls, buckets, sub } = entry;
      if (sub) sub.inFlight.set(cls.key, Math.max(0, (sub.inFlight.get(cls.key) ?? 1) - 1));
      if (!response) {
        for (const bucket of buckets) bucket.release();
        wakeAll();
        return;
      }
      const t = now();
      const header = (name: string): string | undefined => response.headers.get(name) ?? undefined;
      const throttled = response.status === 429;
      const waitMs = throttled ? (retryAfterInMs(header) ?? 1000) : undefined;
      const blamed = throttled ? throttledBudget(cls, response) : undefined;
      if (blamed) stats.throttledBy[blamed] = (stats.throttledBy[blamed] ?? 0) + 1;
      // What this response reports: ARM's count for its bucket, Compute's for its policies.
      const reported = new Map<string, number>();
      if (cls.arm) {
        const armCount = header(`x-ms-ratelimit-remaining-subscription-${cls.arm}`);
        if (armCount !== undefined) reported.set(ARM_BUDGET[cls.arm], Number(armCount));
      }
      if (!sub) {
        const quota = header(GRAPH_REMAINING);
        if (quota !== undefined) reported.set("resourceGraph", Number(quota));
      }
      const compute = parseComputeRemaining(header("x-ms-ratelimit-remaining-resource"));
      if (sub && compute.length > 0) {
        let learned = sub.policiesOf.get(cls.key);
        if (!learned) sub.policiesOf.set(cls.key, (learned = { subscription: new Set(), resource: new Set() }));
        for (const { policy, remaining, perResource } of compute) {
          (perResource ? learned.resource : learned.subscription).add(policy);
          if (perResource && cls.resource) {
            const bucket = perResourceBucket(sub, policy, cls.resource);
            if (!buckets.includes(bucket)) bucket.settle(t, remaining);
          } else if (!perResource && !sub.compute.has(policy)) {
            const bucket = createBucket(policy);
            bucket.settle(t, remaining);
            sub.compute.set(policy, bucket);
          }
          reported.set(perResource ? `${policy} ${cls.resource ?? ""}` : policy, remaining);
        }
      }
      for (const bucket of buckets) {
        const isPerResource = perResourceBuckets.has(bucket);
        const remaining = reported.get(isPerResource ? `${bucket.name} ${cls.resource}` : bucket.name);
        const blame =
          throttled &&
          (bucket.name === blamed ||
            (blamed === "computeSubscription" && sub?.compute.get(bucket.name) === bucket && remaining === 0) ||
            (blamed === "computeResource" && isPerResource && remaining === 0) ||
            (blamed === "managedIdentity" && sub?.hinted.get(bucket.name) === bucket));
        bucket.settle(t, remaining, blame ? waitMs : undefined);
      }
      const view: Record<string, BucketState> = {};
      if (sub) for (const bucket of [...Object.values(sub.arm), ...sub.compute.values(), ...sub.hinted.values()]) view[bucket.name] = bucket.state;
      else view["resourceGraph"] = graph.state;
      stats.budgets[cls.subscription ?? "tenant"] = view;
      wakeAll();
    },
  };
}
