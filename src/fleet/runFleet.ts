import { InvalidInputError, TimeoutError, describeValue } from "../core/errors.js";
import { isWriteMethod } from "../core/request.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import type { ResourceSnapshot } from "../core/snapshot.js";
import { type ArmConnection, checkDurationInMs } from "../http/connection.js";
import { type ArmResponse, type Operation, createOperation } from "../http/operation.js";
import type { RequestGate } from "../http/requestFacts.js";
import { logger } from "../logger.js";
import type { FleetOptions, FleetProgress } from "../options.js";
import { type BudgetGate, createBudgetGate } from "./budget/gate.js";
import { type ConcurrencyLimiter, createConcurrencyLimiter } from "./concurrencyLimiter.js";
import { type Confirmer, createConfirmer } from "./confirm.js";
import { type Journal, fleetFingerprint, openJournal } from "./journal.js";
import { createQueue } from "./queue.js";
import { type FleetResult, type FleetResults, type FleetRunStats, type FleetStatus, fleetResults } from "./results.js";
import type { ListScope } from "./selection.js";
import { type FleetShard, checkShard, inShard } from "./shard.js";

/** One entry of a fleet's selection, as the facade resolved it. */
export interface FleetEntry {
  /** The id as given (or as its list page showed it). */
  resourceId: string;
  /** The VM it names; absent when the entry was invalid (see `error`). */
  vm?: ResourceGroupScoped;
  /** Why the entry names no VM (checked as it arrived). */
  error?: Error;
  /** The VM as a list page showed it, when the selection came from one. */
  snapshot?: ResourceSnapshot;
  /** The list it came from, which can be swept to read many outcomes at once. */
  scope?: ListScope;
}

