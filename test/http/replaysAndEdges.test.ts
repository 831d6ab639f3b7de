import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidInputError, type RestError, isRestError } from "../../src/index.js";
import { capture } from "../support/capture.js";
import { ARM, SECRET_TOKEN, SUB, fastClient, uaiId, vmBody, vmPath } from "../support/fakes.js";
import { useNock } from "../support/nock.js";

useNock();

afterEach(() => nock.cleanAll());

const X = uaiId("rg", "id-x");
const busy = { error: { code: "ServerBusy", message: "try again" } };
const precondition = { error: { code: "PreconditionFailed", message: "etag mismatch" } };

/** A connection reset: the attempt ended without any response, so it may have reached ARM. */
const lost = (): Error => Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });

describe("writes whose first attempt may have landed", () => {
  const withX = (state: string, ids: Record<string, unknown>) =>
    vmBody("rg", "vm1", 2, { type: "SystemAssigned, UserAssigned", principalId: "p", tenantId: "t", userAssignedIdentities: ids }, state);
  const before = () => vmBody("rg", "vm1", 1, { type: "SystemAssigned", principalId: "p", tenantId: "t" });

  it("a PATCH whose answer was lost, replayed and answered 412, is this call's own: waited for, read back, changed", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, before(), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).replyWithError(lost())
      .patch(vmPath("rg", "vm1")).query(true).reply(412, precondition)
      // The first PATCH had landed: the re-read already shows X, still Updating.
      .get(vmPath("rg", "vm1")).query(true).reply(200, withX("Updating", { [X]: {} }), { etag: '"2"' })
      .get(vmPath("rg", "vm1")).query(true).reply(200, withX("Succeeded", { [X]: { principalId: "px", clientId: "cx" } }));
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").assignUserAssigned(X);
    expect(result.changed).toBe(true);
    expect(result.identity.userAssigned).toEqual([{ id: X, principalId: "px", clientId: "cx" }]);
    expect(seen.map((r) => r.method)).toEqual(["GET", "PATCH", "PATCH", "GET", "GET"]);
    expect(scope.isDone()).toBe(true);
  });

  it("a removal whose answer was lost, replayed and answered 412, is this call's own too (the read no longer holds the id)", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, withX("Succeeded", { [X]: { principalId: "px", clientId: "cx" } }), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).replyWithError(lost())
      .patch(vmPath("rg", "vm1")).query(true).reply(412, precondition)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "SystemAssigned", principalId: "p", tenantId: "t" }, "Updating"), { etag: '"2"' })
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "SystemAssigned", principalId: "p", tenantId: "t" }));
    const result = await fastClient().vm("rg", "vm1").removeUserAssigned(X);
    expect(result).toMatchObject({ changed: true, identity: { type: "SystemAssigned", userAssigned: [] } });
    expect(scope.isDone()).toBe(true);
  });

  it("the same replay, when that landed write's operation ended Failed, rejects instead of reporting a change", async () => {
    nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, before(), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).replyWithError(lost())
      .patch(vmPath("rg", "vm1")).query(true).reply(412, precondition)
      .get(vmPath("rg", "vm1")).query(true).reply(200, withX("Updating", { [X]: {} }), { etag: '"2"' })
      .get(vmPath("rg", "vm1")).query(true).reply(200, withX("Failed", { [X]: {} }), { "x-ms-request-id": "req-failed" });
    const e = await fastClient().vm("rg", "vm1").assignUserAssigned(X).catch((err: unknown) => err);
    expect(isRestError(e)).toBe(true);
    expect((e as RestError).code).toBe("OperationFailed");
    expect((e as RestError).statusCode).toBeUndefined();
    expect((e as Error).message).toContain("ended Failed");
    expect((e as Error).message).toContain("req-failed");
    expect((e as RestError).response?.status).toBe(200);
  });

  it("a replay answered 409 (its own write still running) is waited for the same way", async () => {
    const conflict = { error: { code: "ConflictingConcurrentWriteNotAllowed", message: "busy" } };
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, before(), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).replyWithError(lost())
      .patch(vmPath("rg", "vm1")).query(true).reply(409, conflict)
      .get(vmPath("rg", "vm1")).query(true).reply(200, withX("Updating", { [X]: {} }), { etag: '"2"' })
      .get(vmPath("rg", "vm1")).query(true).reply(200, withX("Succeeded", { [X]: { principalId: "px", clientId: "cx" } }));
    const result = await fastClient().vm("rg", "vm1").assignUserAssigned(X, { conflictRetryDelayInMs: 0 });
    expect(result.changed).toBe(true);
    expect(scope.isDone()).toBe(true);
  });

  it("a 503 is a response: a 412 after it is another writer's change, re-planned, not taken for ours", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, before(), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(503, busy)
      .patch(vmPath("rg", "vm1")).query(true).reply(412, precondition)
      // Another writer added X: nothing is left for this call to do, and it did nothing.
      .get(vmPath("rg", "vm1")).query(true).reply(200, withX("Succeeded", { [X]: { principalId: "px", clientId: "cx" } }), { etag: '"2"' });
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").assignUserAssigned(X);
    expect(result.changed).toBe(false);
    expect(seen.map((r) => r.method)).toEqual(["GET", "PATCH", "PATCH", "GET"]);
  });

  it("a create PUT whose answer was lost, replayed and answered 412, waits for the VM it created", async () => {
    const def = { location: "westus", properties: { storageProfile: { osDisk: { osType: "Linux" } } } };
    const scope = nock(ARM)
      .put(vmPath("rg", "new")).query(true).replyWithError(lost())
      .put(vmPath("rg", "new")).query(true).reply(412, precondition)
      .get(vmPath("rg", "new")).query(true).reply(200, vmBody("rg", "new", 1, { type: "SystemAssigned" }, "Creating"))
      .get(vmPath("rg", "new")).query(true).reply(200, vmBody("rg", "new", 1, { type: "SystemAssigned", principalId: "p", tenantId: "t" }));
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "new").create(def).withSystemAssignedIdentity().apply();
    expect(result.identity.systemAssigned?.principalId).toBe("p");
    expect(seen.filter((r) => r.method === "PUT").every((r) => r.headers["if-none-match"] === "*")).toBe(true);
    expect(scope.isDone()).toBe(true);
  });

  it("a create answered 412 at the first attempt is the caller's conflict, reported as such", async () => {
    nock(ARM).put(vmPath("rg", "taken")).query(true).reply(412, precondition);
    const e = await fastClient().vm("rg", "taken").create({ location: "westus" }).apply().catch((err: unknown) => err);
    expect(isRestError(e) && e.statusCode).toBe(412);
  });

  it("a create whose replay answers 412 after a 503 (a response) is the caller's conflict too", async () => {
    nock(ARM)
      .put(vmPath("rg", "taken")).query(true).reply(503, busy)
      .put(vmPath("rg", "taken")).query(true).reply(412, precondition);
    const e = await fastClient().vm("rg", "taken").create({ location: "westus" }).apply().catch((err: unknown) => err);
    expect(isRestError(e) && e.statusCode).toBe(412);
  });

  const extPath = `${vmPath("rg", "vm1")}/extensions/ManagedIdentityExtensionForLinux`;
  const ext = (state: string) => ({ name: "ManagedIdentityExtensionForLinux", properties: { provisioningState: state } });

  it("an extension DELETE whose answer was lost and whose replay finds its own delete running (409) waits: removed", async () => {
    const scope = nock(ARM)
      .delete(extPath).query(true).replyWithError(lost())
      .delete(extPath).query(true).reply(409, { error: { code: "ConflictingConcurrentWriteNotAllowed", message: "deleting" } })
      .get(extPath).query(true).reply(200, ext("Deleting"))
      .get(extPath).query(true).reply(404, { error: { code: "NotFound", message: "gone" } });
    const result = await fastClient().vm("rg", "vm1").msiExtension.remove({ name: "ManagedIdentityExtensionForLinux" });
    expect(result).toEqual({ removed: true, name: "ManagedIdentityExtensionForLinux" });
    expect(scope.isDone()).toBe(true);
  });

  it("an extension DELETE whose answer was lost and whose replay finds it gone (204) reports removed: true", async () => {
    nock(ARM).delete(extPath).query(true).replyWithError(lost()).delete(extPath).query(true).reply(204);
    const result = await fastClient().vm("rg", "vm1").msiExtension.remove({ name: "ManagedIdentityExtensionForLinux" });
    expect(result.removed).toBe(true);
  });

  it("...unless the VM read before the DELETE showed there was no such extension", async () => {
    nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, { ...vmBody("rg", "vm1", 1), resources: [] })
      .delete(extPath).query(true).replyWithError(lost())
      .delete(extPath).query(true).reply(204);
    const result = await fastClient().vm("rg", "vm1").msiExtension.remove();
    expect(result.removed).toBe(false);
  });

  it("an extension PUT whose answer was lost and whose replay finds its own PUT running (409) is followed to its end", async () => {
    const scope = nock(ARM)
      .put(extPath).query(true).replyWithError(lost())
      .put(extPath).query(true).reply(409, { error: { code: "ConflictingConcurrentWriteNotAllowed", message: "busy" } })
      .get(extPath).query(true).reply(200, ext("Creating"))
      .get(extPath).query(true).reply(200, ext("Failed"));
    const e = await fastClient().vm("rg", "vm1").msiExtension.install({ os: "Linux", location: "westus" }).catch((err: unknown) => err);
    expect((e as RestError).code).toBe("OperationFailed");
    expect(scope.isDone()).toBe(true);
  });

  it("a 409 to a PUT with no unanswered attempt is someone else's write: an error, not waited for", async () => {
    nock(ARM).put(extPath).query(true).reply(409, { error: { code: "ConflictingConcurrentWriteNotAllowed", message: "busy" } });
    const e = await fastClient().vm("rg", "vm1").msiExtension.install({ os: "Linux", location: "westus" }).catch((err: unknown) => err);
    expect(isRestError(e) && e.statusCode).toBe(409);
  });
});

describe("long-running edges", () => {
  it("follows provisioningState when a PATCH answers Updating without any operation header", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "SystemAssigned" }, "Updating"))
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "SystemAssigned" }, "Updating"))
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
