/** The emulator's clock: timeScale and operationDurationMs, driven by a hand-moved real-time source. */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import { call, manualClock, vmPath } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm?.close());

let time = manualClock();
async function start(options: FakeArmOptions = {}): Promise<FakeArm> {
  time = manualClock();
  arm = await startFakeArm({ clock: time.now, ...options });
  arm.addVms(2, { resourceGroup: "rg", location: "westeurope", osType: "Linux" });
  return arm;
}

const enableSystem = (vm = "vm-0") => call(arm, "PATCH", vmPath(arm, "rg", vm), { body: { identity: { type: "SystemAssigned" } } });

describe("timeScale", () => {
  it("runs the emulator's clock that many times faster", async () => {
    await start({ timeScale: 60 });
    const before = arm.now();
    time.advance(1000);
    expect(arm.now() - before).toBe(60_000);
  });

  it("shrinks Retry-After by the factor and sends the exact wait as retry-after-ms", async () => {
    await start({ timeScale: 60, limits: "azure", budgets: { computeUpdateVm: { resource: { bucket: 1, refillPerSecond: 4 / 60 } } } });
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm-0"), { body: {} })).status).toBe(200);
    arm.completeOperations();
    const throttled = await call(arm, "PATCH", vmPath(arm, "rg", "vm-0"), { body: {} });
    expect(throttled.status).toBe(429);
    // 15 s of emulator time is 250 ms of real time.
    expect(throttled.headers.get("retry-after-ms")).toBe("250");
    expect(throttled.headers.get("retry-after")).toBe("1");
    time.advance(249);
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm-0"), { body: {} })).status).toBe(429);
    time.advance(1);
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm-0"), { body: {} })).status).toBe(200);
  });

  it("refills ARM's buckets faster: 10 writes per emulator second", async () => {
    await start({ timeScale: 10, budgets: { armWrites: { bucket: 1, refillPerSecond: 10 } } });
    expect((await enableSystem("vm-0")).status).toBe(200);
    const throttled = await enableSystem("vm-1");
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after-ms")).toBe("100"); // ARM's 1 s, scaled
    time.advance(10); // 100 ms of emulator time: one token
    expect((await enableSystem("vm-1")).status).toBe(200);
  });

  it("scales the opted-in status Retry-After too", async () => {
    await start({ timeScale: 60, retryAfterSeconds: 30 });
    const url = (await enableSystem()).headers.get("azure-asyncoperation")!;
    const status = await call(arm, "GET", url);
    expect(status.headers.get("retry-after")).toBe("1");
    expect(status.headers.get("retry-after-ms")).toBe("500");
  });

  it("sends no retry-after-ms at timeScale 1", async () => {
    await start({ budgets: { armWrites: { bucket: 1, refillPerSecond: 1 } } });
    await enableSystem("vm-0");
    const throttled = await enableSystem("vm-1");
    expect(throttled.headers.get("retry-after")).toBe("1");
    expect(throttled.headers.get("retry-after-ms")).toBeNull();
  });

  it("rejects a non-positive factor", async () => {
    await expect(startFakeArm({ timeScale: 0 })).rejects.toThrow(/timeScale/);
    await expect(startFakeArm({ timeScale: Number.NaN })).rejects.toThrow(/timeScale/);
    await expect(startFakeArm({ clock: 5 as never })).rejects.toThrow(/clock/);
  });
});

describe("operationDurationMs", () => {
  it("keeps the operation InProgress and the VM Updating for that long, however often it is polled", async () => {
    await start({ operationDurationMs: 5000, pollsUntilDone: 0 });
    const reply = await enableSystem();
    const url = reply.headers.get("azure-asyncoperation")!;
    for (let i = 0; i < 5; i++) expect((await call(arm, "GET", url)).body.status).toBe("InProgress");
    expect(arm.getVm("rg", "vm-0")!.properties.provisioningState).toBe("Updating");
    expect((await enableSystem()).status).toBe(409);

    time.advance(4999);
    expect((await call(arm, "GET", url)).body.status).toBe("InProgress");
    time.advance(1);
    const done = await call(arm, "GET", url);
    expect(done.body.status).toBe("Succeeded");
    expect(Date.parse(done.body.endTime) - Date.parse(done.body.startTime)).toBe(5000);
    expect(arm.getVm("rg", "vm-0")!.properties.provisioningState).toBe("Succeeded");
  });

  it("runs on emulator time: 6 s of operation take 100 ms at timeScale 60", async () => {
    await start({ operationDurationMs: 6000, timeScale: 60 });
    const url = (await enableSystem()).headers.get("azure-asyncoperation")!;
    time.advance(99);
    expect((await call(arm, "GET", url)).body.status).toBe("InProgress");
    time.advance(1);
    expect((await call(arm, "GET", url)).body.status).toBe("Succeeded");
  });

  it("finishes operations that nobody polls: the VM accepts the next write", async () => {
    await start({ operationDurationMs: 3000 });
    await enableSystem();
    time.advance(3000);
    expect(arm.getVm("rg", "vm-0")!.properties.provisioningState).toBe("Succeeded");
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm-0"), { body: { identity: { type: "None" } } })).status).toBe(200);
  });

  it("0 ends operations at once; without it pollsUntilDone keeps its meaning", async () => {
    await start({ operationDurationMs: 0, pollsUntilDone: 3 });
    const url = (await enableSystem()).headers.get("azure-asyncoperation")!;
    expect((await call(arm, "GET", url)).body.status).toBe("Succeeded");

    await arm.close();
    await start({ pollsUntilDone: 2, autoCompleteAfterMs: Infinity });
    const other = (await enableSystem()).headers.get("azure-asyncoperation")!;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(arm, "GET", other)).body.status);
    expect(statuses).toEqual(["InProgress", "InProgress", "Succeeded"]);
  });

  it("autoCompleteAfterMs runs on emulator time too", async () => {
    await start({ pollsUntilDone: 100, autoCompleteAfterMs: 2000, timeScale: 10 });
    await enableSystem();
    time.advance(199);
    expect(arm.getVm("rg", "vm-0")!.properties.provisioningState).toBe("Updating");
    time.advance(1);
    expect(arm.getVm("rg", "vm-0")!.properties.provisioningState).toBe("Succeeded");
  });

  it("rejects a negative or infinite duration", async () => {
    await expect(startFakeArm({ operationDurationMs: -1 })).rejects.toThrow(/operationDurationMs/);
    await expect(startFakeArm({ operationDurationMs: Infinity })).rejects.toThrow(/operationDurationMs/);
  });
});
