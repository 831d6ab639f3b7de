/**
 * Role assignments on the wire, request by request: the role looked up, the
 * identity written, the principal read back, then the grant under its
 * deterministic name; found, exists, replication-delay retries (timed with
 * fake timers), 403 hints, replays, plans; orphans of a disable kept (with a
 * warning) or deleted first.
 */
import { AzureLogger, getLogLevel, setLogLevel } from "@azure/logger";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type RestError, TimeoutError, isInvalidInputError, isRestError, roleAssignmentName } from "../../src/index.js";
import { type CapturedRequest, capture } from "../support/capture.js";
import { API, ARM, SUB, fastClient, uaiId, vmBody, vmPath } from "../support/fakes.js";
import { fakeClock, settle } from "../support/time.js";
import { useNock } from "../support/nock.js";

useNock();

const AUTH_API = "2022-04-01";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const READER_ID = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`;
const DATA = `/subscriptions/${SUB}/resourceGroups/data`;
const P = "11111111-2222-3333-4444-555555555555";
const PX = "99999999-2222-3333-4444-555555555555";
// The assignment name of (DATA, P, Reader): pinned, since a name that changed between versions would grant twice.
const NAME = "eb226a45-c2de-50f7-b1ae-fda0fcbd7194";
const ASSIGNMENTS = `${DATA}/providers/Microsoft.Authorization/roleAssignments`;
const ASSIGNMENT_ID = `${ASSIGNMENTS}/${NAME}`;
const X = uaiId("rg", "id-x");
const opPath = `/subscriptions/${SUB}/providers/Microsoft.Compute/locations/westus/operations/op1`;
const opUrl = `${ARM}${opPath}?api-version=${API}`;
const system = (principalId = P) => ({ type: "SystemAssigned", principalId, tenantId: "t" });

const readerDefinition = { id: READER_ID, name: READER, type: "Microsoft.Authorization/roleDefinitions", properties: { roleName: "Reader", type: "BuiltInRole" } };
const assignmentBody = (id = ASSIGNMENT_ID, principalId = P, scope = DATA) => ({
  id,
  name: id.slice(id.lastIndexOf("/") + 1),
  type: "Microsoft.Authorization/roleAssignments",
  properties: { roleDefinitionId: READER_ID, principalId, principalType: "ServicePrincipal", scope },
});
const roleDefinitionsPath = (scope: string, name: string) =>
  `${scope}/providers/Microsoft.Authorization/roleDefinitions?$filter=${encodeURIComponent(`roleName eq '${name}'`).replace(/'/g, "%27")}&api-version=${AUTH_API}`;
const listPath = (principalId: string, scope = `/subscriptions/${SUB}`) =>
  `${scope}/providers/Microsoft.Authorization/roleAssignments?$filter=principalId%20eq%20%27${principalId}%27&api-version=${AUTH_API}`;
const vmUrlPath = `${vmPath("rg", "vm1")}?api-version=${API}`;
const lost = (): Error => Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });

const lines: string[] = [];
const originalLog = AzureLogger.log;
const originalLevel = getLogLevel();
beforeEach(() => {
  lines.length = 0;
  setLogLevel("info");
  AzureLogger.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
});
afterEach(() => {
  AzureLogger.log = originalLog;
  setLogLevel(originalLevel);
  vi.useRealTimers();
  vi.restoreAllMocks();
  nock.cleanAll();
});

/** The requests as `METHOD path` lines. */
const wire = (seen: CapturedRequest[]) => seen.map((r) => `${r.method} ${r.path}`);

/** ARM's answers to an identity PATCH that runs an operation, then the VM read back with `identity`. */
function patched(scope: nock.Scope, identity: unknown): nock.Scope {
  return scope
    .patch(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, undefined, "Updating"), { "azure-asyncoperation": opUrl })
    .get(opPath).query(true).reply(200, { status: "Succeeded" })
    .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, identity), { etag: '"2"' });
}

