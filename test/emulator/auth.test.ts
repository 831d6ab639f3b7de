import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_SUBSCRIPTION_ID, startFakeArm, type FakeArm } from "../../src/testing/index.js";
import { call, GUID, vmPath } from "./helpers.js";

let arm: FakeArm;
beforeEach(async () => {
  arm = await startFakeArm();
  arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
});
afterEach(async () => arm.close());

describe("authentication", () => {
  it("hands out a bearer token valid for an hour", async () => {
    const before = Date.now();
    const token = await arm.credential.getToken("https://management.azure.com/.default");
    expect(token?.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(token!.expiresOnTimestamp).toBeGreaterThanOrEqual(before + 59 * 60 * 1000);
  });

  it("rejects a request without Authorization with 401 AuthenticationFailed", async () => {
    const reply = await call(arm, "GET", vmPath(arm, "rg", "vm1"), { anonymous: true });
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe("AuthenticationFailed");
    expect(reply.body.error.message).toMatch(/Authorization/);
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it.each([
    ["a wrong token", "Bearer not-the-token"],
    ["another scheme", "Basic dXNlcjpwYXNz"],
    ["an empty bearer", "Bearer "],
  ])("rejects %s with 401", async (_what, authorization) => {
    const reply = await call(arm, "GET", vmPath(arm, "rg", "vm1"), { headers: { authorization } });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ error: { code: "AuthenticationFailed", message: expect.any(String) } });
  });

  it("rejects the token of another emulator", async () => {
    const other = await startFakeArm();
    try {
      const foreign = (await other.credential.getToken("x"))!.token;
      const reply = await call(arm, "GET", vmPath(arm, "rg", "vm1"), { headers: { authorization: `Bearer ${foreign}` } });
      expect(reply.status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it("accepts the scheme case-insensitively", async () => {
    const token = (await arm.credential.getToken("x"))!.token;
    const reply = await call(arm, "GET", vmPath(arm, "rg", "vm1"), { headers: { authorization: `bearer ${token}` } });
    expect(reply.status).toBe(200);
  });

  it("checks authentication before the api-version", async () => {
    const reply = await call(arm, "GET", vmPath(arm, "rg", "vm1"), { anonymous: true, apiVersion: null });
    expect(reply.status).toBe(401);
  });
});

describe("api-version", () => {
  it("answers 400 MissingApiVersionParameter without one", async () => {
    const reply = await call(arm, "GET", vmPath(arm, "rg", "vm1"), { apiVersion: null });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("MissingApiVersionParameter");
  });

  it("treats an empty api-version as missing", async () => {
    const reply = await call(arm, "GET", `${vmPath(arm, "rg", "vm1")}?api-version=`, { apiVersion: null });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("MissingApiVersionParameter");
  });

  it.each(["2024-11-01", "2026-03-01", "1999-01-01-preview"])("accepts any value (%s)", async (apiVersion) => {
    const reply = await call(arm, "GET", vmPath(arm, "rg", "vm1"), { apiVersion });
    expect(reply.status).toBe(200);
  });
});

describe("tracing headers", () => {
  it("sends a fresh x-ms-request-id on every response, errors included", async () => {
    const a = await call(arm, "GET", vmPath(arm, "rg", "vm1"));
    const b = await call(arm, "GET", vmPath(arm, "rg", "nope"));
    const c = await call(arm, "GET", vmPath(arm, "rg", "vm1"), { anonymous: true });
    const ids = [a, b, c].map((r) => r.headers.get("x-ms-request-id"));
    for (const id of ids) expect(id).toMatch(GUID);
    expect(new Set(ids).size).toBe(3);
  });

  it("echoes x-ms-correlation-request-id, or makes one up", async () => {
    const echoed = await call(arm, "GET", vmPath(arm, "rg", "vm1"), {
      headers: { "x-ms-correlation-request-id": "my-correlation" },
    });
    expect(echoed.headers.get("x-ms-correlation-request-id")).toBe("my-correlation");
    const fresh = await call(arm, "GET", vmPath(arm, "rg", "vm1"));
    expect(fresh.headers.get("x-ms-correlation-request-id")).toMatch(GUID);
  });

  it("echoes x-ms-client-request-id", async () => {
    const reply = await call(arm, "GET", vmPath(arm, "rg", "vm1"), { headers: { "x-ms-client-request-id": "abc" } });
    expect(reply.headers.get("x-ms-client-request-id")).toBe("abc");
  });
});

describe("routing", () => {
  it("listens on 127.0.0.1 and serves the default subscription", () => {
    expect(arm.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(arm.subscriptionId).toBe(DEFAULT_SUBSCRIPTION_ID);
    expect(DEFAULT_SUBSCRIPTION_ID).toMatch(GUID);
  });

  it("answers an unknown route with 404 and an ARM error body", async () => {
    const reply = await call(arm, "GET", "/providers/Microsoft.Nothing/things");
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("NotFound");
    expect(reply.body.error.message).toContain("/providers/Microsoft.Nothing/things");
  });

  it("answers 404 SubscriptionNotFound for another subscription", async () => {
    const path = vmPath(arm, "rg", "vm1").replace(arm.subscriptionId, "11111111-1111-4111-8111-111111111111");
    const reply = await call(arm, "GET", path);
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("SubscriptionNotFound");
  });

  it("answers 405 for a method a resource does not support", async () => {
    const reply = await call(arm, "POST", vmPath(arm, "rg", "vm1"), { body: {} });
    expect(reply.status).toBe(405);
    expect(reply.body.error.code).toBe("MethodNotAllowed");
    expect(reply.headers.get("allow")).toBe("GET, PUT, PATCH");
  });

  it("matches paths case-insensitively", async () => {
    const path = vmPath(arm, "RG", "VM1").toUpperCase();
    const reply = await call(arm, "GET", path);
    expect(reply.status).toBe(200);
    expect(reply.body.name).toBe("vm1");
  });

  it("decodes percent-encoded segments", async () => {
    arm.addVm({ resourceGroup: "rg.(one)", name: "vm-2", location: "westeurope", osType: "Linux" });
    const reply = await call(arm, "GET", vmPath(arm, "rg.%28one%29", "vm%2D2"));
    expect(reply.status).toBe(200);
    expect(reply.body.id).toContain("/resourceGroups/rg.(one)/");
  });

  it("honours a custom subscription id", async () => {
    const custom = await startFakeArm({ subscriptionId: "22222222-2222-4222-8222-222222222222" });
    try {
      const id = custom.addVm({ resourceGroup: "rg", name: "vm", location: "eastus", osType: "Linux" });
      expect(id).toBe(
        "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm",
      );
      expect((await call(custom, "GET", id)).status).toBe(200);
    } finally {
      await custom.close();
    }
  });

  it("rejects invalid options", async () => {
    await expect(startFakeArm({ pollsUntilDone: -1 })).rejects.toThrow(RangeError);
    await expect(startFakeArm({ retryAfterSeconds: 1.5 })).rejects.toThrow(/retryAfterSeconds/);
    await expect(startFakeArm({ subscriptionId: "a/b" })).rejects.toThrow(/subscriptionId/);
  });
});
