import nock from "nock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidInputError, type RestError, TimeoutError, VmIdentityClient, isRestError } from "../../src/index.js";
import { capture } from "../support/capture.js";
import { API, ARM, SUB, fakeCredential, fastClient, vmBody, vmPath } from "../support/fakes.js";
import { advance, fakeClock, settle, until } from "../support/time.js";
import { useNock } from "../support/nock.js";

useNock();

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  nock.cleanAll();
});

const opPath = `/subscriptions/${SUB}/providers/Microsoft.Compute/locations/westus/operations/op1`;
const opUrl = `${ARM}${opPath}?api-version=${API}`;
const precondition = { error: { code: "PreconditionFailed", message: "etag mismatch" } };
const system = { type: "SystemAssigned", principalId: "p1", tenantId: "t1" };

describe("lost races: backoff, and a bound", () => {
  it("re-reads at once after the first 412, then waits conflictRetryDelayInMs (jittered), doubling; gives up after maxAttempts", async () => {
    fakeClock();
    // Jitter is half fixed, half random: with random() = 0 each wait is exactly half its ceiling.
    vi.spyOn(Math, "random").mockReturnValue(0);
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).times(10).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).times(10).reply(412, precondition, { "x-ms-request-id": "req-412" });
    const seen = capture(scope);
    const patchTimes: number[] = [];
    scope.on("request", (req: { method: string }) => {
      if (req.method === "PATCH") patchTimes.push(Date.now());
    });
    const started = Date.now();
    // Waits after PATCH n (n = 1..9): 0, then 500, 1000, 2000, 4000, 8000, 15000 (cap 30 s, half of it), 15000, 15000.
    const e = await settle(
      fastClient({ requestTimeoutInMs: 0 }).vm("rg", "vm1").enableSystemAssigned({ conflictRetryDelayInMs: 1000 }).catch((err: unknown) => err),
    );
    expect(isRestError(e)).toBe(true);
    expect((e as RestError).code).toBe("ConcurrencyRetriesExhausted");
    expect((e as RestError).statusCode).toBe(412);
    expect((e as Error).message).toContain("after 10 attempts");
    expect((e as Error).message).toContain("req-412");
    expect(seen.filter((r) => r.method === "PATCH")).toHaveLength(10);
    expect(seen.filter((r) => r.method === "GET")).toHaveLength(10);
    const gaps = patchTimes.map((t, i) => t - (i === 0 ? started : patchTimes[i - 1]!));
    const expected = [0, 0, 500, 1000, 2000, 4000, 8000, 15000, 15000, 15000];
    expect(gaps).toEqual(expected);
  });

  it("maxAttempts bounds the rounds; a single 412 followed by success is one re-plan, not an error", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(412, precondition)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2), { etag: '"2"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 3, { type: "SystemAssigned" }, "Updating"), { "azure-asyncoperation": opUrl })
      .get(opPath).query(true).reply(200, { status: "Succeeded" })
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 3, system));
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").enableSystemAssigned();
    expect(result).toMatchObject({ changed: true, attempts: 2 });
    expect(seen.filter((r) => r.method === "PATCH").map((r) => r.headers["if-match"])).toEqual(['"1"', '"2"']);
    nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).times(2).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).times(2).reply(412, precondition);
    const e = await fastClient().vm("rg", "vm1").enableSystemAssigned({ maxAttempts: 2 }).catch((err: unknown) => err);
    expect((e as RestError).code).toBe("ConcurrencyRetriesExhausted");
  });
});

describe("operation failures", () => {
  it("a Failed operation's error: its code, no 2xx statusCode, the status response attached", async () => {
    nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, undefined, "Updating"), { "azure-asyncoperation": opUrl })
      .get(opPath).query(true).reply(200, { status: "Failed", error: { code: "QuotaExceeded", message: "no more identities" } }, { "x-ms-request-id": "req-op" });
    const e = (await fastClient().vm("rg", "vm1").enableSystemAssigned().catch((err: unknown) => err)) as RestError;
    expect(e.code).toBe("QuotaExceeded");
    expect(e.statusCode).toBeUndefined();
    expect(e.response?.status).toBe(200);
    expect(e.response?.headers.get("x-ms-request-id")).toBe("req-op");
    expect(e.response?.request.headers.has("authorization")).toBe(false);
  });
});

