/** The request log, the stats derived from it, reset() and close(). */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm } from "../../src/testing/index.js";
import { call, tokenOf, uaiPath, vmPath } from "./helpers.js";

let arm: FakeArm;
beforeEach(async () => {
  arm = await startFakeArm({ autoCompleteAfterMs: Infinity });
  arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
});
afterEach(async () => arm.close());

describe("arm.requests", () => {
  it("records method, absolute URL, lower-cased headers, parsed body and status", async () => {
    const before = Date.now();
    await call(arm, "PATCH", vmPath(arm, "rg", "vm"), {
      body: { identity: { type: "SystemAssigned" } },
      headers: { "If-Match": '"1"', "X-Custom": "yes" },
    });
    expect(arm.requests).toHaveLength(1);
    const [entry] = arm.requests;
    expect(entry).toEqual({
      method: "PATCH",
      url: `${arm.endpoint}${vmPath(arm, "rg", "vm")}?api-version=2024-11-01`,
      headers: expect.objectContaining({
        authorization: "Bearer REDACTED",
        "if-match": '"1"',
        "x-custom": "yes",
        "content-type": "application/json",
      }),
      body: { identity: { type: "SystemAssigned" } },
      receivedAt: expect.any(Number),
      status: 200,
      faulted: false,
    });
    expect(entry!.receivedAt).toBeGreaterThanOrEqual(before);
  });

  it("keeps a credential's scheme but never its value: no token reaches a printed log", async () => {
    const token = await tokenOf(arm);
    await call(arm, "GET", vmPath(arm, "rg", "vm"), { headers: { "x-ms-authorization-auxiliary": "Bearer aux-one, Bearer aux-two" } });
    await call(arm, "GET", vmPath(arm, "rg", "vm"), { headers: { authorization: token } });
    expect(arm.requests.map((q) => [q.headers["authorization"], q.headers["x-ms-authorization-auxiliary"]])).toEqual([
      ["Bearer REDACTED", "Bearer REDACTED, Bearer REDACTED"],
      ["REDACTED", undefined],
    ]);
    // The request was still authenticated by the real token; only the log forgets it.
    expect(arm.requests.map((q) => q.status)).toEqual([200, 401]);
    expect(JSON.stringify(arm.requests)).not.toContain(token);
  });

  it("records rejected, faulted and bodiless requests in order", async () => {
    arm.injectFault({ pathIncludes: "/faulted", status: 503 });
    await call(arm, "GET", vmPath(arm, "rg", "vm"), { anonymous: true });
    await call(arm, "GET", "/faulted");
    await call(arm, "PUT", uaiPath(arm, "rg", "x"), { body: "{oops" });
    expect(arm.requests.map((r) => [r.method, r.status, r.faulted])).toEqual([
      ["GET", 401, false],
      ["GET", 503, true],
      ["PUT", 400, false],
    ]);
    expect(arm.requests[0]!.body).toBeUndefined();
    expect(arm.requests[2]!.body).toBe("{oops");
  });

  it("is a live array that clearRequests() empties", async () => {
    const log = arm.requests;
    await call(arm, "GET", vmPath(arm, "rg", "vm"));
    expect(log).toHaveLength(1);
    arm.clearRequests();
    expect(log).toHaveLength(0);
    expect(arm.getVm("rg", "vm")).toBeDefined();
  });
});

describe("arm.stats", () => {
  it("counts requests, writes, applied writes, 409s, 412s, 429s and faults", async () => {
    const vm = vmPath(arm, "rg", "vm");
    await call(arm, "GET", vm);
    await call(arm, "PATCH", vm, { body: {} }); // 200, starts a write
    await call(arm, "PATCH", vm, { body: {} }); // 409
    await call(arm, "PATCH", vm, { body: {}, headers: { "if-match": '"1"' } }); // 412
    arm.injectFault({ status: 409 });
    await call(arm, "GET", vm); // faulted 409: not a conflict
    arm.setThrottle({ writesPerSecond: 0.001, burst: 1 });
    await call(arm, "PUT", uaiPath(arm, "rg", "x"), { body: { location: "l" } }); // 201
    await call(arm, "PUT", uaiPath(arm, "rg", "y"), { body: { location: "l" } }); // 429

    expect(arm.stats).toEqual({
      requests: 7,
      writes: 5,
      appliedWrites: 2,
      throttled: 1,
      conflicts: 1,
      preconditionFailed: 1,
      faulted: 1,
      byStatus: { 200: 2, 201: 1, 409: 2, 412: 1, 429: 1 },
      reads: 2,
      deletes: 0,
      throttledBy: {
        armReads: 0,
        armWrites: 0,
        armDeletes: 0,
        computeResource: 0,
        computeSubscription: 0,
        managedIdentity: 0,
        resourceGraph: 0,
      },
    });
  });
});

describe("reset and close", () => {
  it("reset() forgets resources, operations, requests, faults and the throttle", async () => {
    await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: {} });
    arm.injectFault({ status: 500 });
    arm.setThrottle({ writesPerSecond: 0.001, burst: 1 });
    arm.reset();

    expect(arm.requests).toHaveLength(0);
    expect(arm.getVm("rg", "vm")).toBeUndefined();
    expect((await call(arm, "GET", vmPath(arm, "rg", "vm"))).status).toBe(404);
    for (let i = 0; i < 3; i++) {
      expect((await call(arm, "PUT", uaiPath(arm, "rg", "x"), { body: { location: "l" } })).status).toBeLessThan(300);
    }
  });

  it("close() stops listening and can be called twice", async () => {
    const url = `${arm.endpoint}${vmPath(arm, "rg", "vm")}?api-version=2024-11-01`;
    await arm.close();
    await expect(fetch(url)).rejects.toThrow();
    await arm.close();
  });
});
