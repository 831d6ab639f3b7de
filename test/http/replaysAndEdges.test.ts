import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidInputError, isRestError } from "../../src/index.js";
import { capture } from "../support/capture.js";
import { ARM, SECRET_TOKEN, SUB, fastClient, uaiId, vmBody, vmPath } from "../support/fakes.js";

afterEach(() => nock.cleanAll());

const X = uaiId("rg", "id-x");
const busy = { error: { code: "ServerBusy", message: "try again" } };
const precondition = { error: { code: "PreconditionFailed", message: "etag mismatch" } };

describe("writes whose first attempt may have landed", () => {
  it("a PATCH replayed after a 503 and answered 412 is reported as changed, waited for and read back", async () => {
    const withX = (state: string, ids: Record<string, unknown>) =>
      vmBody("rg", "vm1", 2, { type: "SystemAssigned, UserAssigned", principalId: "p", tenantId: "t", userAssignedIdentities: ids }, state);
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, { type: "SystemAssigned", principalId: "p", tenantId: "t" }), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(503, busy)
      .patch(vmPath("rg", "vm1")).query(true).reply(412, precondition)
      // The first PATCH had landed: the re-read already shows X, still Updating.
      .get(vmPath("rg", "vm1")).query(true).reply(200, withX("Updating", { [X]: {} }), { etag: '"2"' })
      .get(vmPath("rg", "vm1")).query(true).reply(200, withX("Updating", { [X]: {} }))
      .get(vmPath("rg", "vm1")).query(true).reply(200, withX("Succeeded", { [X]: { principalId: "px", clientId: "cx" } }))
      .get(vmPath("rg", "vm1")).query(true).reply(200, withX("Succeeded", { [X]: { principalId: "px", clientId: "cx" } }));
    const result = await fastClient().vm("rg", "vm1").assignUserAssigned(X);
    expect(result.changed).toBe(true);
    expect(result.identity.userAssigned).toEqual([{ id: X, principalId: "px", clientId: "cx" }]);
    expect(scope.isDone()).toBe(true);
  });

  it("a create PUT replayed after a 503 and answered 412 waits for the VM it created", async () => {
    const def = { location: "westus", properties: { storageProfile: { osDisk: { osType: "Linux" } } } };
    const scope = nock(ARM)
      .put(vmPath("rg", "new")).query(true).reply(503, busy)
      .put(vmPath("rg", "new")).query(true).reply(412, precondition)
      .get(vmPath("rg", "new")).query(true).reply(200, vmBody("rg", "new", 1, { type: "SystemAssigned" }, "Creating"))
      .get(vmPath("rg", "new")).query(true).reply(200, vmBody("rg", "new", 1, { type: "SystemAssigned", principalId: "p", tenantId: "t" }))
      .get(vmPath("rg", "new")).query(true).reply(200, vmBody("rg", "new", 1, { type: "SystemAssigned", principalId: "p", tenantId: "t" }));
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "new").create(def).withSystemAssignedIdentity().apply();
    expect(result.identity.systemAssigned?.principalId).toBe("p");
    expect(seen.filter((r) => r.method === "PUT").every((r) => r.headers["if-none-match"] === "*")).toBe(true);
  });

  it("a create answered 412 at the first attempt is the caller's conflict, reported as such", async () => {
    nock(ARM).put(vmPath("rg", "taken")).query(true).reply(412, precondition);
    const e = await fastClient().vm("rg", "taken").create({ location: "westus" }).apply().catch((err: unknown) => err);
    expect(isRestError(e) && e.statusCode).toBe(412);
  });
});

describe("long-running edges", () => {
  it("follows provisioningState when a PATCH answers Updating without any operation header", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "SystemAssigned" }, "Updating"))
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "SystemAssigned" }, "Updating"))
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "SystemAssigned", principalId: "p", tenantId: "t" }))
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "SystemAssigned", principalId: "p", tenantId: "t" }));
    const result = await fastClient().vm("rg", "vm1").enableSystemAssigned();
    expect(result.identity.systemAssigned?.principalId).toBe("p");
    expect(scope.isDone()).toBe(true);
  });

  it("refuses to send the token to a status URL on another host", async () => {
    const other = nock("https://elsewhere.example").get(/.*/).reply(200, { status: "Succeeded" });
    const otherSeen = capture(other);
    nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true)
      .reply(200, vmBody("rg", "vm1", 2, undefined, "Updating"), { "azure-asyncoperation": "https://elsewhere.example/op?api-version=1" });
    const e = await fastClient().vm("rg", "vm1").enableSystemAssigned().catch((err: unknown) => err);
    expect(isRestError(e) && e.code).toBe("UntrustedPollingUrl");
    expect(otherSeen).toEqual([]);
    expect(String((e as Error).message)).not.toContain(SECRET_TOKEN);
  });
});

describe("inputs and absent resources", () => {
  it("msiExtension.get({ name }) on a VM that does not exist is an error, not undefined", async () => {
    nock(ARM)
      .get(`${vmPath("rg", "ghost")}/extensions/ManagedIdentityExtensionForLinux`).query(true)
      .reply(404, { error: { code: "ParentResourceNotFound", message: "no VM" } })
      .get(vmPath("rg", "ghost")).query(true).reply(404, { error: { code: "ResourceNotFound", message: "The VM was not found." } });
    const e = await fastClient().vm("rg", "ghost").msiExtension.get({ name: "ManagedIdentityExtensionForLinux" }).catch((err: unknown) => err);
    expect(isRestError(e) && e.code).toBe("ResourceNotFound");
  });

  it("malformed ids and options are coded input errors, not TypeErrors", async () => {
    const vm = fastClient().vm("rg", "vm1");
    expect(() => vm.identity().assignUserAssigned(undefined as never)).toThrow(InvalidInputError);
    expect(() => vm.identity().assignUserAssigned(42 as never)).toThrow(InvalidInputError);
    await expect(vm.assignUserAssigned(undefined as never)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(vm.msiExtension.remove(null as never)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(vm.msiExtension.get(null as never)).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("identities in a create definition are checked, not rewritten", () => {
    const vm = fastClient().vm("rg", "vm1");
    const cases: unknown[] = [
      { type: "SystemAssigned", userAssignedIdentities: { [X]: {} } },
      { type: "UserAssigned", userAssignedIdentities: { [X]: null } },
      { type: "UserAssigned", userAssignedIdentities: {} },
      { type: "Everything" },
      "SystemAssigned",
    ];
    for (const identity of cases) {
      expect(() => vm.create({ location: "westus", identity })).toThrow(expect.objectContaining({ code: "InvalidDefinition" }));
    }
    expect(() => vm.create({ location: "westus", identity: { type: "UserAssigned", userAssignedIdentities: { [X]: {} } } })).not.toThrow();
  });
});
