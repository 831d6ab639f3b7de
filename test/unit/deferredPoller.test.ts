/**
 * The poller a long-running call returns while @azure/core-lro is still
 * loading (the first `begin*` of a process): it forwards to core-lro's poller
 * once that is made, and behaves as one until then.
 */
import type { OperationState, PollerLike } from "@azure/core-lro";
import { describe, expect, it, vi } from "vitest";
import { deferredPoller } from "../../src/http/lro.js";

type State = OperationState<string>;

/** A stand-in for core-lro's poller: done after `finish()`, with the given result. */
function fakePoller(): { poller: PollerLike<State, string>; finish(result: string): void; fail(error: Error): void; progress(state: State): void } {
  let state: State | undefined;
  const handlers = new Set<(s: State) => void>();
  let settle!: (r: string) => void;
  let reject!: (e: Error) => void;
  const done = new Promise<string>((res, rej) => ((settle = res), (reject = rej)));
  done.catch(() => undefined);
  const poller = {
    get operationState() {
      return state;
    },
    get result() {
      return state?.result;
    },
    get isDone() {
      return state?.status === "succeeded";
    },
    onProgress(cb: (s: State) => void) {
      handlers.add(cb);
      return () => handlers.delete(cb);
    },
    poll: async () => state!,
    pollUntilDone: () => done,
    serialize: async () => JSON.stringify({ state }),
    submitted: async () => undefined,
    then: (f?: (v: string) => unknown, r?: (e: unknown) => unknown) => done.then(f, r),
    catch: (r?: (e: unknown) => unknown) => done.catch(r),
    finally: (f?: () => void) => done.finally(f),
    [Symbol.toStringTag]: "Poller",
  } as unknown as PollerLike<State, string>;
  return {
    poller,
    finish(result) {
      state = { status: "succeeded", result };
      settle(result);
    },
    fail(error) {
      state = { status: "failed", error };
      reject(error);
    },
    progress(s) {
      state = s;
      for (const h of handlers) h(s);
    },
  };
}

describe("deferredPoller", () => {
  it("is not done and has no state until core-lro's poller is made; then it is that poller", async () => {
    let make!: (box: { poller: PollerLike<State, string> }) => void;
    const deferred = deferredPoller(new Promise<{ poller: PollerLike<State, string> }>((resolve) => (make = resolve)));
    expect([deferred.isDone, deferred.operationState, deferred.result]).toEqual([false, undefined, undefined]);
    const real = fakePoller();
    make({ poller: real.poller });
    await deferred.submitted();
    real.progress({ status: "running" });
    expect(deferred.operationState).toEqual({ status: "running" });
    real.finish("the VM");
    expect(await deferred).toBe("the VM");
    expect(await deferred.pollUntilDone()).toBe("the VM");
    expect([deferred.isDone, deferred.result]).toEqual([true, "the VM"]);
    expect(await deferred.serialize()).toBe(JSON.stringify({ state: { status: "succeeded", result: "the VM" } }));
    expect(Object.prototype.toString.call(deferred)).toBe("[object Poller]");
  });

  it("hands progress callbacks registered early to the real poller, and cancels them, before or after", async () => {
    let make!: (box: { poller: PollerLike<State, string> }) => void;
    const deferred = deferredPoller(new Promise<{ poller: PollerLike<State, string> }>((resolve) => (make = resolve)));
    const kept = vi.fn();
    const cancelledEarly = vi.fn();
    const cancelledLate = vi.fn();
    deferred.onProgress(kept);
    deferred.onProgress(cancelledEarly)();
    const cancelLate = deferred.onProgress(cancelledLate);
    const real = fakePoller();
    make({ poller: real.poller });
    await deferred.submitted();
    real.progress({ status: "running" });
    cancelLate();
    real.progress({ status: "running", result: "half" });
    expect(kept.mock.calls).toEqual([[{ status: "running" }], [{ status: "running", result: "half" }]]);
    expect(cancelledEarly).not.toHaveBeenCalled();
    expect(cancelledLate.mock.calls).toEqual([[{ status: "running" }]]);
  });

  it("rejects like the real poller, and a failure to make it reaches whoever polls", async () => {
    let make!: (box: { poller: PollerLike<State, string> }) => void;
    const deferred = deferredPoller(new Promise<{ poller: PollerLike<State, string> }>((resolve) => (make = resolve)));
    const real = fakePoller();
    make({ poller: real.poller });
    real.fail(new Error("OperationFailed"));
    await expect(deferred).rejects.toThrow("OperationFailed");
    await expect(deferred.pollUntilDone()).rejects.toThrow("OperationFailed");

    const unloadable = deferredPoller<string>(Promise.reject(new Error("Cannot find package '@azure/core-lro'")));
    // Nobody polling is no unhandled rejection (vitest fails the run on one); polling reports it.
    await new Promise((resolve) => setImmediate(resolve));
    await expect(unloadable.submitted()).rejects.toThrow("Cannot find package");
    await expect(unloadable.catch((e: Error) => e.message)).resolves.toBe("Cannot find package '@azure/core-lro'");
    expect(unloadable.isDone).toBe(false);
  });
});
