/** VM PUT (create/replace) and the conditional headers on PUT and PATCH. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm } from "../../src/testing/index.js";
import { call, GUID, pollToEnd, vmPath } from "./helpers.js";

let arm: FakeArm;
beforeEach(async () => {
  arm = await startFakeArm({ pollsUntilDone: 0, autoCompleteAfterMs: Infinity });
});
afterEach(async () => arm.close());

const definition = (extra: Record<string, unknown> = {}) => ({
  location: "westeurope",
  properties: { hardwareProfile: { vmSize: "Standard_B1s" }, storageProfile: { osDisk: { osType: "Windows" } } },
  ...extra,
});

const put = (body: unknown, headers?: Record<string, string>, name = "vm") =>
  call(arm, "PUT", vmPath(arm, "rg", name), { body, headers });

describe("PUT virtual machine", () => {
  it("creates: 201, Creating, ETag \"1\" and an operation; Succeeded once done", async () => {
    const reply = await put(definition({ tags: { a: "b" } }));
    expect(reply.status).toBe(201);
    expect(reply.headers.get("etag")).toBe('"1"');
    expect(reply.body).toMatchObject({
      id: `/subscriptions/${arm.subscriptionId}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm`,
      name: "vm",
      type: "Microsoft.Compute/virtualMachines",
      location: "westeurope",
      etag: '"1"',
      tags: { a: "b" },
      properties: {
        vmId: expect.stringMatching(GUID),
        provisioningState: "Creating",
        hardwareProfile: { vmSize: "Standard_B1s" },
        storageProfile: { osDisk: { osType: "Windows" } },
      },
    });
    expect(reply.body).not.toHaveProperty("identity");

    const statuses = await pollToEnd(arm, reply.headers.get("azure-asyncoperation")!);
    expect(statuses.at(-1).status).toBe("Succeeded");
    expect(arm.getVm("rg", "vm")!.properties.provisioningState).toBe("Succeeded");
  });

  it("defaults the OS to Linux", async () => {
    const reply = await put({ location: "westeurope" });
    expect(reply.status).toBe(201);
    expect(reply.body.properties.storageProfile.osDisk.osType).toBe("Linux");
  });

  it("creates with an identity; new user-assigned values appear after completion", async () => {
    const x = arm.addUserAssignedIdentity({ resourceGroup: "rg", name: "x", location: "westeurope" });
    const reply = await put(definition({ identity: { type: "SystemAssigned,UserAssigned", userAssignedIdentities: { [x]: {} } } }));
    expect(reply.status).toBe(201);
    expect(reply.body.identity).toMatchObject({
      type: "SystemAssigned, UserAssigned",
      principalId: expect.stringMatching(GUID),
      userAssignedIdentities: { [x]: {} },
    });
    await pollToEnd(arm, reply.headers.get("azure-asyncoperation")!);
    expect(arm.getVm("rg", "vm")!.identity!.userAssignedIdentities![x]).toEqual({
      principalId: arm.getUserAssignedIdentity("rg", "x")!.properties.principalId,
      clientId: arm.getUserAssignedIdentity("rg", "x")!.properties.clientId,
    });
  });

  it("replaces: 200, Updating, next ETag, same vmId; an omitted identity means none", async () => {
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Windows", identity: { type: "SystemAssigned" } });
    const vmId = arm.getVm("rg", "vm")!.properties.vmId;
    const reply = await put(definition());
    expect(reply.status).toBe(200);
    expect(reply.headers.get("etag")).toBe('"2"');
    expect(reply.body.properties.provisioningState).toBe("Updating");
    expect(reply.body.properties.vmId).toBe(vmId);
    expect(reply.body).not.toHaveProperty("identity");
  });

  it("accepts a GET body sent back, read-only properties included", async () => {
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux", identity: { type: "SystemAssigned" } });
    const current = arm.getVm("rg", "vm")!;
    const reply = await put(current, { "if-match": current.etag });
    expect(reply.status).toBe(200);
    expect(reply.body.identity.principalId).toBe(current.identity!.principalId);
    expect(reply.body.properties.vmId).toBe(current.properties.vmId);
  });

  it("requires a location: 400 LocationRequired", async () => {
    const reply = await put({ properties: {} });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: "LocationRequired", target: "location" });
    expect(arm.getVm("rg", "vm")).toBeUndefined();
  });

  it("rejects null user-assigned values (valid only in PATCH)", async () => {
    const x = arm.addUserAssignedIdentity({ resourceGroup: "rg", name: "x", location: "westeurope" });
    const reply = await put(definition({ identity: { type: "UserAssigned", userAssignedIdentities: { [x]: null } } }));
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("InvalidParameter");
    expect(reply.body.error.message).toMatch(/only in a PATCH/);
  });

  it("requires identity.type in a PUT", async () => {
    const reply = await put(definition({ identity: {} }));
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: "InvalidParameter", target: "identity.type" });
  });

  it("refuses another location or OS for an existing VM", async () => {
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Windows" });
    expect((await put(definition({ location: "eastus" }))).body.error.code).toBe("InvalidResourceLocation");
    const linux = definition({ properties: { storageProfile: { osDisk: { osType: "Linux" } } } });
    const reply = await put(linux);
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe("PropertyChangeNotAllowed");
  });

  it("rejects an unknown osType", async () => {
    const reply = await put({ location: "westeurope", properties: { storageProfile: { osDisk: { osType: "Plan9" } } } });
    expect(reply.status).toBe(400);
    expect(reply.body.error.target).toBe("properties.storageProfile.osDisk.osType");
  });
});

describe("conditional headers", () => {
  it("If-None-Match: * creates a missing VM and refuses an existing one with 412", async () => {
    expect((await put(definition(), { "if-none-match": "*" })).status).toBe(201);
    arm.completeOperations();
    const again = await put(definition(), { "if-none-match": "*" });
    expect(again.status).toBe(412);
    expect(again.body.error.code).toBe("PreconditionFailed");
    expect(arm.getVm("rg", "vm")!.etag).toBe('"1"');
  });

  it("If-Match with the current ETag succeeds, a stale one fails with 412", async () => {
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Windows" });
    const ok = await put(definition(), { "if-match": '"1"' });
    expect(ok.status).toBe(200);
    arm.completeOperations();

    const stale = await put(definition(), { "if-match": '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toEqual({ code: "PreconditionFailed", message: expect.stringContaining('"2"') });
    expect(arm.getVm("rg", "vm")!.etag).toBe('"2"');
  });

  it("If-Match on a missing VM fails with 412, even *", async () => {
    expect((await put(definition(), { "if-match": '"1"' })).status).toBe(412);
    expect((await put(definition(), { "if-match": "*" })).status).toBe(412);
    expect(arm.getVm("rg", "vm")).toBeUndefined();
  });

  it("If-Match: * matches any existing VM; a list matches any member", async () => {
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Windows" });
    expect((await put(definition(), { "if-match": "*" })).status).toBe(200);
    arm.completeOperations();
    expect((await put(definition(), { "if-match": '"9", "2"' })).status).toBe(200);
  });

  it("applies If-Match to PATCH", async () => {
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
    const body = { identity: { type: "SystemAssigned" } };
    const stale = await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body, headers: { "if-match": '"7"' } });
    expect(stale.status).toBe(412);
    expect(arm.getVm("rg", "vm")).not.toHaveProperty("identity");

    const current = await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body, headers: { "if-match": '"1"' } });
    expect(current.status).toBe(200);
    expect(current.headers.get("etag")).toBe('"2"');
  });

  it("answers 412 for a missing VM under If-Match before 404", async () => {
    const reply = await call(arm, "PATCH", vmPath(arm, "rg", "ghost"), { body: {}, headers: { "if-match": '"1"' } });
    expect(reply.status).toBe(412);
  });
});
