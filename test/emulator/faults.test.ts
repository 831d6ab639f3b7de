/** Injected faults: canned responses, connection resets and hung requests. */
import { request } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm } from "../../src/testing/index.js";
import { call, COMPUTE_API, GUID, tokenOf, vmPath } from "./helpers.js";

let arm: FakeArm;
beforeEach(async () => {
  arm = await startFakeArm();
  arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
});
afterEach(async () => arm.close());

const get = () => call(arm, "GET", vmPath(arm, "rg", "vm"));
const patch = () => call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: { identity: { type: "SystemAssigned" } } });

describe("response faults", () => {
  it("answer the next matching request with the canned response, once by default", async () => {
    arm.injectFault({ status: 500, body: { error: { code: "InternalServerError", message: "oops" } } });
    const faulted = await get();
    expect(faulted.status).toBe(500);
    expect(faulted.body).toEqual({ error: { code: "InternalServerError", message: "oops" } });
    expect(faulted.headers.get("x-ms-request-id")).toMatch(GUID);
    expect((await get()).status).toBe(200);
  });

  it("match on method and path (case-insensitively) and count down times", async () => {
    arm.injectFault({ method: "patch", pathIncludes: "VIRTUALMACHINES/VM", status: 503, times: 2, headers: { "Retry-After": "3" } });
    expect((await get()).status).toBe(200);
    const first = await patch();
    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBe("3");
    expect((await patch()).status).toBe(503);
    expect((await patch()).status).toBe(200);
  });

  it("can match the query string", async () => {
    arm.injectFault({ pathIncludes: "api-version=2099", status: 400 });
    expect((await get()).status).toBe(200);
    expect((await call(arm, "GET", vmPath(arm, "rg", "vm"), { apiVersion: "2099-01-01" })).status).toBe(400);
  });

  it("do not touch the state", async () => {
    arm.injectFault({ method: "PATCH", status: 200, body: {} });
    expect((await patch()).status).toBe(200);
    expect(arm.getVm("rg", "vm")).not.toHaveProperty("identity");
    expect(arm.getVm("rg", "vm")!.etag).toBe('"1"');
  });

  it("come before authentication, api-version and throttling", async () => {
    arm.setThrottle({ writesPerSecond: 0.001, burst: 1 });
    arm.injectFault({ status: 418, times: 3 });
    expect((await call(arm, "GET", vmPath(arm, "rg", "vm"), { anonymous: true })).status).toBe(418);
    expect((await call(arm, "GET", vmPath(arm, "rg", "vm"), { apiVersion: null })).status).toBe(418);
    expect((await patch()).status).toBe(418);
    // The faulted write took no token.
    expect((await patch()).status).toBe(200);
  });

  it("send a string body as text", async () => {
    arm.injectFault({ status: 502, body: "<html>Bad Gateway</html>" });
    const res = await fetch(`${arm.endpoint}${vmPath(arm, "rg", "vm")}?api-version=${COMPUTE_API}`);
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("<html>Bad Gateway</html>");
  });

  it("apply in the order injected; Infinity never runs out; clearFaults removes them", async () => {
    arm.injectFault({ status: 500, times: Infinity });
    arm.injectFault({ status: 503 });
    for (let i = 0; i < 5; i++) expect((await get()).status).toBe(500);
    arm.clearFaults();
    expect((await get()).status).toBe(200);
  });

  it("refuse a spec without a status, or with times < 1", () => {
    expect(() => arm.injectFault({} as never)).toThrow(TypeError);
    expect(() => arm.injectFault({ status: 500, times: 0 })).toThrow(RangeError);
  });
});

describe("connection faults", () => {
  it("reset destroys the socket: the client sees a connection error", async () => {
    arm.injectFault({ kind: "reset", method: "GET" });
    const error = await get().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error & { cause?: { code?: string } }).cause?.code)).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    expect(arm.requests.at(-1)).toMatchObject({ method: "GET", faulted: true, status: undefined });
    expect((await get()).status).toBe(200);
  });

  it("hang never answers: a client timeout fires", async () => {
    arm.injectFault({ kind: "hang" });
    const url = `${arm.endpoint}${vmPath(arm, "rg", "vm")}?api-version=${COMPUTE_API}`;
    const started = Date.now();
    await expect(
      fetch(url, { headers: { authorization: `Bearer ${await tokenOf(arm)}` }, signal: AbortSignal.timeout(50) }),
    ).rejects.toMatchObject({ name: "TimeoutError" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect((await get()).status).toBe(200);
  });

  it("close() ends a hung request instead of waiting for it", async () => {
    arm.injectFault({ kind: "hang" });
    const outcome = new Promise<string>((resolve) => {
      const req = request(`${arm.endpoint}${vmPath(arm, "rg", "vm")}?api-version=${COMPUTE_API}`, (res) =>
        resolve(`answered ${res.statusCode}`),
      );
      req.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.end();
    });
    await new Promise<void>((resolve) => {
      const wait = () => (arm.requests.length > 0 ? resolve() : setTimeout(wait, 2));
      wait();
    });
    await arm.close();
    expect(await outcome).toMatch(/ECONNRESET|socket hang up/);
  });
});