describe("beginApply: a core-lro poller", () => {
  function flow() {
    return nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "SystemAssigned" }, "Updating"), { "azure-asyncoperation": opUrl });
  }

  it("returns the poller at once; isDone, operationState, serialize() and await work as in every Azure SDK", async () => {
    flow()
      .get(opPath).query(true).reply(200, { status: "InProgress" })
      .get(opPath).query(true).reply(200, { status: "Succeeded" })
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, system));
    const poller = fastClient().vm("rg", "vm1").identity().enableSystemAssigned().beginApply();
    expect(poller.isDone).toBe(false);
    await poller.submitted();
    expect(poller.operationState?.status).toBe("running");
    const state = JSON.parse(await poller.serialize()) as { state: { config: { operationLocation?: string } } };
    expect(state.state.config.operationLocation).toBe(opUrl);
    const result = await poller;
    expect(poller.isDone).toBe(true);
    expect(result.identity.systemAssigned).toEqual({ principalId: "p1", tenantId: "t1" });
    expect(await poller.pollUntilDone()).toEqual(result);
  });

  it("a failed operation rejects every later pollUntilDone() too", async () => {
    flow().get(opPath).query(true).reply(200, { status: "Failed", error: { code: "Boom", message: "no" } });
    const poller = fastClient().vm("rg", "vm1").identity().enableSystemAssigned().beginApply();
    await expect(poller.pollUntilDone()).rejects.toMatchObject({ code: "Boom" });
    await expect(poller.pollUntilDone()).rejects.toMatchObject({ code: "Boom" });
    await expect(poller).rejects.toMatchObject({ code: "Boom" });
  });

  it("bad options throw at once, before any request; a poller nobody awaits does not crash the process", async () => {
    const unhandled = vi.fn();
    process.on("unhandledRejection", unhandled);
    try {
      const builder = fastClient().vm("rg", "vm1").identity().enableSystemAssigned();
      expect(() => builder.beginApply({ maxAttempts: 0 })).toThrow(InvalidInputError);
      nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(404, { error: { code: "ResourceNotFound", message: "no" } });
      builder.beginApply();
      await until(() => nock.isDone(), "the read");
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off("unhandledRejection", unhandled);
    }
  });
});

describe("signals and deadlines", () => {
  it("many calls sharing one AbortSignal add no listener to it (no MaxListenersExceededWarning)", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on("warning", onWarning);
    try {
      const shared = new AbortController();
      const add = vi.spyOn(shared.signal, "addEventListener");
      nock(ARM).get(vmPath("rg", "vm1")).query(true).times(25).reply(200, vmBody("rg", "vm1", 1));
      const client = fastClient();
      await Promise.all(Array.from({ length: 25 }, () => client.vm("rg", "vm1").getIdentity({ abortSignal: shared.signal })));
      expect(add).not.toHaveBeenCalled();
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("a deadline is a TimeoutError, an abort an AbortError: two different things", async () => {
    fakeClock();
    nock(ARM).get(vmPath("rg", "vm1")).query(true).times(2).delay(60_000).reply(200, vmBody("rg", "vm1", 1));
    const client = fastClient();
    const timedOut = client.vm("rg", "vm1").getIdentity({ timeoutInMs: 100 }).catch((e: unknown) => e);
    const controller = new AbortController();
    const aborted = client.vm("rg", "vm1").getIdentity({ abortSignal: controller.signal, timeoutInMs: 10_000 }).catch((e: unknown) => e);
    await advance(100);
    controller.abort();
    const [t, a] = (await Promise.all([timedOut, aborted])) as Error[];
    expect(t).toBeInstanceOf(TimeoutError);
    expect(t!.name).toBe("TimeoutError");
    expect((t as TimeoutError).timeoutInMs).toBe(100);
    expect(a!.name).toBe("AbortError");
    expect(a).not.toBeInstanceOf(TimeoutError);
  });

  it("every ...InMs option refuses negative and non-numeric values, naming them, before any request", async () => {
    const vm = fastClient().vm("rg", "vm1");
    for (const bad of [-1, Number.NaN, Infinity, "5" as unknown as number]) {
      await expect(vm.getIdentity({ timeoutInMs: bad })).rejects.toMatchObject({ code: "InvalidOption", message: expect.stringContaining("timeoutInMs") });
      await expect(vm.getIdentity({ updateIntervalInMs: bad })).rejects.toMatchObject({ code: "InvalidOption" });
      await expect(vm.enableSystemAssigned({ conflictRetryDelayInMs: bad })).rejects.toMatchObject({ code: "InvalidOption" });
      expect(() => new VmIdentityClient(fakeCredential(), SUB, { requestTimeoutInMs: bad })).toThrow(/requestTimeoutInMs/);
      expect(() => new VmIdentityClient(fakeCredential(), SUB, { updateIntervalInMs: bad })).toThrow(/updateIntervalInMs/);
    }
  });
});

describe("api-versions", () => {
  it("a Compute api-version before 2018-06-01 (the identityIds era) is refused when the client is made", () => {
    for (const compute of ["2017-12-01", "2018-04-01", "2017-03-30"]) {
      expect(() => new VmIdentityClient(fakeCredential(), SUB, { apiVersions: { compute } })).toThrow(
        expect.objectContaining({ name: "InvalidInputError", code: "UnsupportedApiVersion", message: expect.stringContaining(compute) }),
      );
    }
    for (const compute of ["2018-06-01", "2024-11-01", "2025-04-01-preview"]) {
      expect(() => new VmIdentityClient(fakeCredential(), SUB, { apiVersions: { compute } })).not.toThrow();
    }
    expect(() => new VmIdentityClient(fakeCredential(), SUB, { apiVersions: { authorization: "yesterday" } })).toThrow(/apiVersions.authorization/);
  });
});
