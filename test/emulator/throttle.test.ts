/** The write throttle: a token bucket per subscription answering 429. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm } from "../../src/testing/index.js";
import { call, uaiPath, vmPath } from "./helpers.js";

let arm: FakeArm;
beforeEach(async () => {
  arm = await startFakeArm({ pollsUntilDone: 0 });
  arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
});
afterEach(async () => arm.close());

const REMAINING = "x-ms-ratelimit-remaining-subscription-writes";
/** A write that never conflicts: each PUT of an identity is synchronous. */
const write = (name = "id") => call(arm, "PUT", uaiPath(arm, "rg", name), { body: { location: "westeurope" } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("setThrottle", () => {
  it("lets `burst` writes through, counting down the remaining header, then answers 429", async () => {
    arm.setThrottle({ writesPerSecond: 0.001, burst: 2 });
    const first = await write();
    const second = await write();
    expect([first.status, second.status]).toEqual([201, 200]);
    expect([first.headers.get(REMAINING), second.headers.get(REMAINING)]).toEqual(["1", "0"]);

    const third = await write("other");
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe("TooManyRequests");
    expect(third.headers.get(REMAINING)).toBe("0");
    // One token every 1000 s: the wait is the time to the next token.
    expect(third.headers.get("retry-after")).toBe("1000");
    expect(arm.getUserAssignedIdentity("rg", "other")).toBeUndefined();
    expect(arm.stats.throttled).toBe(1);
  });

  it("rounds Retry-After up to whole seconds, at least 1", async () => {
    arm.setThrottle({ writesPerSecond: 0.4, burst: 1 });
    await write();
    expect((await write()).headers.get("retry-after")).toBe("3");

    // Half a second to the next token: rounded up to 1 (the margin keeps the test immune to slow machines).
    arm.setThrottle({ writesPerSecond: 2, burst: 1 });
    await write();
    const throttled = await write();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("1");
  });

  it("throttles PATCH and DELETE as writes, and never reads", async () => {
    arm.setThrottle({ writesPerSecond: 0.001, burst: 1 });
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: {} })).status).toBe(200);
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: {} })).status).toBe(429);
    expect((await call(arm, "DELETE", uaiPath(arm, "rg", "x"))).status).toBe(429);
    for (let i = 0; i < 5; i++) expect((await call(arm, "GET", vmPath(arm, "rg", "vm"))).status).toBe(200);
    expect((await call(arm, "GET", vmPath(arm, "rg", "vm"))).headers.get(REMAINING)).toBeNull();
    expect(arm.getVm("rg", "vm")!.etag).toBe('"2"');
  });

  it("refills over time", async () => {
    arm.setThrottle({ writesPerSecond: 1000, burst: 1 });
    expect((await write()).status).toBe(201);
    await sleep(20);
    expect((await write()).status).toBe(200);
  });

  it("throttles before routing: a write to an unknown path still takes a token", async () => {
    arm.setThrottle({ writesPerSecond: 0.001, burst: 1 });
    expect((await call(arm, "PUT", "/nowhere", { body: {} })).status).toBe(404);
    expect((await call(arm, "PUT", "/nowhere", { body: {} })).status).toBe(429);
  });

  it("checks authentication and api-version before the throttle", async () => {
    arm.setThrottle({ writesPerSecond: 0.001, burst: 1 });
    expect((await call(arm, "PUT", uaiPath(arm, "rg", "a"), { body: {}, anonymous: true })).status).toBe(401);
    expect((await call(arm, "PUT", uaiPath(arm, "rg", "a"), { body: {}, apiVersion: null })).status).toBe(400);
    expect((await write()).status).toBe(201);
  });

  it("is disabled by undefined or Infinity, and then sends no remaining header", async () => {
    arm.setThrottle({ writesPerSecond: 0.001, burst: 1 });
    await write();
    arm.setThrottle(undefined);
    const reply = await write();
    expect(reply.status).toBe(200);
    expect(reply.headers.get(REMAINING)).toBeNull();

    arm.setThrottle({ writesPerSecond: 0.001, burst: 1 });
    await write();
    arm.setThrottle({ writesPerSecond: Infinity });
    for (let i = 0; i < 5; i++) expect((await write()).status).toBe(200);
  });

  it("starts a new bucket full on every setThrottle", async () => {
    arm.setThrottle({ writesPerSecond: 0.001, burst: 1 });
    await write();
    expect((await write()).status).toBe(429);
    arm.setThrottle({ writesPerSecond: 0.001, burst: 1 });
    expect((await write()).status).toBe(200);
  });

  it("defaults burst to the rate rounded up, at least 1", async () => {
    arm.setThrottle({ writesPerSecond: 2.5 });
    expect((await write()).headers.get(REMAINING)).toBe("2");
    arm.setThrottle({ writesPerSecond: 0.001 });
    expect((await write()).headers.get(REMAINING)).toBe("0");
    expect((await write()).status).toBe(429);
  });

  it("rejects nonsense limits", () => {
    expect(() => arm.setThrottle({ writesPerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => arm.setThrottle({ writesPerSecond: 1, burst: 0 })).toThrow(RangeError);
    expect(() => arm.setThrottle({ writesPerSecond: -1 })).toThrow(RangeError);
  });
});
