import { AzureLogger, setLogLevel } from "@azure/logger";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FakeArm } from "../../src/testing/index.js";
import { AbortError, type FleetResult, InvalidInputError, type VmIdentityClient } from "../../src/index.js";
import { createQueue } from "../../src/fleet/queue.js";
import { emulatorWithClient } from "../support/emulator.js";

let arm: FakeArm;
let client: VmIdentityClient;

beforeEach(async () => {
  ({ arm, client } = await emulatorWithClient({ pollsUntilDone: 1 }));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await arm.close();
});

const seed = (count: number, rg = "rg"): string[] =>
  Array.from({ length: count }, (_, i) => arm.addVm({ resourceGroup: rg, name: `vm-${i}`, location: "westus", osType: "Linux" }));

describe("fleet results a caller can match to what it gave", () => {
  it("one result per entry, in input order, resourceId exactly as given, duplicates reported", async () => {
    const [a, b, c] = seed(3);
    const recased = a!.replace("resourceGroups/rg/", "RESOURCEGROUPS/RG/").replace("vm-0", "VM-0");
    const entries = [c!, { resourceGroup: "rg", name: "vm-1" }, recased, a!, b!];
    const results = await client.vms(entries).identity().enableSystemAssigned().apply({ concurrency: 2 });
    expect(results.map((r) => r.resourceId)).toEqual([c, b, recased, a, b]);
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.status)).toEqual(["changed", "changed", "changed", "changed", "changed"]);
    expect(results.map((r) => r.duplicateOf)).toEqual([undefined, undefined, undefined, recased, b]);
    expect(arm.requests.filter((r) => r.method === "PATCH")).toHaveLength(3);
    expect(results.stats).toMatchObject({ total: 5, duplicates: 2, changed: 5, failed: 0, unknown: 0 });
  });

  it("counts survive filter and JSON: stats are enumerable, JSON.stringify writes { results, stats }", async () => {
    const ids = seed(2);
    const results = await client.vms([...ids, ids[0]!.replace("vm-0", "ghost")]).identity().enableSystemAssigned().apply();
    expect(Object.keys(results)).toContain("stats");
    const failed = results.filter((r) => r.status === "failed");
    expect(failed).toHaveLength(1);
    expect(results.stats.failed).toBe(1);
    const json = JSON.parse(JSON.stringify(results)) as { results: FleetResult[]; stats: Record<string, number> };
    expect(json.stats).toMatchObject({ total: 3, changed: 2, failed: 1, unknown: 0, duplicates: 0 });
    expect(json.results).toHaveLength(3);
    expect(json.results[2]).toMatchObject({ status: "failed", error: { name: "RestError", code: "ResourceNotFound", statusCode: 404 } });
    expect(results.results).toEqual([...results]);
  });
});

