import { setMaxListeners } from "node:events";
import { AbortError } from "@azure/abort-controller";
import type { ClientContext } from "../client/clientContext.js";
import { type ResourceGroupScoped, vmResourceId } from "../core/resourceId.js";
import { InvalidInputError, describeValue } from "../errors.js";
import { type OperationContext, createOperationContext } from "../http/operationContext.js";
import { createWritePacer, type WritePacerStats } from "../http/writePacer.js";
import { logger } from "../logger.js";
import { createConcurrencyLimiter } from "./concurrencyLimiter.js";

/** Progress of a fleet operation. */
export interface FleetProgress {
  total: number;
  /** VMs finished, failed ones included. */
  done: number;
  failed: number;
  changed: number;
  unchanged: number;
}

/** Options of a fleet operation. */
export interface FleetOptions {
  /**
   * VMs worked on at once: `"adaptive"` (default) paces writes to ARM's limit
   * and adapts the number between 1 and `maxConcurrency`; a number runs that
   * many at once, unpaced.
   */
  concurrency?: number | "adaptive";
  /** Upper bound of adaptive concurrency. Default 64. */
  maxConcurrency?: number;
  onProgress?: (progress: FleetProgress) => void;
  abortSignal?: AbortSignal;
  /** Bounds the whole fleet operation. */
  timeoutInMs?: number;
  updateIntervalInMs?: number;
}

/** The outcome for one VM, plus what the operation reports (`identity`, `extension`). Never a rejection. */
export type FleetResult<E extends object = object> = {
  resourceId: string;
  status: "changed" | "unchanged" | "failed";
  /** The correlation id shared by this VM's requests. */
  correlationId?: string;
  /** `x-ms-request-id` of this VM's responses, in order. */
  requestIds?: string[];
  /** Why the VM failed. */
  error?: Error;
} & Partial<E>;

/** Per-VM results, with the run's figures as a non-enumerable `stats`. */
export type FleetResults<E extends object = object> = FleetResult<E>[] & { readonly stats: FleetRunStats };

/** What a fleet run reports besides the per-VM results. */
export interface FleetRunStats {
  writes: number;
  throttled: number;
  peakConcurrency: number;
  writesPerSecond?: number;
}

function checkFleetOptions(options: FleetOptions): void {
  const { concurrency, maxConcurrency } = options;
  if (concurrency !== undefined && concurrency !== "adaptive" && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new InvalidInputError("InvalidOption", `Invalid concurrency ${describeValue(concurrency)}: expected "adaptive" or a positive integer.`, concurrency);
  }
  if (maxConcurrency !== undefined && !(Number.isInteger(maxConcurrency) && maxConcurrency >= 1)) {
    throw new InvalidInputError("InvalidOption", `Invalid maxConcurrency ${describeValue(maxConcurrency)}: expected a positive integer.`, maxConcurrency);
  }
}

/**
 * Run `task` on every VM, bounded by an adaptive (or fixed) concurrency limit
 * and, when adaptive, with every write paced to ARM's throttle. Each VM gets its
 * own operation context (correlation id) under the fleet's abort and deadline.
 */
export async function runFleet<E extends object>(
  cc: ClientContext,
  name: string,
  targets: readonly ResourceGroupScoped[],
  task: (vm: ResourceGroupScoped, ctx: OperationContext) => Promise<{ changed: boolean; extra: E }>,
  options: FleetOptions = {},
): Promise<FleetResults<E>> {
  checkFleetOptions(options);
  const adaptive = options.concurrency === undefined || options.concurrency === "adaptive";
  const limiter = createConcurrencyLimiter(
    adaptive ? { max: options.maxConcurrency ?? 64 } : { fixed: options.concurrency as number },
  );
  // A fixed concurrency is not paced, but its writes and 429s are still counted.
  const pacer = createWritePacer({
    pace: adaptive,
    onThrottled: () => limiter.throttled(),
    onScarce: () => limiter.scarce(),
  });
  const controller = new AbortController();
  // Every VM in flight listens to the fleet's signal.
  setMaxListeners(0, controller.signal);
  let timedOut = false;
  const onAbort = (): void => controller.abort();
  options.abortSignal?.addEventListener("abort", onAbort);
  if (options.abortSignal?.aborted) controller.abort();
  const timer =
    options.timeoutInMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, options.timeoutInMs);
  const progress: FleetProgress = { total: targets.length, done: 0, failed: 0, changed: 0, unchanged: 0 };
  const perVm: { timeoutInMs?: number; updateIntervalInMs?: number; abortSignal: AbortSignal } = { abortSignal: controller.signal };
  if (options.updateIntervalInMs !== undefined) perVm.updateIntervalInMs = options.updateIntervalInMs;
  try {
    const results = await Promise.all(
      targets.map((vm) =>
        limiter.run(async (): Promise<FleetResult<E>> => {
          const resourceId = vmResourceId(vm);
          let result: FleetResult<E>;
          const ctx = createOperationContext(`${name} ${vm.name}`, perVm, { updateIntervalInMs: cc.updateIntervalInMs }, pacer);
          const ids = { correlationId: ctx.correlationId, requestIds: ctx.requestIds };
          try {
            const { changed, extra } = await ctx.run(() => task(vm, ctx));
            result = { resourceId, status: changed ? "changed" : "unchanged", ...extra, ...ids } as FleetResult<E>;
            progress[changed ? "changed" : "unchanged"]++;
            limiter.succeeded();
          } catch (e) {
            const error =
              timedOut && e instanceof AbortError
                ? Object.assign(new AbortError(`${name} on ${vm.name} stopped: the fleet did not finish within ${options.timeoutInMs} ms (timeoutInMs).`), { cause: e })
                : (e as Error);
            result = { resourceId, status: "failed", error, ...ids } as FleetResult<E>;
            progress.failed++;
            logger.warning(`${name}: ${resourceId} failed: ${(e as Error).message}`);
          }
          progress.done++;
          try {
            options.onProgress?.({ ...progress });
          } catch (e) {
            // A failing progress callback must not turn into a failed fleet.
            logger.warning(`${name}: onProgress threw: ${(e as Error).message}`);
          }
          return result;
        }),
      ),
    );
    const stats: WritePacerStats = pacer.stats;
    const runStats: FleetRunStats = {
      writes: stats.writes,
      throttled: stats.throttled,
      peakConcurrency: limiter.peak,
      ...(stats.writesPerSecond === undefined ? {} : { writesPerSecond: stats.writesPerSecond }),
    };
    return Object.defineProperty(results, "stats", { value: runStats, enumerable: false }) as unknown as FleetResults<E>;
  } finally {
    if (timer) clearTimeout(timer);
    options.abortSignal?.removeEventListener("abort", onAbort);
  }
}