describe("enable and grant in one call", () => {
  it("reads the VM, looks the role up at its scope, PATCHes, reads the principal back, then PUTs the assignment under its derived name", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .get(`${DATA}/providers/Microsoft.Authorization/roleDefinitions`).query(true).reply(200, { value: [readerDefinition] });
    patched(scope, system())
      .put(`${ASSIGNMENTS}/${NAME}`).query(true).reply(201, assignmentBody(), { "x-ms-request-id": "req-put" });
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").identity().enableSystemAssigned().grant({ role: "Reader", scope: DATA }).apply();
    expect(wire(seen)).toEqual([
      `GET ${vmUrlPath}`,
      `GET ${roleDefinitionsPath(DATA, "Reader")}`,
      `PATCH ${vmUrlPath}`,
      `GET ${opPath}?api-version=${API}`,
      `GET ${vmUrlPath}`,
      // A principal that did not exist when the call began can hold no assignment: no look-up before the PUT.
      `PUT ${ASSIGNMENTS}/${NAME}?api-version=${AUTH_API}`,
    ]);
    const put = seen.at(-1)!;
    expect(put.body).toEqual({ properties: { roleDefinitionId: READER_ID, principalId: P, principalType: "ServicePrincipal" } });
    expect(put.headers["content-type"]).toBe("application/json");
    expect(new Set(seen.map((r) => r.headers["x-ms-correlation-request-id"])).size).toBe(1);
    expect(seen[0]!.headers["x-ms-correlation-request-id"]).toBe(result.correlationId);
    expect(result.roleAssignments).toEqual([
      { id: ASSIGNMENT_ID, role: "Reader", scope: DATA, principalId: P, roleDefinitionId: READER_ID, identity: "system", created: true },
    ]);
    expect(result.requestIds).toContain("req-put");
    expect(result.changed).toBe(true);
    expect(scope.isDone()).toBe(true);
  });

  it("a read back that shows no system principal (a read that raced the write) is read again before granting", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .get(`${DATA}/providers/Microsoft.Authorization/roleDefinitions`).query(true).reply(200, { value: [readerDefinition] });
    patched(scope, { type: "SystemAssigned" })
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, system()), { etag: '"2"' })
      .put(`${ASSIGNMENTS}/${NAME}`).query(true).reply(201, assignmentBody());
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").identity().enableSystemAssigned().grant({ role: "Reader", scope: DATA }).apply();
    expect(wire(seen).slice(-3)).toEqual([`GET ${vmUrlPath}`, `GET ${vmUrlPath}`, `PUT ${ASSIGNMENTS}/${NAME}?api-version=${AUTH_API}`]);
    expect(result.identity.systemAssigned?.principalId).toBe(P);
    expect(result.roleAssignments![0]!.principalId).toBe(P);
  });

  it("a principal that existed before: the assignment is looked up by its name, and nothing is written when it is there", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`${ASSIGNMENTS}/${NAME}`).query(true).reply(200, assignmentBody());
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").identity().enableSystemAssigned().grant({ role: READER, scope: DATA }).apply();
    expect(wire(seen)).toEqual([`GET ${vmUrlPath}`, `GET ${ASSIGNMENTS}/${NAME}?api-version=${AUTH_API}`]);
    expect(result.changed).toBe(false);
    expect(result.roleAssignments).toEqual([expect.objectContaining({ id: ASSIGNMENT_ID, role: READER, principalId: P, created: false })]);
  });

  it("a principal that existed, without the assignment (404): PUT; a 200 answer (ARM repeating one made meanwhile) is not reported as created", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).times(2).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`${ASSIGNMENTS}/${NAME}`).query(true).times(2).reply(404, { error: { code: "RoleAssignmentNotFound", message: "not found" } })
      .put(`${ASSIGNMENTS}/${NAME}`).query(true).reply(201, assignmentBody())
      .put(`${ASSIGNMENTS}/${NAME}`).query(true).reply(200, assignmentBody());
    const vm = fastClient().vm("rg", "vm1");
    const first = await vm.identity().grant({ role: READER_ID, scope: DATA }).apply();
    const second = await vm.identity().grant({ role: READER_ID, scope: DATA }).apply();
    expect(first.roleAssignments![0]!.created).toBe(true);
    expect(second.roleAssignments![0]!.created).toBe(false);
    expect(scope.isDone()).toBe(true);
  });

  it("a role by GUID is the scope's subscription's role definition id, and a full id is sent as given: no look-up either way", async () => {
    const other = "11111111-1111-1111-1111-111111111111";
    const otherScope = `/subscriptions/${other}/resourceGroups/kv`;
    const rootId = `/providers/Microsoft.Authorization/roleDefinitions/${READER}`;
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(/roleAssignments\/[0-9a-f-]+$/).query(true).times(2).reply(404, { error: { code: "RoleAssignmentNotFound", message: "not found" } })
      .put(/roleAssignments\/[0-9a-f-]+$/).query(true).times(2).reply(201, (uri) => assignmentBody(uri.split("?")[0]));
    const seen = capture(scope);
    const result = await fastClient()
      .vm("rg", "vm1")
      .identity()
      .grant({ role: READER.toUpperCase(), scope: otherScope })
      .grant({ role: rootId, scope: DATA })
      .apply();
    const puts = seen.filter((r) => r.method === "PUT");
    expect(puts.map((r) => (r.body as { properties: { roleDefinitionId: string } }).properties.roleDefinitionId)).toEqual([
      `/subscriptions/${other}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
      rootId,
    ]);
    expect(puts[0]!.path.startsWith(`${otherScope}/providers/Microsoft.Authorization/roleAssignments/`)).toBe(true);
    expect(seen.some((r) => r.path.includes("roleDefinitions"))).toBe(false);
    expect(result.roleAssignments!.map((a) => a.role)).toEqual([READER.toUpperCase(), rootId]);
  });

  it("a role name that matches none or several definitions at the scope is a coded error naming both, before any write", async () => {
    for (const [value, code] of [[[], "RoleNotFound"], [[readerDefinition, { ...readerDefinition, id: `${READER_ID.slice(0, -1)}0`, name: "x" }], "AmbiguousRole"]] as const) {
      const scope = nock(ARM)
        .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
        .get(`${DATA}/providers/Microsoft.Authorization/roleDefinitions`).query(true).reply(200, { value });
      const seen = capture(scope);
      const e = await fastClient().vm("rg", "vm1").identity().enableSystemAssigned().grant({ role: "Reader", scope: DATA }).apply().catch((err: unknown) => err);
      expect(isInvalidInputError(e, code)).toBe(true);
      expect((e as Error).message).toContain('"Reader"');
      expect((e as Error).message).toContain(DATA);
      expect(seen.map((r) => r.method)).toEqual(["GET", "GET"]);
      nock.cleanAll();
    }
  });

  it("409 RoleAssignmentExists (the same grant under another name) is done: created false, the existing assignment's id from the principal's list", async () => {
    const otherName = "0a0a0a0a-0000-4000-8000-000000000000";
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`${ASSIGNMENTS}/${NAME}`).query(true).reply(404, { error: { code: "RoleAssignmentNotFound", message: "not found" } })
      .put(`${ASSIGNMENTS}/${NAME}`).query(true).reply(409, { error: { code: "RoleAssignmentExists", message: "The role assignment already exists." } })
      .get(`${ASSIGNMENTS}`).query(true).reply(200, { value: [assignmentBody(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/${otherName}`, P, `/subscriptions/${SUB}`), assignmentBody(`${ASSIGNMENTS}/${otherName}`)] });
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").identity().grant({ role: READER, scope: DATA }).apply();
    expect(seen.at(-1)!.path).toBe(listPath(P, DATA));
    expect(result.roleAssignments).toEqual([expect.objectContaining({ id: `${ASSIGNMENTS}/${otherName}`, created: false })]);
  });

  it("grants to a user-assigned identity the change assigns, with the principal the VM reads back", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' });
    patched(scope, { type: "UserAssigned", userAssignedIdentities: { [X]: { principalId: PX, clientId: "cx" } } })
      .get(/roleAssignments\/[0-9a-f-]+$/).query(true).reply(404, { error: { code: "RoleAssignmentNotFound", message: "not found" } })
      .put(/roleAssignments\/[0-9a-f-]+$/).query(true).reply(201, (uri) => assignmentBody(uri.split("?")[0], PX));
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").identity().assignUserAssigned(X).grant({ role: READER, scope: DATA, identity: X.toLowerCase() }).apply();
    expect(seen.filter((r) => r.method === "PUT")[0]!.body).toEqual({ properties: { roleDefinitionId: READER_ID, principalId: PX, principalType: "ServicePrincipal" } });
    expect(result.roleAssignments![0]).toMatchObject({ identity: X, principalId: PX, created: true });
  });

  it("a grant for an identity the change leaves without it is refused after the read, before any write", async () => {
    for (const builder of [
      (vm: ReturnType<ReturnType<typeof fastClient>["vm"]>) => vm.identity().grant({ role: READER, scope: DATA }),
      (vm: ReturnType<ReturnType<typeof fastClient>["vm"]>) => vm.identity().enableSystemAssigned().disableSystemAssigned().grant({ role: READER, scope: DATA }),
      (vm: ReturnType<ReturnType<typeof fastClient>["vm"]>) => vm.identity().enableSystemAssigned().grant({ role: READER, scope: DATA, identity: X }),
    ]) {
      const scope = nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' });
      const seen = capture(scope);
      const e = await builder(fastClient().vm("rg", "vm1")).apply().catch((err: unknown) => err);
      expect(isInvalidInputError(e, "SystemIdentityNotEnabled") || isInvalidInputError(e, "IdentityNotAssigned")).toBe(true);
      expect(seen.map((r) => r.method)).toEqual(["GET"]);
      nock.cleanAll();
    }
  });

  it("honours apiVersions.authorization on every role request", async () => {
    const version = "2020-10-01-preview";
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`${DATA}/providers/Microsoft.Authorization/roleDefinitions`).query(true).reply(200, { value: [readerDefinition] })
      .get(`${ASSIGNMENTS}/${NAME}`).query(true).reply(404, { error: { code: "RoleAssignmentNotFound", message: "not found" } })
      .put(`${ASSIGNMENTS}/${NAME}`).query(true).reply(201, assignmentBody());
    const seen = capture(scope);
    await fastClient({ apiVersions: { authorization: version } }).vm("rg", "vm1").identity().grant({ role: "Reader", scope: DATA }).apply();
    const roleRequests = seen.filter((r) => r.path.includes("Microsoft.Authorization"));
    expect(roleRequests).toHaveLength(3);
    for (const r of roleRequests) expect(new URL(r.path, ARM).searchParams.get("api-version")).toBe(version);
  });
});

