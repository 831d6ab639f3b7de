/** ARM's front-door budgets: reads, writes and deletes per subscription and calling principal. */
import { afterEach, describe, expect, it } from "vitest";
import { AZURE_BUDGETS, startFakeArm, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import { call, GUID, manualClock, tokenOf, uaiPath, vmPath } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm?.close());

const READS = "x-ms-ratelimit-remaining-subscription-reads";
const WRITES = "x-ms-ratelimit-remaining-subscription-writes";
const DELETES = "x-ms-ratelimit-remaining-subscription-deletes";

async function start(options: FakeArmOptions = {}): Promise<FakeArm> {
  arm = await startFakeArm({ limits: "azure", pollsUntilDone: 0, ...options });
  arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
  return arm;
}

const getVm = (options = {}) => call(arm, "GET", vmPath(arm, "rg", "vm"), options);

describe("limits: 'azure', ARM reads", () => {
  it("start full at 250, count down on every GET, then answer 429 SubscriptionRequestsThrottled", async () => {
    const time = manualClock();
    // Compute's per-VM Low-cost GET budget (36) would bind first on one VM.
    await start({ clock: time.now, budgets: { computeLowCostGet: false } });
    const remaining: string[] = [];
    for (let i = 0; i < 250; i++) {
      const reply = await getVm();
      expect(reply.status).toBe(200);
      remaining.push(reply.headers.get(READS)!);
    }
    expect(remaining.slice(0, 3)).toEqual(["249", "248", "247"]);
    expect(remaining.at(-1)).toBe("0");

    const throttled = await getVm();
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe("SubscriptionRequestsThrottled");
    expect(throttled.body.error.message).toMatch(
      new RegExp(`^Number of 'read' requests for subscription '${arm.subscriptionId}' actor '[0-9a-f-]{36}' exceeded\\. Please try again after '1' seconds\\.$`),
    );
    expect(throttled.body.error.message).not.toContain(await tokenOf(arm));
    expect(throttled.headers.get("retry-after")).toBe("1");
    expect(throttled.headers.get("retry-after-ms")).toBeNull();
    expect(throttled.headers.get(READS)).toBe("0");
    expect(arm.stats.throttledBy.armReads).toBe(1);
    expect(arm.stats.throttled).toBe(1);
  });

  it("refill at 25 per second of emulator time", async () => {
    const time = manualClock();
    await start({ clock: time.now, budgets: { armReads: { ...AZURE_BUDGETS.armReads, bucket: 30 }, computeLowCostGet: false } });
    for (let i = 0; i < 30; i++) await getVm();
    expect((await getVm()).status).toBe(429);
    time.advance(39); // 0.975 tokens: not yet one
    expect((await getVm()).status).toBe(429);
    time.advance(1);
    expect((await getVm()).status).toBe(200);
    time.advance(1000);
    expect((await getVm()).headers.get(READS)).toBe("24");
  });

  it("charge status polls and list pages as reads", async () => {
    await start({ budgets: { armReads: { bucket: 10, refillPerSecond: 0.001 } } });
    const patch = await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: {} });
    const status = await call(arm, "GET", patch.headers.get("azure-asyncoperation")!);
    expect(status.headers.get(READS)).toBe("9");
    const list = await call(arm, "GET", `/subscriptions/${arm.subscriptionId}/providers/Microsoft.Compute/virtualMachines`);
    expect(list.headers.get(READS)).toBe("8");
  });

  it("are kept per calling principal", async () => {
    await start({ budgets: { armReads: { bucket: 2, refillPerSecond: 0.001 } } });
    await getVm();
    await getVm();
    expect((await getVm()).status).toBe(429);
    const other = arm.credentialFor("other-app");
    const theirs = await getVm({ credential: other });
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get(READS)).toBe("1");
    // The same name gives the same principal, and so the same bucket.
    expect((await getVm({ credential: arm.credentialFor("other-app") })).headers.get(READS)).toBe("0");
    const [mine, theirsThrottled] = [await getVm(), await getVm({ credential: other })];
    expect(mine.body.error.message).not.toEqual(theirsThrottled.body.error.message); // different actors
    expect(/actor '([^']+)'/.exec(theirsThrottled.body.error.message)![1]).toMatch(GUID);
  });

  it("are kept per subscription", async () => {
    arm = await startFakeArm({ limits: "azure", subscriptionIds: ["sub-a", "sub-b"], budgets: { armReads: { bucket: 1, refillPerSecond: 0.001 } } });
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux", subscriptionId: "sub-b" });
    expect((await getVm()).status).toBe(200);
    expect((await getVm()).status).toBe(429);
    const b = await call(arm, "GET", vmPath(arm, "rg", "vm").replace("sub-a", "sub-b"));
    expect(b.status).toBe(200);
    expect(b.headers.get(READS)).toBe("0");
  });

  it("do not charge requests to subscriptions the emulator does not serve", async () => {
    await start({ budgets: { armReads: { bucket: 1, refillPerSecond: 0.001 } } });
    for (let i = 0; i < 3; i++) {
      const reply = await call(arm, "GET", vmPath(arm, "rg", "vm").replace(arm.subscriptionId, "unknown"));
      expect(reply.status).toBe(404);
      expect(reply.headers.get(READS)).toBeNull();
    }
    expect((await getVm()).status).toBe(200);
  });
});

