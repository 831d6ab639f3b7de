import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { isInvalidInputError, isRestError } from "../../src/index.js";
import { capture } from "../support/capture.js";
import { ARM, SUB, fastClient, uaiId, vmBody, vmPath } from "../support/fakes.js";
import { useNock } from "../support/nock.js";

useNock();

afterEach(() => nock.cleanAll());

const X = uaiId("rg", "id-x");
const Y = uaiId("rg", "id-y");
const opPath = `/subscriptions/${SUB}/providers/Microsoft.Compute/locations/westus/operations/op`;
const opUrl = `${ARM}${opPath}?api-version=2024-11-01`;
const precondition = { error: { code: "PreconditionFailed", message: "The etag does not match." } };

describe("apply() under concurrent writers", () => {
  it("on 412 reads again and plans the same change on the new state", async () => {
    const scope = nock(ARM)
      // Read 1: system identity only.
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 4, { type: "SystemAssigned", principalId: "p", tenantId: "t" }), { etag: '"4"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(412, precondition)
      // Read 2: someone else disabled the system identity and attached Y meanwhile.
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 5, { type: "UserAssigned", userAssignedIdentities: { [Y]: { principalId: "py", clientId: "cy" } } }), { etag: '"5"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 6, undefined, "Updating"), { "azure-asyncoperation": opUrl })
      .get(opPath).query(true).reply(200, { status: "Succeeded" })
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 6, { type: "UserAssigned", userAssignedIdentities: { [Y]: {}, [X]: {} } }));
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").assignUserAssigned(X);
    const patches = seen.filter((r) => r.method === "PATCH");
    expect(patches[0]!.headers["if-match"]).toBe('"4"');
    expect(patches[0]!.body).toEqual({ identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [X]: {} } } });
    // The retry does not re-enable the system identity the other writer removed.
    expect(patches[1]!.headers["if-match"]).toBe('"5"');
    expect(patches[1]!.body).toEqual({ identity: { type: "UserAssigned", userAssignedIdentities: { [X]: {} } } });
    expect(result.attempts).toBe(2);
    expect(result.changed).toBe(true);
    expect(scope.isDone()).toBe(true);
  });

  it("on 409 ConflictingConcurrentWriteNotAllowed waits Retry-After and tries again", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true)
      .reply(409, { error: { code: "ConflictingConcurrentWriteNotAllowed", message: "Another write is in progress." } }, { "retry-after": "0" })
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2), { etag: '"2"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 3, { type: "SystemAssigned" }))
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 3, { type: "SystemAssigned", principalId: "p", tenantId: "t" }));
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").enableSystemAssigned();
    expect(result.attempts).toBe(2);
    expect(seen.filter((r) => r.method === "PATCH").map((r) => r.headers["if-match"])).toEqual(['"1"', '"2"']);
  });

  it("does not retry other 409s", async () => {
    nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(409, { error: { code: "OperationNotAllowed", message: "The VM is deallocating." } });
    const e = await fastClient().vm("rg", "vm1").enableSystemAssigned().catch((err: unknown) => err);
    expect(isRestError(e) && e.code).toBe("OperationNotAllowed");
  });

  it("stops after maxAttempts lost races", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).times(3).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).times(3).reply(412, precondition);
    const e = await fastClient().vm("rg", "vm1").enableSystemAssigned({ maxAttempts: 3 }).catch((err: unknown) => err);
    expect(isRestError(e) && e.statusCode).toBe(412);
    expect(scope.isDone()).toBe(true);
  });

  it("sends no If-Match under last-writer-wins", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "SystemAssigned" }))
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "SystemAssigned", principalId: "p", tenantId: "t" }));
    const seen = capture(scope);
    await fastClient().vm("rg", "vm1").enableSystemAssigned({ concurrency: "last-writer-wins" });
    expect(seen[1]!.headers["if-match"]).toBeUndefined();
  });

  it("sends no write for a no-op and one PATCH for several changes", async () => {
    const held = { type: "SystemAssigned, UserAssigned", principalId: "p", tenantId: "t", userAssignedIdentities: { [X.replace("/resourceGroups/", "/resourcegroups/")]: { principalId: "px", clientId: "cx" } } };
    const noop = nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, held), { etag: '"1"' });
    const noopSeen = capture(noop);
    const unchanged = await fastClient().vm("rg", "vm1").identity().enableSystemAssigned().assignUserAssigned(X.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/")).apply();
    expect(unchanged.changed).toBe(false);
    expect(noopSeen.map((r) => r.method)).toEqual(["GET"]);

    const several = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, held), { etag: '"1"' })
      // Disabling the system identity: its role assignments are read first (none here), to name any it orphans.
      .get(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments`).query(true).reply(200, { value: [] })
      .patch(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2))
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "UserAssigned", userAssignedIdentities: { [Y]: {} } }));
    const seen = capture(several);
    await fastClient().vm("rg", "vm1").identity().disableSystemAssigned().assignUserAssigned(Y).removeUserAssigned(X).apply();
    expect(seen.filter((r) => r.method === "PATCH")).toHaveLength(1);
    expect(seen[2]!.body).toEqual({
      identity: {
        type: "UserAssigned",
        userAssignedIdentities: { [Y]: {}, [X.replace("/resourceGroups/", "/resourcegroups/")]: null },
      },
    });
  });

  it("refuses to remove an id the VM does not hold, before any write", async () => {
    const scope = nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, { type: "SystemAssigned", principalId: "p", tenantId: "t" }), { etag: '"1"' });
    const seen = capture(scope);
    const e = await fastClient().vm("rg", "vm1").removeUserAssigned(X).catch((err: unknown) => err);
    expect(isInvalidInputError(e, "IdentityNotAssigned")).toBe(true);
    expect((e as Error).message).toContain(X);
    expect(seen.map((r) => r.method)).toEqual(["GET"]);
  });

  it("plan() reads and shows the exact PATCH without writing", async () => {
    const scope = nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 7), { etag: '"7"' });
    const seen = capture(scope);
    const plan = await fastClient().vm("rg", "vm1").identity().enableSystemAssigned().assignUserAssigned(X).plan();
    expect(plan.current).toEqual({ type: "None", userAssigned: [] });
    expect(plan.desired).toEqual({ type: "SystemAssigned, UserAssigned", userAssigned: [{ id: X }] });
    expect(plan.request).toEqual({
      method: "PATCH",
      url: `${ARM}${vmPath("rg", "vm1")}?api-version=2024-11-01`,
      headers: { accept: "application/json", "content-type": "application/json", "if-match": '"7"' },
      body: { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [X]: {} } } },
    });
    expect(JSON.stringify(plan).toLowerCase()).not.toContain("authorization");
    expect(seen.map((r) => r.method)).toEqual(["GET"]);
  });
});
