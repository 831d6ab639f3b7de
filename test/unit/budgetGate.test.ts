import { createHttpHeaders, createPipelineRequest, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createBudgetGate } from "../../src/fleet/budget/gate.js";
import { requestFacts } from "../../src/http/requestFacts.js";

const SUB = "https://management.azure.com/subscriptions/s1";
const vmUrl = (name: string) => `${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}?api-version=2024-11-01`;

function request(method: string, url: string, budgets?: string[]): PipelineRequest {
  const r = createPipelineRequest({ url, method: method as "GET" });
  if (budgets) requestFacts(r).budgets = budgets;
  return r;
}

function response(r: PipelineRequest, status: number, headers: Record<string, string>, body?: unknown): PipelineResponse {
  return { request: r, status, headers: createHttpHeaders(headers), bodyAsText: body === undefined ? "" : JSON.stringify(body) };
}

/** Admit and answer one request as ARM would. */
async function exchange(gate: ReturnType<typeof createBudgetGate>, r: PipelineRequest, status: number, headers: Record<string, string>, body?: unknown) {
  await gate.admit(r);
  gate.settle(r, response(r, status, headers, body));
}

afterEach(() => vi.useRealTimers());

describe("the budget gate", () => {
  it("holds writes once ARM's write bucket is spent, while reads go on", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const gate = createBudgetGate();
    await exchange(gate, request("PATCH", vmUrl("a")), 200, { "x-ms-ratelimit-remaining-subscription-writes": "0" });
    const write = request("PATCH", vmUrl("b"));
    let admitted = false;
    void gate.admit(write).then(() => (admitted = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(admitted).toBe(false);
    // A read is not queued behind the write.
    await exchange(gate, request("GET", vmUrl("c")), 200, { "x-ms-ratelimit-remaining-subscription-reads": "249" });
    expect(admitted).toBe(false);
    // Nothing refills an unmeasured bucket but news: the next report admits the write.
    await exchange(gate, request("GET", vmUrl("d")), 200, { "x-ms-ratelimit-remaining-subscription-reads": "248" });
    await vi.advanceTimersByTimeAsync(1000);
    expect(admitted).toBe(true);
  });

  it("learns the Compute policies a class of request reports, and waits on them from then on", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const gate = createBudgetGate();
    const compute = (sub: number, vm: number) => ({
      "x-ms-ratelimit-remaining-subscription-writes": "150",
      "x-ms-ratelimit-remaining-resource": `Microsoft.Compute/UpdateVMSubscriptionMaximum;${sub},Microsoft.Compute/UpdateVMResource;${vm}`,
    });
    await exchange(gate, request("PATCH", vmUrl("a")), 200, compute(0, 11));
    expect(Object.keys(gate.stats.budgets["s1"]!)).toContain("UpdateVMSubscriptionMaximum");
    let admitted = false;
    void gate.admit(request("PATCH", vmUrl("b"))).then(() => (admitted = true));
    await vi.advanceTimersByTimeAsync(20);
    expect(admitted).toBe(false); // Compute's subscription budget is empty, though ARM's has 150
  });

  it("a VM out of its own Compute budget steps aside: others' writes go by", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const gate = createBudgetGate();
    const headers = (vm: number) => ({
      "x-ms-ratelimit-remaining-subscription-writes": "150",
      "x-ms-ratelimit-remaining-resource": `Microsoft.Compute/UpdateVMSubscriptionMaximum;1000,Microsoft.Compute/UpdateVMResource;${vm}`,
    });
    await exchange(gate, request("PATCH", vmUrl("hot")), 200, headers(0));
    const order: string[] = [];
    const hot = request("PATCH", vmUrl("hot"));
    const cold = request("PATCH", vmUrl("cold"));
    void gate.admit(hot).then(() => order.push("hot"));
    void gate.admit(cold).then(() => order.push("cold"));
    await vi.advanceTimersByTimeAsync(5);
    expect(order).toEqual(["cold"]);
  });

  it("charges a 429 to the budget it came from, by ARM's and Compute's codes; the rest to the operation's own (managed identity)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const gate = createBudgetGate();
    await exchange(gate, request("GET", vmUrl("a")), 429, { "retry-after": "1" }, { error: { code: "SubscriptionRequestsThrottled", message: "reads" } });
    await exchange(gate, request("PATCH", vmUrl("b")), 429, { "retry-after": "1" }, { error: { code: "OperationNotAllowed", message: "UpdateVMSubscriptionMaximum" } });
    await exchange(gate, request("PATCH", vmUrl("c"), ["managedIdentityCreate"]), 429, { "retry-after": "2" }, { error: { code: "TooManyRequests", message: "identities" } });
    expect(gate.stats.throttledBy).toEqual({ armReads: 1, computeSubscription: 1, managedIdentity: 1 });
    // The identity budget is paused for its Retry-After; a PATCH that creates no identity is not.
    let plain = false;
    let creating = false;
    void gate.admit(request("PATCH", vmUrl("d"))).then(() => (plain = true));
    void gate.admit(request("PATCH", vmUrl("e"), ["managedIdentityCreate"])).then(() => (creating = true));
    await vi.advanceTimersByTimeAsync(1500);
    expect(plain).toBe(true);
    expect(creating).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(creating).toBe(true);
  });

  it("an abort while waiting rejects that request only", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const gate = createBudgetGate();
    await exchange(gate, request("PATCH", vmUrl("a")), 200, { "x-ms-ratelimit-remaining-subscription-writes": "0" });
    const controller = new AbortController();
    const waiting = createPipelineRequest({ url: vmUrl("b"), method: "PATCH", abortSignal: controller.signal });
    const outcome = gate.admit(waiting).then(() => "admitted", (e: Error) => e.name);
    controller.abort();
    expect(await outcome).toBe("AbortError");
  });
});