describe("limits: 'azure', ARM writes and deletes", () => {
  it("charge PUT and PATCH to writes (200, then 10/s) and DELETE to deletes (200, then 10/s), separately", async () => {
    const time = manualClock();
    await start({ clock: time.now });
    const put = await call(arm, "PUT", uaiPath(arm, "rg", "id"), { body: { location: "westeurope" } });
    expect(put.headers.get(WRITES)).toBe("199");
    expect(put.headers.get(READS)).toBeNull();
    const patch = await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: {} });
    expect(patch.headers.get(WRITES)).toBe("198");
    const del = await call(arm, "DELETE", uaiPath(arm, "rg", "id"));
    expect(del.headers.get(DELETES)).toBe("199");
    expect(del.headers.get(WRITES)).toBeNull();
  });

  it("answer 429 with Retry-After for the time to the next token, applying nothing", async () => {
    await start({ clock: manualClock().now, budgets: { armWrites: { bucket: 1, refillPerSecond: 0.25 }, armDeletes: { bucket: 1, refillPerSecond: 0.5 } } });
    expect((await call(arm, "PUT", uaiPath(arm, "rg", "a"), { body: { location: "westeurope" } })).status).toBe(201);
    const throttled = await call(arm, "PUT", uaiPath(arm, "rg", "b"), { body: { location: "westeurope" } });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.message).toMatch(/^Number of 'write' requests .* Please try again after '4' seconds\.$/);
    expect(throttled.headers.get("retry-after")).toBe("4");
    expect(arm.getUserAssignedIdentity("rg", "b")).toBeUndefined();

    expect((await call(arm, "DELETE", uaiPath(arm, "rg", "a"))).status).toBe(200);
    const deleteThrottled = await call(arm, "DELETE", uaiPath(arm, "rg", "x"));
    expect(deleteThrottled.status).toBe(429);
    expect(deleteThrottled.body.error.message).toContain("'delete' requests");
    expect(deleteThrottled.headers.get("retry-after")).toBe("2");
    expect(arm.stats.throttledBy).toMatchObject({ armWrites: 1, armDeletes: 1, armReads: 0 });
  });
});

describe("switches", () => {
  it("limits 'none' (the default) sends no budget headers and throttles nothing", async () => {
    arm = await startFakeArm({ pollsUntilDone: 0 });
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
    for (let i = 0; i < 300; i++) expect((await getVm()).status).toBe(200);
    const reply = await getVm();
    expect(reply.headers.get(READS)).toBeNull();
    expect(reply.headers.get("x-ms-ratelimit-remaining-resource")).toBeNull();
  });

  it("a budget set to false is off, the others stay", async () => {
    await start({ budgets: { armReads: false } });
    const reply = await getVm();
    expect(reply.headers.get(READS)).toBeNull();
    expect(reply.headers.get("x-ms-ratelimit-remaining-resource")).toContain("LowCostGet");
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: {} })).headers.get(WRITES)).toBe("199");
  });

  it("limits 'none' with one budget enforces only that one", async () => {
    arm = await startFakeArm({ budgets: { armWrites: { bucket: 5, refillPerSecond: 1 } } });
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
    expect((await getVm()).headers.get(READS)).toBeNull();
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: {} })).headers.get(WRITES)).toBe("4");
  });

  it("setThrottle keeps its meaning next to the budgets", async () => {
    await start();
    arm.setThrottle({ writesPerSecond: 0.001, burst: 1 });
    expect((await call(arm, "PUT", uaiPath(arm, "rg", "a"), { body: { location: "l" } })).status).toBe(201);
    const throttled = await call(arm, "PUT", uaiPath(arm, "rg", "b"), { body: { location: "l" } });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe("TooManyRequests");
  });

  it("publishes Azure's values, frozen", () => {
    expect(AZURE_BUDGETS.armReads).toEqual({ bucket: 250, refillPerSecond: 25 });
    expect(AZURE_BUDGETS.armWrites).toEqual({ bucket: 200, refillPerSecond: 10 });
    expect(AZURE_BUDGETS.computeUpdateVm).toEqual({ resource: { bucket: 12, refillPerSecond: 4 / 60 }, subscription: { bucket: 1500, refillPerSecond: 500 / 60 } });
    expect(AZURE_BUDGETS.managedIdentityCreate).toEqual({ bucket: 80, refillPerSecond: 4 });
    expect(AZURE_BUDGETS.resourceGraph).toEqual({ queries: 15, windowSeconds: 5 });
    expect(Object.isFrozen(AZURE_BUDGETS.computeUpdateVm.resource)).toBe(true);
  });

  it("rejects invalid budgets, naming them", async () => {
    await expect(startFakeArm({ budgets: { armReads: { bucket: 0, refillPerSecond: 1 } } })).rejects.toThrow(/budgets\.armReads\.bucket/);
    await expect(startFakeArm({ budgets: { armWrites: { bucket: 1, refillPerSecond: -1 } } })).rejects.toThrow(/refillPerSecond/);
    await expect(startFakeArm({ budgets: { computeUpdateVm: { resource: { bucket: 1 } as never } } })).rejects.toThrow(
      /budgets\.computeUpdateVm\.resource\.refillPerSecond/,
    );
    await expect(startFakeArm({ budgets: { resourceGraph: { queries: 1.5, windowSeconds: 5 } } })).rejects.toThrow(/queries/);
    await expect(startFakeArm({ budgets: { armReeds: false } as never })).rejects.toThrow(/unknown budget 'armReeds'/);
    await expect(startFakeArm({ limits: "azur" as never })).rejects.toThrow(/limits must be "none" or "azure"/);
  });
});