describe("a principal still replicating (400 PrincipalNotFound)", () => {
  const notFound = { error: { code: "PrincipalNotFound", message: `Principal ${P.replace(/-/g, "")} does not exist in the directory t.` } };
  const start = () =>
    nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`${ASSIGNMENTS}/${NAME}`).query(true).reply(404, { error: { code: "RoleAssignmentNotFound", message: "not found" } });

  it("retries the same PUT with jittered waits that double from replicationRetryDelayInMs, then reports the grant", async () => {
    fakeClock();
    // Half fixed, half random: with random() = 0 each wait is half its ceiling.
    vi.spyOn(Math, "random").mockReturnValue(0);
    const scope = start()
      .put(`${ASSIGNMENTS}/${NAME}`).query(true).times(4).reply(400, notFound)
      .put(`${ASSIGNMENTS}/${NAME}`).query(true).reply(201, assignmentBody());
    const seen = capture(scope);
    const times: number[] = [];
    scope.on("request", (req: { method: string }) => {
      if (req.method === "PUT") times.push(Date.now());
    });
    const result = await settle(fastClient({ requestTimeoutInMs: 0 }).vm("rg", "vm1").identity().grant({ role: READER, scope: DATA }).apply({ replicationRetryDelayInMs: 2000 }));
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([1000, 2000, 4000, 8000]);
    const puts = seen.filter((r) => r.method === "PUT");
    expect(new Set(puts.map((r) => r.path)).size).toBe(1);
    expect(new Set(puts.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(result.roleAssignments![0]!.created).toBe(true);
    expect(lines.filter((l) => l.includes("PrincipalNotFound"))).toHaveLength(4);
  });

  it("gives up after replicationTimeoutInMs with ARM's PrincipalNotFound, saying how long it tried", async () => {
    fakeClock();
    vi.spyOn(Math, "random").mockReturnValue(0);
    start().put(`${ASSIGNMENTS}/${NAME}`).query(true).times(20).reply(400, notFound);
    const e = await settle(
      fastClient({ requestTimeoutInMs: 0 })
        .vm("rg", "vm1")
        .identity()
        .grant({ role: READER, scope: DATA })
        .apply({ replicationRetryDelayInMs: 1000, replicationTimeoutInMs: 10_000 })
        .catch((err: unknown) => err),
    );
    expect(isRestError(e) && e.code).toBe("PrincipalNotFound");
    expect((e as RestError).statusCode).toBe(400);
    // Waits 500, 1000, 2000, 4000 (7.5 s); the next (8 s) would pass 10 s.
    expect((e as Error).message).toContain("after 5 attempts over 7500 ms");
  });

  it("never waits past the call's timeoutInMs", async () => {
    fakeClock();
    vi.spyOn(Math, "random").mockReturnValue(0);
    start().put(`${ASSIGNMENTS}/${NAME}`).query(true).times(20).reply(400, notFound);
    const e = await settle(fastClient({ requestTimeoutInMs: 0 }).vm("rg", "vm1").identity().grant({ role: READER, scope: DATA }).apply({ timeoutInMs: 5000 }).catch((err: unknown) => err));
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as Error).name).toBe("TimeoutError");
  });
});

