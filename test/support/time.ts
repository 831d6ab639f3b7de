import { vi } from "vitest";

/**
 * Fake the timers the library waits on (setTimeout, and Date for Retry-After
 * dates). Real I/O (sockets, nock, the emulator) goes on as usual; its own
 * zero-delay timers are fired by {@link flushIo} at the current fake time.
 */
export function fakeClock(): void {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
}

function turn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Let real I/O make progress without moving fake time: trips around the
 * event loop, firing any timer already due (nock schedules parts of a reply
 * with zero-delay timers).
 */
export async function flushIo(rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await turn();
    await turn();
    if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(0);
  }
}

/**
 * Run real I/O until `condition` holds (no fake time passes); throws if it
 * has not after `maxRealMs` of real time (`performance.now()`, which fake
 * timers leave alone). Bounded by real time, not by trips around the event
 * loop: on a busy machine a reply takes many more trips to arrive.
 */
export async function until(condition: () => boolean, what = "the condition", maxRealMs = 10_000): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < maxRealMs) {
    if (condition()) return;
    await flushIo(1);
  }
  if (condition()) return;
  throw new Error(`Timed out waiting for ${what}`);
}

/**
 * Move fake time on by `ms`, in steps of `stepInMs`, letting real I/O settle
 * before and after each step, so that a response that arrives schedules its
 * next timer at (nearly) the fake time it arrived.
 */
export async function advance(ms: number, stepInMs = 25): Promise<void> {
  const end = Date.now() + ms;
  await advanceUntil(() => Date.now() >= end, `${ms} ms`, ms, stepInMs);
  await flushIo();
}

/**
 * Settle `promise` under fake time: let I/O make progress, and whenever it
 * has nothing left to do, jump to the next timer. For clients made with
 * `requestTimeoutInMs: 0`, whose only timers are their own waits (a
 * per-attempt timeout would otherwise fire while a reply is on its way).
 */
export async function settle<T>(promise: Promise<T>, maxJumps = 1000): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  for (let jumps = 0; !settled; ) {
    await flushIo(20);
    if (settled) break;
    if (vi.getTimerCount() > 0) {
      if (++jumps > maxJumps) throw new Error(`still pending after ${maxJumps} timers`);
      await vi.advanceTimersToNextTimerAsync();
    }
  }
  return watched;
}

/**
 * Move fake time on in steps of `stepInMs`, letting real I/O settle after
 * each, until `condition` holds; throws if it has not within `maxMs` of fake
 * time. For waits whose next timer is set by a reply that may arrive late on
 * a busy machine: the clock moves with it instead of past it.
 */
export async function advanceUntil(condition: () => boolean, what: string, maxMs: number, stepInMs = 25): Promise<void> {
  const end = Date.now() + maxMs;
  await flushIo();
  while (!condition()) {
    if (Date.now() >= end) throw new Error(`Timed out waiting for ${what} (${maxMs} ms of fake time)`);
    await vi.advanceTimersByTimeAsync(Math.min(stepInMs, end - Date.now()));
    await flushIo(50);
  }
}
