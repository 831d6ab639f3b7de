/** User-assigned identities: synchronous PUT/GET/DELETE and the seeding helpers. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_TENANT_ID, startFakeArm, type FakeArm } from "../../src/testing/index.js";
import { call, GUID, MSI_API, uaiPath, vmPath } from "./helpers.js";

let arm: FakeArm;
beforeEach(async () => {
  arm = await startFakeArm();
});
afterEach(async () => arm.close());

const put = (body: unknown, name = "id1") => call(arm, "PUT", uaiPath(arm, "rg", name), { body, apiVersion: MSI_API });

describe("PUT user-assigned identity", () => {
  it("creates synchronously: 201 with ids, and the id uses /resourcegroups/", async () => {
    const reply = await put({ location: "westeurope", tags: { owner: "me" } });
    expect(reply.status).toBe(201);
    expect(reply.headers.get("azure-asyncoperation")).toBeNull();
    expect(reply.body).toEqual({
      id: `/subscriptions/${arm.subscriptionId}/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`,
      name: "id1",
      type: "Microsoft.ManagedIdentity/userAssignedIdentities",
      location: "westeurope",
      tags: { owner: "me" },
      properties: {
        tenantId: DEFAULT_TENANT_ID,
        principalId: expect.stringMatching(GUID),
        clientId: expect.stringMatching(GUID),
      },
    });
    expect(reply.body.properties.principalId).not.toBe(reply.body.properties.clientId);
  });

  it("updates: 200, same principal and client, new tags", async () => {
    const created = await put({ location: "westeurope", tags: { a: "1" } });
    const updated = await put({ location: "westeurope", tags: { b: "2" } });
    expect(updated.status).toBe(200);
    expect(updated.body.properties).toEqual(created.body.properties);
    expect(updated.body.tags).toEqual({ b: "2" });
  });

  it("requires a location: 400 LocationRequired", async () => {
    const reply = await put({ tags: {} });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("LocationRequired");
  });

  it("refuses to move an existing identity", async () => {
    await put({ location: "westeurope" });
    const reply = await put({ location: "eastus" });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("InvalidResourceLocation");
  });

  it("uses the tenant given to startFakeArm", async () => {
    const other = await startFakeArm({ tenantId: "44444444-4444-4444-8444-444444444444" });
    try {
      const reply = await call(other, "PUT", uaiPath(other, "rg", "i"), { body: { location: "l" } });
      expect(reply.body.properties.tenantId).toBe("44444444-4444-4444-8444-444444444444");
    } finally {
      await other.close();
    }
  });
});

describe("GET and DELETE user-assigned identity", () => {
  it("GET returns what PUT returned", async () => {
    const created = await put({ location: "westeurope" });
    const reply = await call(arm, "GET", uaiPath(arm, "RG", "ID1"), { apiVersion: MSI_API });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(created.body);
    expect(arm.getUserAssignedIdentity("rg", "id1")).toEqual(created.body);
  });

  it("GET answers 404 ResourceNotFound when absent", async () => {
    const reply = await call(arm, "GET", uaiPath(arm, "rg", "nope"), { apiVersion: MSI_API });
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("ResourceNotFound");
  });

  it("DELETE answers 200, then 204 once absent", async () => {
    await put({ location: "westeurope" });
    const first = await call(arm, "DELETE", uaiPath(arm, "rg", "id1"), { apiVersion: MSI_API });
    expect(first.status).toBe(200);
    expect(arm.getUserAssignedIdentity("rg", "id1")).toBeUndefined();
    const second = await call(arm, "DELETE", uaiPath(arm, "rg", "id1"), { apiVersion: MSI_API });
    expect(second.status).toBe(204);
  });
});

describe("assigning an identity made over HTTP", () => {
  it("works with the VM-style /resourceGroups/ casing of its id", async () => {
    const created = await put({ location: "westeurope" });
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
    const id = created.body.id.replace("/resourcegroups/", "/resourceGroups/");
    const patch = await call(arm, "PATCH", vmPath(arm, "rg", "vm"), {
      body: { identity: { type: "UserAssigned", userAssignedIdentities: { [id]: {} } } },
    });
    expect(patch.status).toBe(200);
    arm.completeOperations();
    expect(arm.getVm("rg", "vm")!.identity!.userAssignedIdentities).toEqual({
      [id]: { principalId: created.body.properties.principalId, clientId: created.body.properties.clientId },
    });
  });
});

describe("arm.addUserAssignedIdentity", () => {
  it("returns the id and is idempotent", () => {
    const id = arm.addUserAssignedIdentity({ resourceGroup: "rg", name: "x", location: "westeurope", tags: { t: "1" } });
    expect(id).toBe(`/subscriptions/${arm.subscriptionId}/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x`);
    const principal = arm.getUserAssignedIdentity("rg", "x")!.properties.principalId;
    expect(arm.addUserAssignedIdentity({ resourceGroup: "RG", name: "X", location: "eastus" })).toBe(id);
    expect(arm.getUserAssignedIdentity("rg", "x")!.properties.principalId).toBe(principal);
    expect(arm.getUserAssignedIdentity("rg", "x")!.tags).toEqual({ t: "1" });
  });
});
