/**
 * The emulator's clock. Emulator time starts at the real time the emulator
 * started and runs `timeScale` times faster than the real-time source, so
 * that budgets refill, operations finish and waits shrink by that factor.
 */

/** Emulator time and the conversions between emulator and real durations. */
export interface EmulatorClock {
  /** How many times faster than real time the emulator's clock runs. */
  readonly timeScale: number;
  /** Emulator time, in milliseconds since the epoch. */
  now(): number;
  /** The real milliseconds that `emulatorMs` of emulator time take. */
  toRealMs(emulatorMs: number): number;
  /**
   * The headers that ask a client to wait `emulatorSeconds` of emulator time:
   * `Retry-After` in whole real seconds (rounded up; a positive wait is at
   * least 1) and, when the clock is scaled, `retry-after-ms` with the exact
   * real wait, which Azure SDK clients read first.
   */
  retryAfter(emulatorSeconds: number): Record<string, string>;
}

/**
 * Creates a clock over a real-time source (default `Date.now`, read on every
 * call so that fake timers that replace `Date` drive it too).
 */
export function createClock(timeScale: number, source: () => number = () => Date.now()): EmulatorClock {
  const realStart = source();
  const toRealMs = (emulatorMs: number) => emulatorMs / timeScale;
  return {
    timeScale,
    now: () => realStart + (source() - realStart) * timeScale,
    toRealMs,
    retryAfter(emulatorSeconds) {
      const realMs = toRealMs(emulatorSeconds * 1000);
      const seconds = realMs <= 0 ? 0 : Math.max(1, Math.ceil(realMs / 1000));
      const headers: Record<string, string> = { "Retry-After": String(seconds) };
      if (timeScale !== 1) headers["retry-after-ms"] = String(Math.ceil(realMs));
      return headers;
    },
  };
}
