import { InvalidInputError, TimeoutError, describeValue } from "../core/errors.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import { isWriteMethod } from "../core/request.js";
import type { ResourceSnapshot } from "../core/snapshot.js";
import { type ArmConnection, checkDurationInMs } from "../http/connection.js";
import { type Operation, createOperation } from "../http/operation.js";
import { logger } from "../logger.js";
import type { FleetOptions, FleetProgress } from "../options.js";
import type { RequestGate } from "../http/requestFacts.js";
import { createConcurrencyLimiter } from "./concurrencyLimiter.js";
import { createQueue } from "./queue.js";
import { type FleetResult, type FleetResults, type FleetRunStats, type FleetStatus, fleetResults } from "./results.js";
import { createWritePacer, writePacerGate } from "./writePacer.js";

/** One entry of a fleet's selection, as the facade resolved it. */
export interface FleetEntry {
  /** The id as given. */
  resourceId: string;
  /** The VM it names; absent when the entry was invalid (see `error`). */
  vm?: ResourceGroupScoped;
  /** Why the entry names no VM (checked as it arrived). */
  error?: Error;
  /** The VM as a list page showed it, when the selection came from one. */
  snapshot?: ResourceSnapshot;
}

/** The work a fleet does on one VM; its requests go through `op`. */
export type FleetTask<E extends object> = (vm: ResourceGroupScoped, op: Operation, entry: FleetEntry) => Promise<{ changed: boolean; extra: E }>;

/** Check fleet options before any request, as the one-VM options are checked. */
export function checkFleetOptions(options: FleetOptions): void {
  if (options === null || typeof options !== "object") {
    throw new InvalidInputError("InvalidOption", `Invalid fleet options ${describeValue(options)}: expected an object.`, options);
  }
  const { concurrency, maxConcurrency, onProgress, abortSignal } = options;
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

/** Counts every attempt a gate admits, and the 429s it hears. */
function countingGate(inner: RequestGate): { gate: RequestGate; readonly requests: number; readonly writes: number; readonly throttled: number } {
  const counts = { requests: 0, writes: 0, throttled: 0 };
  return {
    gate: {
      async admit(request) {
        await inner.admit(request);
        counts.requests++;
        if (isWriteMethod(request.method)) counts.writes++;
      },
      settle(request, response) {
        if (response?.status === 429) counts.throttled++;
        inner.settle(request, response);
      },
    },
    get requests() {
      return counts.requests;
    },
    get writes() {
      return counts.writes;
    },
    get throttled() {
      return counts.throttled;
    },
  };
}

async function* iterate<T>(source: Iterable<T> | AsyncIterable<T>): AsyncGenerator<T> {
  yield* source as AsyncIterable<T>;
}

/**
 * Run `task` on every VM of `entries`, bounded by an adaptive (or fixed)
 * concurrency limit and, when adaptive, with every write paced to ARM's
 * budget. Each VM gets its own operation (correlation id, span) under the
 * fleet's signal and deadline. A VM never rejects the fleet: it fails, or is
 * `unknown` when its write was sent and its outcome not seen.
 */
export function runFleet<E extends object>(
  connection: ArmConnection,
  name: string,
  entries: Iterable<FleetEntry> | AsyncIterable<FleetEntry>,
  task: FleetTask<E>,
  options: FleetOptions = {},
): FleetRun<E> {
  checkFleetOptions(options);
  const { onProgress, concurrency, maxConcurrency, updateIntervalInMs, ...callOptions } = options;
  // Validated here so that a bad value fails before any request, as the stream starts later.
  const fleet = createOperation(connection, name, callOptions);
  // Each VM's span is named as the one-VM call: VmIdentityClient.fleet.applyIdentityChange -> VmIdentityClient.applyIdentityChange.
  const vmOperationName = name.replace(".fleet.", ".");

  async function* stream(): AsyncGenerator<FleetResult<E>, FleetRunStats> {
    const started = Date.now();
    const adaptive = concurrency === undefined || concurrency === "adaptive";
    const limiter = createConcurrencyLimiter(adaptive ? { max: maxConcurrency ?? 64 } : { fixed: concurrency as number });
    // A fixed concurrency is not paced, but its writes and 429s are still counted.
    const pacer = createWritePacer({ pace: adaptive, onThrottled: () => limiter.throttled(), onScarce: () => limiter.scarce() });
    const counted = countingGate(writePacerGate(pacer));
    const gate = counted.gate;
    const progress: FleetProgress = { total: 0, done: 0, changed: 0, unchanged: 0, failed: 0, unknown: 0 };
    const stats: FleetRunStats = {
      total: 0, changed: 0, unchanged: 0, failed: 0, unknown: 0, duplicates: 0,
      requests: 0, writes: 0, throttled: 0, peakConcurrency: 0, durationInMs: 0,
    };
    // The outcome of each VM by lower-cased id (a small record, not the whole result), for entries that name it again.
    const seen = new Map<string, Promise<Outcome>>();
    const finished = createQueue<FleetResult<E>>();
    const changed = createNotifier();
    let running = 0;
    let inputDone = false;

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
      return limiter.run(async () => {
        if (fleet.signal.aborted) {
          return { ...base, status: "failed", error: fleet.translate(fleet.signal.reason) as Error } as FleetResult<E>;
        }
        const op = createOperation(
          connection,
          vmOperationName,
          { abortSignal: fleet.signal, tracingOptions: fleet.tracingOptions, ...(updateIntervalInMs === undefined ? {} : { updateIntervalInMs }) },
          { gate },
        );
        const ids = { correlationId: op.correlationId, requestIds: op.requestIds as string[] };
        try {
          const { changed, extra } = await op.run(() => task(vm, op, entry));
          limiter.succeeded();
          return { ...base, status: changed ? "changed" : "unchanged", ...extra, ...ids } as FleetResult<E>;
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
      for await (const entry of iterate(entries)) {
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
        const promise = work(entry, at).then((result) => {
          running--;
          report(result);
          return { resourceId: result.resourceId, status: result.status, ...(result.error ? { error: result.error } : {}) };
        });
        if (key) seen.set(key, promise);
        // Keep the number of started VMs bounded, so a streamed selection stays bounded in memory.
        while (running >= limiter.limit * 4 + 16) await changed.next();
      }
    })();

    let inputError: unknown;
    consume
      .catch((e: unknown) => {
        inputError = e;
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
      if (inputError !== undefined) throw inputError;
      stats.requests = counted.requests;
      stats.writes = counted.writes;
      stats.throttled = counted.throttled;
      stats.peakConcurrency = limiter.peak;
      if (pacer.stats.writesPerSecond !== undefined) stats.writesPerSecond = pacer.stats.writesPerSecond;
      stats.durationInMs = Date.now() - started;
      fleet.finish();
      return stats;
    } catch (e) {
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