describe("callbacks, options and interruptions", () => {
  it("an async onProgress that rejects is logged, never fatal, and never an unhandled rejection", async () => {
    const unhandled = vi.fn();
    process.on("unhandledRejection", unhandled);
    const logged: string[] = [];
    const previous = AzureLogger.log;
    AzureLogger.log = (...args: unknown[]) => void logged.push(args.join(" "));
    setLogLevel("warning");
    try {
      const ids = seed(3);
      let calls = 0;
      const results = await client.vms(ids).identity().enableSystemAssigned().apply({
        onProgress: async () => {
          calls++;
          throw new Error("progress bar gone");
        },
      });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(results.map((r) => r.status)).toEqual(["changed", "changed", "changed"]);
      expect(calls).toBe(3);
      expect(logged.filter((l) => l.includes("onProgress failed: progress bar gone"))).toHaveLength(3);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      AzureLogger.log = previous;
      setLogLevel(undefined as never);
      process.off("unhandledRejection", unhandled);
    }
  });

  it("every fleet option is validated like the one-VM ones, before any request", async () => {
    const fleet = client.vms(seed(1)).identity().enableSystemAssigned();
    arm.clearRequests();
    const bad: Record<string, unknown>[] = [
      { concurrency: 0 },
      { concurrency: "fast" },
      { maxConcurrency: 1.5 },
      { onProgress: "yes" },
      { timeoutInMs: -1 },
      { updateIntervalInMs: Number.NaN },
      { abortSignal: {} },
      { maxAttempts: 0 },
      { writeMode: "pessimistic" },
      { conflictRetryDelayInMs: -5 },
    ];
    for (const options of bad) {
      await expect(fleet.apply(options as never), JSON.stringify(options)).rejects.toBeInstanceOf(InvalidInputError);
    }
    expect(arm.requests).toEqual([]);
  });

  it("after an abort, VMs whose write was sent are 'unknown', the others failed with AbortError", async () => {
    await arm.close();
    // Operations that run for an hour: every PATCH is sent and never seen to finish.
    ({ arm, client } = await emulatorWithClient({ operationDurationMs: 3_600_000 }));
    const ids = seed(5);
    const controller = new AbortController();
    const running = client.vms(ids).identity().enableSystemAssigned().apply({ concurrency: 2, abortSignal: controller.signal, updateIntervalInMs: 60_000 });
    // Abort while both VMs wait for their operations (an abort during a connect trips nock's socket interception, set up for every test).
    const answered = () => arm.requests.filter((r) => r.method === "PATCH" && r.status === 200).length;
    while (answered() < 2) await new Promise((resolve) => setTimeout(resolve, 2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    const results = await running;
    expect(results.map((r) => r.status)).toEqual(["unknown", "unknown", "failed", "failed", "failed"]);
    expect(results.slice(0, 2).every((r) => r.error instanceof AbortError && /A write was sent/.test(r.error.message))).toBe(true);
    expect(results.slice(2).every((r) => r.error?.name === "AbortError")).toBe(true);
    expect(results.stats).toMatchObject({ unknown: 2, failed: 3, changed: 0 });
    expect(arm.requests.filter((r) => r.method === "PATCH")).toHaveLength(2);
  });

  it("adaptive: after an abort, VMs still waiting for their write budget failed (nothing was sent), those whose PATCH went out are 'unknown'", async () => {
    await arm.close();
    // ARM's write budget: 4, then one an hour. The fleet learns it from the first answers and holds the other PATCHes back.
    ({ arm, client } = await emulatorWithClient({ operationDurationMs: 3_600_000, budgets: { armWrites: { bucket: 4, refillPerSecond: 1 / 3600 } } }));
    const ids = seed(12);
    const controller = new AbortController();
    const running = client.vms(ids).identity().enableSystemAssigned().apply({ abortSignal: controller.signal, updateIntervalInMs: 60_000 });
    const accepted = () => arm.requests.filter((r) => r.method === "PATCH" && r.status === 200);
    while (accepted().length < 4) await new Promise((resolve) => setTimeout(resolve, 2));
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    const results = await running;
    const patched = new Set(arm.requests.filter((r) => r.method === "PATCH").map((r) => new URL(r.url, "http://x").pathname.toLowerCase()));
    const wasPatched = (id: string) => patched.has(id.toLowerCase());
    // Only VMs whose PATCH reached ARM are in doubt; every other one failed with a plain AbortError.
    const unknown = results.filter((r) => r.status === "unknown");
    const failed = results.filter((r) => r.status === "failed");
    expect(unknown.length).toBeGreaterThanOrEqual(4);
    expect(failed.length).toBeGreaterThan(0);
    expect(unknown.length + failed.length).toBe(12);
    expect(failed.every((r) => !wasPatched(r.resourceId) || arm.requests.some((q) => q.method === "PATCH" && q.status === 429 && new URL(q.url, "http://x").pathname.toLowerCase() === r.resourceId.toLowerCase()))).toBe(true);
    expect(failed.every((r) => r.error?.name === "AbortError" && !/A write was sent/.test(r.error.message))).toBe(true);
    expect(accepted().every((r) => unknown.some((u) => u.resourceId.toLowerCase() === new URL(r.url, "http://x").pathname.toLowerCase()))).toBe(true);
  });
});

describe("streams", () => {
  it("takes an AsyncIterable of ids, and results() yields each VM as it finishes, returning the run's figures", async () => {
    const ids = seed(6);
    async function* source() {
      for (const id of ids) yield id;
      yield "not-an-id";
    }
    const seen: FleetResult[] = [];
    const generator = client.vms(source()).identity().enableSystemAssigned().results({ concurrency: 3 });
    let next = await generator.next();
    while (!next.done) {
      seen.push(next.value);
      next = await generator.next();
    }
    expect(seen.map((r) => r.index).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(seen.find((r) => r.index === 6)).toMatchObject({ resourceId: "not-an-id", status: "failed", error: { code: "InvalidResourceId" } });
    expect(next.value).toMatchObject({ total: 7, changed: 6, failed: 1 });
  });

  it("the limiter's queue is O(1) per VM: 200,000 entries queued and drained in order", () => {
    const queue = createQueue<number>();
    const started = performance.now();
    for (let i = 0; i < 200_000; i++) queue.push(i);
    let expected = 0;
    let inOrder = true;
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) inOrder &&= item === expected++;
    expect(inOrder).toBe(true);
    expect(expected).toBe(200_000);
    expect(queue.length).toBe(0);
    // An Array.shift queue takes seconds here; a linked one a few milliseconds.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
