import { describe, expect, it } from "vitest";
import { createConcurrencyLimiter } from "../../src/fleet/concurrencyLimiter.js";
import { createWritePacer } from "../../src/fleet/writePacer.js";

const headers = (h: Record<string, string>) => (name: string) => h[name.toLowerCase()];

describe("createWritePacer", () => {
  it("lets an initial burst through before ARM has said anything", async () => {
    const pacer = createWritePacer({ initialBurst: 3 });
    for (let i = 0; i < 3; i++) await pacer.acquire();
    let fourth = false;
    const pending = pacer.acquire().then(() => (fourth = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(fourth).toBe(false);
    pacer.observe(200, headers({ "x-ms-ratelimit-remaining-subscription-writes": "10" }));
    await pending;
    expect(fourth).toBe(true);
  });

  it("pauses every write for a 429's Retry-After and counts it", async () => {
    let throttled = 0;
    const withHook = createWritePacer({ initialBurst: 1, onThrottled: () => throttled++ });
    await withHook.acquire();
    withHook.observe(429, headers({ "retry-after": "0.05" }));
    const started = Date.now();
    await withHook.acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(throttled).toBe(1);
    expect(withHook.stats.throttled).toBe(1);
  });

  it("never deadlocks after a 429 that came before any rate was learned", async () => {
    const pacer = createWritePacer({ initialBurst: 4 });
    await pacer.acquire();
    pacer.observe(429, headers({ "retry-after": "0" }));
    // Nothing is in flight and tokens are 0: the next write must still go, as a probe.
    await Promise.race([
      pacer.acquire(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("deadlocked")), 500)),
    ]);
  });

  it("learns the refill rate from the remaining-writes header while the bucket drains", async () => {
    // A bucket of 5 refilling at 50 writes/s, drained by a client sending every 10 ms.
    const pacer = createWritePacer({ initialBurst: 1 });
    let bucket = 5;
    let last = Date.now();
    for (let i = 0; i < 30; i++) {
      await pacer.acquire();
      await new Promise((r) => setTimeout(r, 10));
      const now = Date.now();
      bucket = Math.min(5, bucket + (50 * (now - last)) / 1000);
      last = now;
      const ok = bucket >= 1;
      if (ok) bucket -= 1;
      pacer.observe(ok ? 200 : 429, (name) => (name === "x-ms-ratelimit-remaining-subscription-writes" ? String(Math.floor(bucket)) : undefined));
    }
    expect(pacer.stats.writesPerSecond).toBeGreaterThan(25);
    expect(pacer.stats.writesPerSecond).toBeLessThan(100);
  });

  it("calls onScarce when the budget runs low", async () => {
    let scarce = 0;
    const pacer = createWritePacer({ onScarce: () => scarce++, lowWatermark: 3 });
    await pacer.acquire();
    pacer.observe(200, headers({ "x-ms-ratelimit-remaining-subscription-writes": "2" }));
    expect(scarce).toBe(1);
  });
});

describe("createConcurrencyLimiter", () => {
  it("runs at most `fixed` tasks at once", async () => {
    const limiter = createConcurrencyLimiter({ fixed: 2 });
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        limiter.run(async () => {
          peak = Math.max(peak, ++active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(limiter.peak).toBe(2);
  });

  it("doubles in slow start, halves on a 429, then grows one per round", () => {
    const limiter = createConcurrencyLimiter({ initial: 4, max: 100, backoffIntervalInMs: 0 });
    for (let i = 0; i < 4; i++) limiter.succeeded();
    expect(limiter.limit).toBe(8);
    limiter.throttled();
    expect(limiter.limit).toBe(4);
    for (let i = 0; i < 3; i++) limiter.succeeded();
    expect(limiter.limit).toBe(4);
    limiter.succeeded();
    expect(limiter.limit).toBe(5);
  });

  it("eases off by a tenth when the budget is scarce, at most once per interval", () => {
    const limiter = createConcurrencyLimiter({ initial: 20, max: 100, backoffIntervalInMs: 60_000 });
    limiter.scarce();
    limiter.scarce();
    expect(limiter.limit).toBe(18);
  });
});
