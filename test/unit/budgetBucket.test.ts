import { describe, expect, it } from "vitest";
import { createBucket } from "../../src/fleet/budget/bucket.js";
import { classify, parseComputeRemaining } from "../../src/fleet/budget/classify.js";

describe("a bucket estimate", () => {
  it("lets a first burst through before any report, then spends what the reports say is left", () => {
    const bucket = createBucket("armWrites", { initialBurst: 2 });
    bucket.take(0);
    bucket.take(0);
    expect(bucket.waitInMs(0)).toBeGreaterThan(0);
    bucket.settle(10, 3); // 3 left, one still in flight: 2 to spend
    expect(bucket.state.tokens).toBe(2);
    bucket.take(10);
    bucket.take(10);
    expect(bucket.waitInMs(10)).toBeGreaterThan(0);
  });

  it("learns the refill rate from the reports' rise plus the tokens spent meanwhile, and waits one token's time", () => {
    const bucket = createBucket("armWrites");
    // A bucket of 200 (full at first: 199 left after the first request), refilling 10 per second.
    bucket.take(0);
    bucket.settle(0, 199);
    // Then read every 100 ms at 150 left, while each 100 ms one request spends a token and one refills.
    let remaining = 150;
    for (let t = 0; t <= 2000; t += 100) {
      bucket.take(t);
      remaining = remaining - 1 + 1; // one spent, one refilled in each 100 ms
      bucket.settle(t, remaining);
    }
    expect(bucket.state.refillPerSecond).toBeCloseTo(10, 0);
    // Empty it: the next request waits about 100 ms, not forever and not at once.
    bucket.settle(2100, 0);
    expect(bucket.waitInMs(2100)).toBeGreaterThanOrEqual(90);
    expect(bucket.waitInMs(2100)).toBeLessThanOrEqual(110);
  });

  it("a 429 empties and pauses the bucket for its Retry-After", () => {
    const bucket = createBucket("armReads");
    bucket.take(0);
    bucket.settle(0, 100);
    bucket.take(5);
    bucket.settle(5, undefined, 3000);
    expect(bucket.waitInMs(5)).toBe(3000);
    expect(bucket.waitInMs(2000)).toBe(1005);
    expect(bucket.state.throttled).toBe(1);
  });

  it("without count headers (managed identity's), paces to what went through while it refused", () => {
    const bucket = createBucket("managedIdentityCreate", { initialBurst: 100 });
    // The first 429: one token per Retry-After is surely allowed.
    bucket.take(0);
    bucket.settle(0, undefined, 1000);
    expect(bucket.state.refillPerSecond).toBeCloseTo(1, 5);
    // Then 4 a second go through (the bucket's real rate) until the next 429 sets the pace to it.
    for (let i = 1; i <= 20; i++) {
      bucket.take(1000 + i * 250);
      bucket.settle(1000 + i * 250, undefined);
    }
    bucket.take(6100);
    bucket.settle(6100, undefined, 250);
    expect(bucket.state.refillPerSecond).toBeCloseTo(4, 0);
  });

  it("refusals that come as failed operations: the pace is what ended well, timed by when those writes were answered", () => {
    const bucket = createBucket("managedIdentityCreate", { initialBurst: 100 });
    bucket.take(0);
    bucket.settle(0, undefined);
    // The first operation ends refused, seconds later: a pause of one token's time.
    bucket.refusedLate(7000, 1000);
    expect(bucket.state.throttled).toBe(1);
    expect(bucket.waitInMs(7000)).toBe(1000);
    expect(bucket.state.refillPerSecond).toBeCloseTo(1, 5);
    // From now on an answer says nothing: 80 writes answered 100 ms apart (10 a second) do not raise the pace...
    for (let i = 0; i < 80; i++) {
      bucket.take(8000 + i * 100);
      bucket.settle(8000 + i * 100, undefined);
    }
    expect(bucket.state.refillPerSecond).toBeCloseTo(1, 5);
    // ...their operations do: every other one ended well (5 a second went through), all seen by one sweep at once.
    for (let i = 0; i < 80; i++) {
      if (i % 2 === 0) bucket.succeeded(20_000);
      else bucket.refusedLate(20_000, 1000);
    }
    // The next fresh refusal sets the pace to what went through, as answered (5 a second), not as the sweep saw it.
    bucket.refusedLate(30_000, 1000);
    expect(bucket.state.refillPerSecond).toBeCloseTo(5, 0);
  });
});

describe("what a request spends", () => {
  it("classifies by method and path: ARM's bucket, the class Compute's policies are learned for, the resource", () => {
    const vm = "https://management.azure.com/subscriptions/S/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1";
    expect(classify("PATCH", `${vm}?api-version=1`)).toEqual({ subscription: "s", arm: "writes", key: "PATCH vm", resource: "/subscriptions/s/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1" });
    expect(classify("GET", `${vm}/extensions/x?api-version=1`)).toMatchObject({ arm: "reads", key: "GET vm-extension" });
    expect(classify("DELETE", `${vm}/extensions/x?api-version=1`)).toMatchObject({ arm: "deletes", key: "DELETE vm-extension" });
    expect(classify("GET", "https://h/subscriptions/S/providers/Microsoft.Compute/virtualMachines?api-version=1")).toMatchObject({ key: "GET vm-list" });
    expect(classify("GET", "https://h/subscriptions/S/providers/Microsoft.Compute/locations/westus/operations/op1?api-version=1")).toMatchObject({ key: "GET operation", arm: "reads" });
    expect(classify("POST", "https://h/providers/Microsoft.ResourceGraph/resources?api-version=1")).toEqual({ key: "POST resources" });
  });

  it("parses x-ms-ratelimit-remaining-resource generically, per subscription and per resource", () => {
    expect(parseComputeRemaining("Microsoft.Compute/UpdateVMSubscriptionMaximum;1498,Microsoft.Compute/UpdateVMResource;10")).toEqual([
      { policy: "UpdateVMSubscriptionMaximum", remaining: 1498, perResource: false },
      { policy: "UpdateVMResource", remaining: 10, perResource: true },
    ]);
    expect(parseComputeRemaining("garbage, Microsoft.Compute/GetOperationResource;44")).toEqual([{ policy: "GetOperationResource", remaining: 44, perResource: true }]);
    expect(parseComputeRemaining(undefined)).toEqual([]);
  });
});