describe("refusals and replays", () => {
  it("a 403 keeps ARM's code and status, and names the permission the grant needs", async () => {
    nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`${ASSIGNMENTS}/${NAME}`).query(true).reply(404, { error: { code: "RoleAssignmentNotFound", message: "not found" } })
      .put(`${ASSIGNMENTS}/${NAME}`).query(true).reply(403, { error: { code: "AuthorizationFailed", message: "The client does not have authorization." } }, { "x-ms-request-id": "req-403" });
    const e = (await fastClient().vm("rg", "vm1").identity().grant({ role: READER, scope: DATA }).apply().catch((err: unknown) => err)) as RestError;
    expect(isRestError(e)).toBe(true);
    expect(e.code).toBe("AuthorizationFailed");
    expect(e.statusCode).toBe(403);
    expect(e.message).toContain("Microsoft.Authorization/roleAssignments/write");
    expect(e.message).toMatch(/Owner.*User Access Administrator/);
    expect(e.message).toContain(DATA);
    expect(e.message).toContain("req-403");
  });

  it("a PUT whose answer was lost is sent again under the same name; its answer is this call's grant", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`${ASSIGNMENTS}/${NAME}`).query(true).reply(404, { error: { code: "RoleAssignmentNotFound", message: "not found" } })
      .put(`${ASSIGNMENTS}/${NAME}`).query(true).replyWithError(lost())
      .put(`${ASSIGNMENTS}/${NAME}`).query(true).reply(200, assignmentBody());
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").identity().grant({ role: READER, scope: DATA }).apply();
    const puts = seen.filter((r) => r.method === "PUT");
    expect(puts).toHaveLength(2);
    expect(puts[0]!.path).toBe(puts[1]!.path);
    expect(result.roleAssignments![0]!.created).toBe(true);
    expect(scope.isDone()).toBe(true);
  });
});