/** What a task may ask of its fleet. */
export interface FleetHelpers {
  /** Wait for the operation a write of this VM started, at the fleet's cost: a list sweep or a read of the VM. Resolves with the VM's final JSON. */
  confirm(op: Operation, url: string, response: ArmResponse, entry: FleetEntry, verify?: (body: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /**
   * An operation of this fleet ended refused by a budget no header reports
   * (managed identity's, whose refusal may come as an operation that ends
   * `Failed` with a throttling code): slow the budget down, as a 429 would.
   */
  throttled(op: Operation, url: string, budgets: readonly string[]): void;
  /** An operation of this fleet that spent budgets no header reports ended well: how the pace is learned once refusals came as failed operations. */
  succeeded(op: Operation, url: string, budgets: readonly string[]): void;
}

/** The work a fleet does on one VM; its requests go through `op`. */
export type FleetTask<E extends object> = (
  vm: ResourceGroupScoped,
  op: Operation,
  entry: FleetEntry,
  fleet: FleetHelpers,
) => Promise<{ changed: boolean; extra: E }>;

/** What a fleet run is given besides its entries and its task. */
export interface FleetRunSpec {
  /** Names the fleet's span and journal, e.g. `VmIdentityClient.fleet.applyIdentityChange`. */
  name: string;
  /** What the fleet does (the change list, the extension options): a journal written for other work is refused. */
  work: unknown;
  /** The fingerprint's own function, so that journals stay valid across versions that do the same work. */
  fingerprint?: (operation: string, work: unknown) => string;
}

/** Default of {@link FleetOptions.maxConcurrency}: VMs in progress at once, per subscription. */
export const DEFAULT_MAX_CONCURRENCY = 1000;

/** Check fleet options before any request, as the one-VM options are checked. */
export function checkFleetOptions(options: FleetOptions): void {
  if (options === null || typeof options !== "object") {
    throw new InvalidInputError("InvalidOption", `Invalid fleet options ${describeValue(options)}: expected an object.`, options);
  }
  const { concurrency, maxConcurrency, onProgress, abortSignal, journal, shard } = options;
  if (concurrency !== undefined && concurrency !== "adaptive" && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new InvalidInputError("InvalidOption", `Invalid concurrency ${describeValue(concurrency)}: expected "adaptive" or a positive integer.`, concurrency);
  }
  if (maxConcurrency !== undefined && !(Number.isInteger(maxConcurrency) && maxConcurrency >= 1)) {
    throw new InvalidInputError("InvalidOption", `Invalid maxConcurrency ${describeValue(maxConcurrency)}: expected a positive integer.`, maxConcurrency);
  }
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw new InvalidInputError("InvalidOption", `Invalid onProgress ${describeValue(onProgress)}: expected a function.`, onProgress);
  }
  checkDurationInMs("timeoutInMs", options.timeoutInMs);
  checkDurationInMs("updateIntervalInMs", options.updateIntervalInMs);
  if (abortSignal !== undefined && (abortSignal === null || typeof (abortSignal as AbortSignal).addEventListener !== "function")) {
    throw new InvalidInputError("InvalidOption", `Invalid abortSignal ${describeValue(abortSignal)}: expected an AbortSignal.`, abortSignal);
  }
  if (journal !== undefined && (typeof journal !== "string" || journal === "")) {
    throw new InvalidInputError("InvalidOption", `Invalid journal ${describeValue(journal)}: expected the path of a file (created if absent).`, journal);
  }
  if (shard !== undefined) checkShard(shard);
}

/** A fleet run: stream its results as they finish, or await them all in input order. */
export interface FleetRun<E extends object> {
  /** Results as VMs finish (each with its `index`); memory stays bounded by the concurrency. */
  results(): AsyncGenerator<FleetResult<E>, FleetRunStats>;
  /** Every result, in input order, with the run's figures. */
  all(): Promise<FleetResults<E>>;
}

/** What a later entry naming the same VM reports. */
interface Outcome {
  resourceId: string;
  status: FleetStatus;
  error?: Error;
}

/** Wakes everyone waiting for the next change. */
function createNotifier(): { next(): Promise<void>; notify(): void } {
  let waiters: (() => void)[] = [];
  return {
    next: () => new Promise<void>((resolve) => waiters.push(resolve)),
    notify() {
      const woken = waiters;
      waiters = [];
      for (const resolve of woken) resolve();
    },
  };
}

/** Counts every attempt a gate admits (or, without one, every attempt), and the 429s it hears. */
function countingGate(inner: RequestGate | undefined): { gate: RequestGate; counts: { requests: number; writes: number; throttled: number } } {
  const counts = { requests: 0, writes: 0, throttled: 0 };
  return {
    counts,
    gate: {
      async admit(request) {
        if (inner) await inner.admit(request);
        counts.requests++;
        if (isWriteMethod(request.method)) counts.writes++;
      },
      settle(request, response) {
        if (response?.status === 429) counts.throttled++;
        inner?.settle(request, response);
      },
    },
  };
}

const errorCode = (error: Error | undefined): string | undefined => {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
};

/**
 * Run `task` on every VM of `entries`. Adaptive (the default): every attempt
 * of every request waits for a token of each budget it spends (ARM's reads,
 * writes and deletes; Compute's policies per subscription and per VM;
 * managed identity's), learned from the headers ARM sends and from 429s, per
 * subscription, so subscriptions run at their own budgets at once; a VM
 * whose operation runs holds no slot while it waits, and outcomes are read
 * back by the cheapest means (a list sweep for many, a read for few). A
 * fixed `concurrency` runs that many VMs at once, unpaced. Each VM gets its
 * own operation (correlation id, span) under the fleet's signal and
 * deadline; a VM never rejects the fleet: it fails, or is `unknown` when its
 * write was sent and its outcome not seen.
 */
export function runFleet<E extends object>(
  connection: ArmConnection,
  spec: FleetRunSpec,
  entries: (fleet: Operation) => Iterable<FleetEntry> | AsyncIterable<FleetEntry>,
  task: FleetTask<E>,
  options: FleetOptions = {},
): FleetRun<E> {
  checkFleetOptions(options);
  const { name } = spec;
  const { onProgress, concurrency, maxConcurrency, updateIntervalInMs, journal: journalPath, shard: shardOption, ...callOptions } = options;
  const shard: FleetShard | undefined = shardOption === undefined ? undefined : checkShard(shardOption);
  const adaptive = concurrency === undefined || concurrency === "adaptive";
  const budgets: BudgetGate | undefined = adaptive ? createBudgetGate() : undefined;
  const counted = countingGate(budgets);
  const gate = counted.gate;
  // Validated here so that a bad value fails before any request, as the stream starts later.
  const fleet = createOperation(connection, name, callOptions, { gate });
  // Each VM's span is named as the one-VM call: VmIdentityClient.fleet.applyIdentityChange -> VmIdentityClient.applyIdentityChange.
  const vmOperationName = name.replace(".fleet.", ".");
  const interval = updateIntervalInMs ?? connection.updateIntervalInMs;

  async function* stream(): AsyncGenerator<FleetResult<E>, FleetRunStats> {
    const started = Date.now();
    let journal: Journal | undefined;
    try {
      if (journalPath !== undefined) {
        journal = await openJournal(journalPath, name, (spec.fingerprint ?? fleetFingerprint)(name, spec.work));
      }
    } catch (e) {
      fleet.finish(e);
      throw e;
    }
    const confirmer: Confirmer = createConfirmer(fleet, interval);
    const helpers: FleetHelpers = {
      confirm: (op, url, response, entry, verify) => confirmer.confirm(op, url, response, entry.scope, verify),
      throttled: (_op, url, names) => budgets?.penalize(url, names),
      succeeded: (_op, url, names) => budgets?.succeeded(url, names),
    };
    const fixed = adaptive ? undefined : createConcurrencyLimiter(concurrency as number);
    const perSubscription = new Map<string, ConcurrencyLimiter>();
    const limiterOf = (vm: ResourceGroupScoped): ConcurrencyLimiter => {
      if (fixed) return fixed;
      const key = vm.subscriptionId.toLowerCase();
      let limiter = perSubscription.get(key);
      if (!limiter) perSubscription.set(key, (limiter = createConcurrencyLimiter(maxConcurrency ?? DEFAULT_MAX_CONCURRENCY)));
      return limiter;
    };
    let peak = 0;
    const progress: FleetProgress = { total: 0, done: 0, changed: 0, unchanged: 0, failed: 0, unknown: 0 };
    const stats: FleetRunStats = {
      total: 0, changed: 0, unchanged: 0, failed: 0, unknown: 0, duplicates: 0, fromJournal: 0,
      requests: 0, reads: 0, writes: 0, deletes: 0, throttled: 0, throttledBy: {}, peakConcurrency: 0, durationInMs: 0,
    };
    // The outcome of each VM by lower-cased id (a small record, not the whole result), for entries that name it again.
    const seen = new Map<string, Promise<Outcome>>();
    const finished = createQueue<FleetResult<E>>();
    const changed = createNotifier();
    let running = 0;
    let inputDone = false;
    let journalError: unknown;

    const report = (result: FleetResult<E>): void => {
      stats[result.status]++;
      progress[result.status]++;
      progress.done++;
      if (onProgress) {
        const snapshot = { ...progress };
        // A callback that throws, or whose promise rejects, is logged: it never fails the fleet.
        Promise.resolve()
          .then(() => onProgress(snapshot))
          .catch((e: unknown) => logger.warning(`${name}: onProgress failed: ${(e as Error)?.message ?? String(e)}`));
      }
      finished.push(result);
      changed.notify();
    };

    async function work(entry: FleetEntry, index: number): Promise<FleetResult<E>> {
      const base = { resourceId: entry.resourceId, index };
      if (!entry.vm) return { ...base, status: "failed", error: entry.error ?? new Error(`Invalid entry ${describeValue(entry.resourceId)}.`) } as FleetResult<E>;
      const vm = entry.vm;
      const before = journal?.previous(entry.resourceId.toLowerCase());
      if (before === "changed" || before === "unchanged") {
        stats.fromJournal++;
        return { ...base, status: before, fromJournal: true } as FleetResult<E>;
      }
      const limiter = limiterOf(vm);
      return limiter.run(async () => {
        peak = Math.max(peak, fixed ? fixed.active : [...perSubscription.values()].reduce((n, l) => n + l.active, 0));
        if (fleet.signal.aborted) {
          return { ...base, status: "failed", error: fleet.translate(fleet.signal.reason) as Error } as FleetResult<E>;
        }
        const op = createOperation(
          connection,
          vmOperationName,
          { abortSignal: fleet.signal, tracingOptions: fleet.tracingOptions, updateIntervalInMs: interval },
          { gate },
        );
        const ids = { correlationId: op.correlationId, requestIds: op.requestIds as string[] };
        try {
          const { changed: didChange, extra } = await op.run(() => task(vm, op, entry, helpers));
          return { ...base, status: didChange ? "changed" : "unchanged", ...extra, ...ids } as FleetResult<E>;
        } catch (e) {
          const status: FleetStatus = op.inDoubt ? "unknown" : "failed";
          // The VM's own error already says "aborted" (and whether its write may still land);
          // the fleet's deadline is a TimeoutError, which the VM could not tell.
          const fleetError = fleet.signal.aborted ? fleet.translate(e) : e;
          const error = (fleetError instanceof TimeoutError
            ? new TimeoutError(`${fleetError.message}${status === "unknown" ? " This VM's write was sent and its outcome was not seen." : ""}`, fleetError.timeoutInMs, { cause: e })
            : e) as Error;
          logger.warning(`${name}: ${entry.resourceId} ${status === "unknown" ? "has an unknown outcome" : "failed"}: ${error.message}`);
          return { ...base, status, error, ...ids } as FleetResult<E>;
        }
      });
    }

    const consume = (async () => {
      let index = 0;
      for await (const entry of entries(fleet)) {
        if (shard && !inShard(entry.resourceId, shard)) continue;
        const at = index++;
        stats.total++;
        progress.total++;
        const key = entry.vm ? `${entry.vm.subscriptionId}/${entry.vm.resourceGroup}/${entry.vm.name}`.toLowerCase() : undefined;
        const first = key ? seen.get(key) : undefined;
        running++;
        if (first) {
          stats.duplicates++;
          void first.then(({ resourceId, status, error }) => {
            running--;
            report({ resourceId: entry.resourceId, index: at, status, ...(error ? { error } : {}), duplicateOf: resourceId } as FleetResult<E>);
          });
          continue;
        }
        const promise = work(entry, at).then(async (result) => {
          if (journal && !result.fromJournal && entry.vm) {
            await journal.record(entry.resourceId, result.status, errorCode(result.error)).catch((e: unknown) => {
              journalError ??= e;
            });
          }
          running--;
          report(result);
          return { resourceId: result.resourceId, status: result.status, ...(result.error ? { error: result.error } : {}) };
        });
        if (key) seen.set(key, promise);
        // Keep the number of started VMs bounded, so a streamed selection stays bounded in memory.
        const bound = (fixed ? fixed.limit : (maxConcurrency ?? DEFAULT_MAX_CONCURRENCY) * Math.max(1, perSubscription.size)) * 2 + 16;
        while (running >= bound) await changed.next();
      }
    })();

    let inputError: unknown;
    consume
      .catch((e: unknown) => {
        inputError = fleet.translate(e);
      })
      .finally(() => {
        inputDone = true;
        changed.notify();
      });
    try {
      for (;;) {
        for (let result = finished.shift(); result; result = finished.shift()) yield result;
        if (inputDone && running === 0) break;
        await changed.next();
      }
      await journal?.close();
      if (inputError !== undefined) throw inputError;
      if (journalError !== undefined) throw journalError;
      Object.assign(stats, {
        requests: counted.counts.requests,
        writes: counted.counts.writes,
        throttled: counted.counts.throttled,
        peakConcurrency: peak,
        durationInMs: Date.now() - started,
      });
      if (budgets) {
        const { requests, throttledBy } = budgets.stats;
        Object.assign(stats, { reads: requests.reads, deletes: requests.deletes, queries: requests.queries, throttledBy: { ...throttledBy }, budgets: budgets.stats.budgets });
        const writes = Object.values(budgets.stats.budgets)[0]?.["armWrites"]?.refillPerSecond;
        if (writes !== undefined) stats.writesPerSecond = writes;
      }
      stats.confirmations = { ...confirmer.stats };
      fleet.finish();
      return stats;
    } catch (e) {
      await journal?.close().catch(() => undefined);
      fleet.finish(e);
      throw e;
    }
  }

  return {
    results: stream,
    async all() {
      const results: FleetResult<E>[] = [];
      const generator = stream();
      for (;;) {
        const next = await generator.next();
        if (next.done) {
          results.sort((a, b) => a.index - b.index);
          return fleetResults(results, next.value);
        }
        results.push(next.value);
      }
    },
  };
}
