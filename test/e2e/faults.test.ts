import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeArm } from "../../src/testing/index.js";
import { AbortError, TimeoutError, isRestError, type VmIdentityClient } from "../../src/index.js";
import { emulatorWithClient, heldIds, writesOf } from "../support/emulator.js";

let arm: FakeArm;
let client: VmIdentityClient;
let uai: string;

beforeEach(async () => {
  ({ arm, client } = await emulatorWithClient({ pollsUntilDone: 1 }, { requestTimeoutInMs: 300 }));
  uai = arm.addUserAssignedIdentity({ resourceGroup: "rg", name: "app-id", location: "westus" });
  arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westus", osType: "Linux", identity: { type: "SystemAssigned" } });
});
afterEach(async () => arm.close());

/** Assign the identity and check the emulator holds exactly what was asked. */
async function assignAndVerify(): Promise<void> {
  const result = await client.vm("rg", "vm1").assignUserAssigned(uai, { timeoutInMs: 15_000 });
  expect(result.identity.type).toBe("SystemAssigned, UserAssigned");
  expect(heldIds(arm, "rg", "vm1")).toEqual([uai.toLowerCase()]);
  expect(arm.getVm("rg", "vm1")?.identity?.type).toBe("SystemAssigned, UserAssigned");
}

const where = {
  read: { method: "GET", pathIncludes: "virtualMachines/vm1?" },
  write: { method: "PATCH" },
  status: { method: "GET", pathIncludes: "/operations/" },
} as const;

describe("faults survived, with the final state right", () => {
  it("429 without Retry-After on the write", async () => {
    arm.injectFault({ ...where.write, status: 429, body: { error: { code: "TooManyRequests", message: "throttled" } }, times: 2 });
    await assignAndVerify();
    expect(writesOf(arm).map((w) => w.status)).toEqual([429, 429, 200]);
  });

  it("429 with Retry-After on the read", async () => {
    arm.injectFault({ ...where.read, status: 429, headers: { "retry-after": "0" }, body: { error: { code: "TooManyRequests", message: "throttled" } } });
    await assignAndVerify();
  });

  for (const status of [500, 502, 503, 504]) {
    for (const [place, match] of Object.entries(where)) {
      it(`${status} on the ${place}`, async () => {
        arm.injectFault({ ...match, status, body: { error: { code: "InternalServerError", message: "boom" } } });
        await assignAndVerify();
        if (place === "write") {
          // The PATCH was sent twice; both carried the same If-Match and the same body,
          // and the state holds the change once.
          const patches = writesOf(arm).filter((w) => w.method === "PATCH");
          expect(patches).toHaveLength(2);
          expect(patches[0]!.headers["if-match"]).toBe(patches[1]!.headers["if-match"]);
          expect(patches[0]!.body).toEqual(patches[1]!.body);
        }
      });
    }
  }

  for (const kind of ["reset", "hang"] as const) {
    for (const [place, match] of Object.entries(where)) {
      it(`a connection ${kind === "reset" ? "reset" : "that never answers (socket timeout)"} on the ${place}`, async () => {
        arm.injectFault({ ...match, kind });
        await assignAndVerify();
      });
    }
  }
});

describe("failures reported promptly, with their cause", () => {
  it("a status URL that answers 404", async () => {
    arm.injectFault({ ...where.status, status: 404, body: { error: { code: "OperationNotFound", message: "no such operation" } }, times: Infinity });
    const e = await client.vm("rg", "vm1").assignUserAssigned(uai).catch((err: unknown) => err);
    expect(isRestError(e)).toBe(true);
    expect((e as { code: string }).code).toBe("OperationNotFound");
    expect((e as Error).message).toContain("Could not read the status of PATCH");
    expect((e as Error).message).toContain("x-ms-request-id");
  });

  it("a status URL that answers garbage", async () => {
    arm.injectFault({ ...where.status, status: 200, body: "{not json", headers: { "content-type": "application/json" }, times: Infinity });
    const e = await client.vm("rg", "vm1").assignUserAssigned(uai).catch((err: unknown) => err);
    expect(isRestError(e)).toBe(true);
    expect((e as { code: string }).code).toBe("InvalidResponseBody");
    expect((e as Error).message).toContain("not JSON");
  });

  it("an operation that ends Failed: its code, and no retry", async () => {
    arm.failOperations({ code: "VMAgentStatusCommunicationError", message: "The VM agent did not respond.", times: 1 });
    const e = await client.vm("rg", "vm1").assignUserAssigned(uai).catch((err: unknown) => err);
    expect(isRestError(e)).toBe(true);
    expect((e as { code: string }).code).toBe("VMAgentStatusCommunicationError");
    expect((e as Error).message).toContain("The VM agent did not respond.");
    expect(writesOf(arm).filter((w) => w.method === "PATCH")).toHaveLength(1);
  });

  it("an operation that ends Canceled", async () => {
    arm.injectFault({ ...where.status, status: 200, body: { name: "op", status: "Canceled" } });
    const e = await client.vm("rg", "vm1").assignUserAssigned(uai).catch((err: unknown) => err);
    expect((e as { code: string }).code).toBe("OperationCanceled");
  });

  it("an operation that never ends, cut by timeoutInMs", async () => {
    arm.injectFault({ ...where.status, status: 200, body: { name: "op", status: "InProgress" }, headers: { "retry-after": "1" }, times: Infinity });
    const started = Date.now();
    const e = await client.vm("rg", "vm1").assignUserAssigned(uai, { timeoutInMs: 400 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as Error).name).toBe("TimeoutError");
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("an abort mid-poll", async () => {
    arm.injectFault({ ...where.status, status: 200, body: { name: "op", status: "InProgress" }, headers: { "retry-after": "5" }, times: Infinity });
    const controller = new AbortController();
    const pending = client.vm("rg", "vm1").assignUserAssigned(uai, { abortSignal: controller.signal }).catch((err: unknown) => err);
    while (!arm.requests.some((r) => r.url.includes("/operations/"))) await new Promise((r) => setTimeout(r, 5));
    const aborted = Date.now();
    controller.abort();
    const e = await pending;
    expect(e).toBeInstanceOf(AbortError);
    expect(Date.now() - aborted).toBeLessThan(500);
  });
});