describe("plan()", () => {
  it("shows the PATCH and the PUT, with the principal of an identity not yet enabled pending; writes nothing", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 7), { etag: '"7"' })
      .get(`${DATA}/providers/Microsoft.Authorization/roleDefinitions`).query(true).reply(200, { value: [readerDefinition] });
    const seen = capture(scope);
    const plan = await fastClient().vm("rg", "vm1").identity().enableSystemAssigned().grant({ role: "Reader", scope: DATA }).plan();
    expect(seen.map((r) => r.method)).toEqual(["GET", "GET"]);
    expect(plan.requests.map((r) => r.method)).toEqual(["PATCH", "PUT"]);
    expect(plan.requests[0]).toEqual(plan.request);
    const put = plan.requests[1]!;
    expect(put.url).toBe(`${ARM}${ASSIGNMENTS}/<pending: derived from the scope, role and principal>?api-version=${AUTH_API}`);
    expect(put.body).toEqual({ properties: { roleDefinitionId: READER_ID, principalId: "<pending: system identity of virtual machine 'vm1'>", principalType: "ServicePrincipal" } });
    expect(plan.roleAssignments).toEqual([
      { role: "Reader", scope: DATA, roleDefinitionId: READER_ID, identity: "system", principalId: "<pending: system identity of virtual machine 'vm1'>", action: "pending" },
    ]);
  });

  it("for principals that exist: the PUT with its real name when the assignment is missing, none when it is there", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 7, { ...system(), type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [X]: { principalId: PX, clientId: "cx" } } }), { etag: '"7"' })
      .get(`${ASSIGNMENTS}/${NAME}`).query(true).reply(404, { error: { code: "RoleAssignmentNotFound", message: "not found" } })
      .get(/roleAssignments\/[0-9a-f-]+$/).query(true).reply(200, assignmentBody(`${ASSIGNMENTS}/x`, PX));
    const plan = await fastClient().vm("rg", "vm1").identity().grant({ role: READER, scope: DATA }).grant({ role: READER, scope: DATA, identity: X }).plan();
    expect(scope.isDone()).toBe(true);
    expect(plan.request).toBeUndefined();
    expect(plan.requests).toEqual([
      {
        method: "PUT",
        url: `${ARM}${ASSIGNMENTS}/${NAME}?api-version=${AUTH_API}`,
        headers: { accept: "application/json", "content-type": "application/json" },
        body: { properties: { roleDefinitionId: READER_ID, principalId: P, principalType: "ServicePrincipal" } },
      },
    ]);
    expect(plan.roleAssignments!.map((a) => a.action)).toEqual(["create", "exists"]);
  });
});

describe("disabling a system identity that holds role assignments", () => {
  const held = [assignmentBody(), assignmentBody(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/${NAME.replace("eb", "ec")}`, P, `/subscriptions/${SUB}`)];

  it("keep (default): reads them before the PATCH, names each in a warning and in orphanedRoleAssignments, deletes nothing", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments`).query(true).reply(200, { value: held });
    patched(scope, undefined);
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").disableSystemAssigned();
    expect(wire(seen).slice(0, 3)).toEqual([`GET ${vmUrlPath}`, `GET ${listPath(P)}`, `PATCH ${vmUrlPath}`]);
    expect(seen.some((r) => r.method === "DELETE")).toBe(false);
    expect(result.orphanedRoleAssignments!.map((a) => a.id)).toEqual(held.map((a) => a.id));
    expect(result.deletedRoleAssignments).toBeUndefined();
    const warnings = lines.filter((l) => l.includes("orphans role assignment"));
    expect(warnings).toHaveLength(2);
    for (const a of held) expect(warnings.some((w) => w.includes(a.id))).toBe(true);
  });

  it("delete: DELETEs each (200, or 204 when already gone) before the PATCH; plan() shows the same requests in order", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).times(2).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments`).query(true).times(2).reply(200, { value: held })
      .delete(`${ASSIGNMENTS}/${NAME}`).query(true).reply(200, held[0])
      .delete(new RegExp(`/roleAssignments/${NAME.replace("eb", "ec")}$`)).query(true).reply(204);
    patched(scope, undefined);
    const seen = capture(scope);
    const vm = fastClient().vm("rg", "vm1");
    const plan = await vm.identity().removeAll({ roleAssignments: "delete" }).plan();
    expect(plan.requests.map((r) => `${r.method} ${r.url.replace(ARM, "")}`)).toEqual([
      `DELETE ${held[0]!.id}?api-version=${AUTH_API}`,
      `DELETE ${held[1]!.id}?api-version=${AUTH_API}`,
      `PATCH ${vmUrlPath}`,
    ]);
    expect(plan.deletedRoleAssignments).toHaveLength(2);
    expect(seen.map((r) => r.method)).toEqual(["GET", "GET"]);
    const result = await vm.removeAll({ roleAssignments: "delete" });
    expect(wire(seen.slice(2)).slice(0, 5)).toEqual([
      `GET ${vmUrlPath}`,
      `GET ${listPath(P)}`,
      `DELETE ${held[0]!.id}?api-version=${AUTH_API}`,
      `DELETE ${held[1]!.id}?api-version=${AUTH_API}`,
      `PATCH ${vmUrlPath}`,
    ]);
    expect(result.deletedRoleAssignments!.map((a) => a.id)).toEqual(held.map((a) => a.id));
    expect(result.orphanedRoleAssignments).toBeUndefined();
    expect(lines.some((l) => l.includes("orphans role assignment"))).toBe(false);
  });

  it("keep, for a caller who may not read role assignments (403): warns that nothing could be named, and still disables", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments`).query(true).reply(403, { error: { code: "AuthorizationFailed", message: "no" } });
    patched(scope, undefined);
    const result = await fastClient().vm("rg", "vm1").disableSystemAssigned();
    expect(result.identity.type).toBe("None");
    expect(result.orphanedRoleAssignments).toBeUndefined();
    expect(lines.some((l) => l.includes("could not read the role assignments") && l.includes("roleAssignments/read"))).toBe(true);
  });

  it("delete, for the same caller: refused with the 403 before any write", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments`).query(true).reply(403, { error: { code: "AuthorizationFailed", message: "no" } });
    const seen = capture(scope);
    const e = await fastClient().vm("rg", "vm1").disableSystemAssigned({ roleAssignments: "delete" }).catch((err: unknown) => err);
    expect(isRestError(e) && e.statusCode).toBe(403);
    expect(seen.map((r) => r.method)).toEqual(["GET", "GET"]);
  });

  it("an invalid roleAssignments option is refused with InvalidOption before any request", () => {
    const vm = fastClient().vm("rg", "vm1");
    expect(() => vm.identity().disableSystemAssigned({ roleAssignments: "orphan" as never })).toThrow(expect.objectContaining({ code: "InvalidOption" }));
    return expect(vm.disableSystemAssigned({ roleAssignments: "drop" as never })).rejects.toMatchObject({ code: "InvalidOption" });
  });
});

describe("listing and granting outside an identity change", () => {
  it("vm.roleAssignments(): the VM's principal, then its list at the subscription, page by page; a next page on another host is refused", async () => {
    const page2 = `${ARM}/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments?$filter=x&$skipToken=2&api-version=${AUTH_API}`;
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments`).query((q) => q["$skipToken"] === undefined).reply(200, { value: [assignmentBody()], nextLink: page2 })
      .get(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments`).query((q) => q["$skipToken"] === "2").reply(200, { value: [assignmentBody(`${ASSIGNMENTS}/${NAME.replace("eb", "ed")}`)] });
    const seen = capture(scope);
    const list = await fastClient().vm("rg", "vm1").roleAssignments();
    expect(seen[1]!.path).toBe(listPath(P));
    expect(list.map((a) => a.name)).toEqual([NAME, NAME.replace("eb", "ed")]);
    expect(list[0]).toEqual({ id: ASSIGNMENT_ID, name: NAME, scope: DATA, principalId: P, principalType: "ServicePrincipal", roleDefinitionId: READER_ID });

    nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments`).query(true).reply(200, { value: [], nextLink: "https://elsewhere.example/page2" });
    const e = await fastClient().vm("rg", "vm1").roleAssignments().catch((err: unknown) => err);
    expect(isRestError(e) && e.code).toBe("UntrustedNextLink");
  });

  it("vm.roleAssignments() of a VM without a system identity is [] after one read", async () => {
    const scope = nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' });
    const seen = capture(scope);
    expect(await fastClient().vm("rg", "vm1").roleAssignments()).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  it("userAssignedIdentity().grant(): the identity's principal, then the grant; roleAssignments() lists them", async () => {
    const identity = { id: X, name: "id-x", location: "westus", properties: { principalId: PX, clientId: "cx", tenantId: "t" } };
    const scope = nock(ARM)
      .get(X).query(true).times(2).reply(200, identity)
      .get(/roleAssignments\/[0-9a-f-]+$/).query(true).reply(404, { error: { code: "RoleAssignmentNotFound", message: "not found" } })
      .put(/roleAssignments\/[0-9a-f-]+$/).query(true).reply(201, (uri) => assignmentBody(uri.split("?")[0], PX))
      .get(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments`).query(true).reply(200, { value: [assignmentBody(ASSIGNMENT_ID, PX)] });
    const seen = capture(scope);
    const uai = fastClient().userAssignedIdentity("rg", "id-x");
    const granted = await uai.grant({ role: READER, scope: DATA });
    expect(granted).toMatchObject({ identity: X, principalId: PX, roleDefinitionId: READER_ID, created: true });
    expect(seen[0]!.path).toBe(`${X}?api-version=2024-11-30`);
    expect(seen[2]!.body).toEqual({ properties: { roleDefinitionId: READER_ID, principalId: PX, principalType: "ServicePrincipal" } });
    expect((await uai.roleAssignments()).map((a) => a.principalId)).toEqual([PX]);
    expect(seen.at(-1)!.path).toBe(listPath(PX));
    expect(scope.isDone()).toBe(true);
  });

  it("userAssignedIdentity().grant() refuses a malformed role or scope, and an identity option, before any request", async () => {
    nock.disableNetConnect();
    const uai = fastClient().userAssignedIdentity("rg", "id-x");
    await expect(uai.grant({ role: "", scope: DATA })).rejects.toMatchObject({ code: "InvalidRole" });
    await expect(uai.grant({ role: "Reader", scope: "/subscriptions/not-a-guid" })).rejects.toMatchObject({ code: "InvalidScope" });
    await expect(uai.grant({ role: "Reader", scope: DATA, identity: X } as never)).rejects.toMatchObject({ code: "InvalidRoleGrant" });
  });
});

describe("revoke()", () => {
  const deletePath = (name = NAME) => `${ASSIGNMENTS}/${name}?api-version=${AUTH_API}`;

  it("a VM's system identity: the VM read, the role looked up, the assignment found by its derived name, then DELETEd; one correlation id", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`${DATA}/providers/Microsoft.Authorization/roleDefinitions`).query(true).reply(200, { value: [readerDefinition] })
      .get(`${ASSIGNMENTS}/${NAME}`).query(true).reply(200, assignmentBody())
      .delete(`${ASSIGNMENTS}/${NAME}`).query(true).reply(200, assignmentBody());
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").revoke({ role: "Reader", scope: DATA });
    expect(wire(seen)).toEqual([
      `GET ${vmUrlPath}`,
      `GET ${roleDefinitionsPath(DATA, "Reader")}`,
      `GET ${ASSIGNMENTS}/${NAME}?api-version=${AUTH_API}`,
      `DELETE ${deletePath()}`,
    ]);
    expect(seen.at(-1)!.body).toBeUndefined();
    expect(new Set(seen.map((r) => r.headers["x-ms-correlation-request-id"])).size).toBe(1);
    expect(result).toEqual({
      revoked: true,
      roleAssignment: { id: ASSIGNMENT_ID, name: NAME, scope: DATA, principalId: P, principalType: "ServicePrincipal", roleDefinitionId: READER_ID },
    });
    expect(scope.isDone()).toBe(true);
  });

  it("an assignment another tool named: not under the derived name (404), so found in the principal's list at that exact scope and DELETEd by its own name", async () => {
    const otherName = "0a0a0a0a-0000-4000-8000-000000000000";
    const atSubscription = assignmentBody(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/${"0b".repeat(4)}-0000-4000-8000-000000000000`, P, `/subscriptions/${SUB}`);
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`${ASSIGNMENTS}/${NAME}`).query(true).reply(404, { error: { code: "RoleAssignmentNotFound", message: "not found" } })
      .get(ASSIGNMENTS).query(true).reply(200, { value: [atSubscription, assignmentBody(`${ASSIGNMENTS}/${otherName}`)] })
      .delete(`${ASSIGNMENTS}/${otherName}`).query(true).reply(200, assignmentBody(`${ASSIGNMENTS}/${otherName}`));
    const seen = capture(scope);
    const result = await fastClient().vm("rg", "vm1").revoke({ role: READER, scope: DATA });
    expect(wire(seen)).toEqual([
      `GET ${vmUrlPath}`,
      `GET ${ASSIGNMENTS}/${NAME}?api-version=${AUTH_API}`,
      `GET ${listPath(P, DATA)}`,
      `DELETE ${deletePath(otherName)}`,
    ]);
    expect(result).toMatchObject({ revoked: true, roleAssignment: { id: `${ASSIGNMENTS}/${otherName}`, scope: DATA } });
  });

  it("none held at that scope (only one at the subscription above it): { revoked: false }, no DELETE", async () => {
    const above = assignmentBody(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/${NAME}`, P, `/subscriptions/${SUB}`);
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`${ASSIGNMENTS}/${NAME}`).query(true).reply(404, { error: { code: "RoleAssignmentNotFound", message: "not found" } })
      .get(ASSIGNMENTS).query(true).reply(200, { value: [above] });
    const seen = capture(scope);
    expect(await fastClient().vm("rg", "vm1").revoke({ role: READER_ID, scope: DATA })).toEqual({ revoked: false });
    expect(seen.map((r) => r.method)).toEqual(["GET", "GET", "GET"]);
    expect(scope.isDone()).toBe(true);
  });

  it("an assignment gone when its DELETE arrives (204, or 404) is { revoked: false }", async () => {
    for (const status of [204, 404]) {
      const scope = nock(ARM)
        .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
        .get(`${ASSIGNMENTS}/${NAME}`).query(true).reply(200, assignmentBody())
        .delete(`${ASSIGNMENTS}/${NAME}`).query(true).reply(status, status === 404 ? { error: { code: "RoleAssignmentNotFound", message: "gone" } } : undefined);
      expect(await fastClient().vm("rg", "vm1").revoke({ role: READER, scope: DATA })).toEqual({ revoked: false });
      expect(scope.isDone()).toBe(true);
      nock.cleanAll();
    }
  });

  it("a VM without a system identity holds nothing: { revoked: false } after the one read, the role not even looked up", async () => {
    const scope = nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' });
    const seen = capture(scope);
    expect(await fastClient().vm("rg", "vm1").revoke({ role: "Reader", scope: DATA })).toEqual({ revoked: false });
    expect(wire(seen)).toEqual([`GET ${vmUrlPath}`]);
  });

  it("a 403 on the DELETE keeps ARM's code and names the permission revoking needs", async () => {
    nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, system()), { etag: '"1"' })
      .get(`${ASSIGNMENTS}/${NAME}`).query(true).reply(200, assignmentBody())
      .delete(`${ASSIGNMENTS}/${NAME}`).query(true).reply(403, { error: { code: "AuthorizationFailed", message: "no delete" } });
    const e = await fastClient().vm("rg", "vm1").revoke({ role: READER, scope: DATA }).catch((err: unknown) => err);
    expect(isRestError(e) && e.statusCode).toBe(403);
    expect((e as RestError).code).toBe("AuthorizationFailed");
    expect((e as Error).message).toContain(`Microsoft.Authorization/roleAssignments/delete`);
    expect((e as Error).message).toContain(DATA);
  });

  it("userAssignedIdentity().revoke(): the identity's principal, the assignment by its derived name, then the DELETE", async () => {
    const identity = { id: X, name: "id-x", location: "westus", properties: { principalId: PX, clientId: "cx", tenantId: "t" } };
    const scope = nock(ARM)
      .get(X).query(true).reply(200, identity)
      .get(/roleAssignments\/[0-9a-f-]+$/).query(true).reply(200, (uri) => assignmentBody(uri.split("?")[0], PX))
      .delete(/roleAssignments\/[0-9a-f-]+$/).query(true).reply(200, (uri) => assignmentBody(uri.split("?")[0], PX));
    const seen = capture(scope);
    const result = await fastClient().userAssignedIdentity("rg", "id-x").revoke({ role: READER, scope: DATA });
    const name = roleAssignmentName(DATA, PX, READER_ID);
    expect(wire(seen)).toEqual([`GET ${X}?api-version=2024-11-30`, `GET ${ASSIGNMENTS}/${name}?api-version=${AUTH_API}`, `DELETE ${deletePath(name)}`]);
    expect(result).toMatchObject({ revoked: true, roleAssignment: { principalId: PX, id: `${ASSIGNMENTS}/${name}` } });
    expect(scope.isDone()).toBe(true);
  });

  it("userAssignedIdentity().revoke() of an identity that does not exist: 404 ResourceNotFound after its read", async () => {
    const scope = nock(ARM).get(X).query(true).reply(404, { error: { code: "ResourceNotFound", message: "no such identity" } });
    const seen = capture(scope);
    const e = await fastClient().userAssignedIdentity("rg", "id-x").revoke({ role: READER, scope: DATA }).catch((err: unknown) => err);
    expect(isRestError(e) && [e.statusCode, e.code]).toEqual([404, "ResourceNotFound"]);
    expect(seen).toHaveLength(1);
  });

  it("refuses a malformed role or scope (the codes of grant) and an identity option, on both handles, before any request", async () => {
    nock.disableNetConnect();
    const vm = fastClient().vm("rg", "vm1");
    const uai = fastClient().userAssignedIdentity("rg", "id-x");
    for (const handle of [vm, uai]) {
      await expect(handle.revoke({ role: "", scope: DATA })).rejects.toMatchObject({ code: "InvalidRole" });
      await expect(handle.revoke({ role: "/providers/x", scope: DATA })).rejects.toMatchObject({ code: "InvalidRole" });
      await expect(handle.revoke({ role: "Reader", scope: "resourceGroups/data" })).rejects.toMatchObject({ code: "InvalidScope" });
      await expect(handle.revoke({ role: "Reader", scope: `/subscriptions/${SUB}/resourceGroups/data/../x` })).rejects.toMatchObject({ code: "InvalidScope" });
      await expect(handle.revoke({ role: "Reader", scope: DATA, identity: X } as never)).rejects.toMatchObject({ code: "InvalidRoleGrant" });
      await expect(handle.revoke(null as never)).rejects.toMatchObject({ code: "InvalidRoleGrant" });
    }
  });
});
