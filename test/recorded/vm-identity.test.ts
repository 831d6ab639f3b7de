/**
 * Identity changes on an existing VM, replayed from recordings: each call is
 * GET (for the etag and the identity held), one PATCH holding only `identity`
 * with `If-Match`, polls of the `Azure-AsyncOperation` URL, and a final GET.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { RecordedDefinition } from "../recordings/sanitize.js";
import {
  expectArmResponseHeaders,
  expectCallHeaders,
  expectRequests,
  expectStatusPolls,
  expectVmGet,
  expectVmPatchResponse,
  GUID,
  headersOf,
  identityOf,
  requestIdsOf,
} from "./expectations.js";
import {
  COMPUTE_API_VERSION,
  FAKE_SUBSCRIPTION_ID,
  FAKE_TENANT_ID,
  loadFixture,
  RESOURCE_GROUP,
  restoreNetwork,
  runRecorded,
  uaiIdFromIdentityService,
  uaiIdOnVm,
  vmPath,
} from "./harness.js";
import { useNock } from "../support/nock.js";

useNock();

afterAll(restoreNetwork);

const VM = "myVM";
const VM_URL_PATH = `${vmPath(VM)}?api-version=${COMPUTE_API_VERSION}`;
const X = "myUserAssignedIdentity";
const Y = "myUserAssignedIdentity2";
// Sanitized ids: numbered by first appearance in each recording.
const P = (n: number): string => `bbbbbbbb-bbbb-bbbb-bbbb-${String(n).padStart(12, "0")}`;
const C = (n: number): string => `cccccccc-cccc-cccc-cccc-${String(n).padStart(12, "0")}`;
const SYSTEM = { type: "SystemAssigned", principalId: P(1), tenantId: FAKE_TENANT_ID };

/** The request sequence of every identity change, derived from what the fixture answered. */
function identityChangeRequests(exchanges: Parameters<typeof expectRequests>[0], body: unknown) {
  const [get, patch] = exchanges;
  const etag = get!.responseHeaders["etag"]!;
  expect(etag).toMatch(/^"\d+"$/);
  return [
    { method: "GET" as const, path: VM_URL_PATH },
    { method: "PATCH" as const, path: VM_URL_PATH, ifMatch: etag, body },
    { polls: patch!.responseHeaders["azure-asyncoperation"]! },
    { method: "GET" as const, path: VM_URL_PATH },
  ];
}

/** The fixture of an identity change: the docs/arm.md §3 row and §4 recorded PATCH behaviour. */
function expectIdentityChangeFixture(
  defs: RecordedDefinition[],
  expected: { before: unknown; body: unknown; during: unknown; after: unknown },
): void {
  expect(defs.map((d) => d.method)).toEqual(["GET", "PATCH", ...defs.slice(2, -1).map(() => "GET"), "GET"]);
  const [get, patch] = defs as [RecordedDefinition, RecordedDefinition];
  const final = defs.at(-1)!;
  for (const def of [get, patch, final]) {
    expect(def.scope).toBe("https://management.azure.com:443");
    expect(def.path).toBe(VM_URL_PATH);
  }

  const read = expectVmGet(get, VM);
  expect(identityOf(read)).toEqual(expected.before);

  expect(patch.body).toEqual(expected.body);
  expect(patch.reqheaders).toEqual({ "content-type": "application/json", "if-match": headersOf(get)["etag"] });
  const { statusUrl, vm: updating } = expectVmPatchResponse(patch, VM);
  expect(identityOf(updating)).toEqual(expected.during);
  expect(headersOf(patch)["etag"]).not.toBe(headersOf(get)["etag"]);

  expectStatusPolls(defs.slice(2, -1), statusUrl);

  const after = expectVmGet(final, VM);
  expect(identityOf(after)).toEqual(expected.after);
  expect(headersOf(final)["etag"]).toBe(headersOf(patch)["etag"]);
  for (const def of defs) expectArmResponseHeaders(def);
}

describe("enable the system-assigned identity on an existing VM (enable-system-identity.json)", () => {
  const step = "enable-system-identity";

  it("sends GET, PATCH {type: SystemAssigned} with If-Match, polls, GET; reports the new principal", async () => {
    const run = await runRecorded(step, (client) => client.vm(RESOURCE_GROUP, VM).enableSystemAssigned());
    expectRequests(run.exchanges, identityChangeRequests(run.exchanges, { identity: { type: "SystemAssigned" } }));
    expectCallHeaders(run, run.result.correlationId);
    expect(run.result).toEqual({
      identity: { type: "SystemAssigned", systemAssigned: { principalId: P(1), tenantId: FAKE_TENANT_ID }, userAssigned: [] },
      changed: true,
      requestIds: requestIdsOf(run.exchanges),
      attempts: 1,
      correlationId: expect.stringMatching(GUID),
    });
    expect(run.result.requestIds).toHaveLength(run.exchanges.length);
  });

  it("fixture: a VM without `identity`, the PATCH answered 200 Updating, then SystemAssigned", () => {
    expectIdentityChangeFixture(loadFixture(step), {
      before: undefined,
      body: { identity: { type: "SystemAssigned" } },
      during: SYSTEM,
      after: SYSTEM,
    });
  });
});

describe("assign a user-assigned identity to an existing VM (assign-user-identity.json)", () => {
  const step = "assign-user-identity";
  const sent = { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [uaiIdFromIdentityService(X)]: {} } } };

  it("PATCHes {type: 'SystemAssigned, UserAssigned', {X: {}}} and reports X's principal and client ids read back afterwards", async () => {
    const run = await runRecorded(step, (client, { subscriptionId }) =>
      client.vm(RESOURCE_GROUP, VM).assignUserAssigned(uaiIdFromIdentityService(X, subscriptionId)),
    );
    expectRequests(run.exchanges, identityChangeRequests(run.exchanges, sent));
    expectCallHeaders(run, run.result.correlationId);
    // The PATCH response only had `{}` for X: these ids come from the GET after the operation.
    expect(run.result).toEqual({
      identity: {
        type: "SystemAssigned, UserAssigned",
        systemAssigned: { principalId: P(1), tenantId: FAKE_TENANT_ID },
        userAssigned: [{ id: uaiIdOnVm(X), principalId: P(2), clientId: C(1) }],
      },
      changed: true,
      requestIds: requestIdsOf(run.exchanges),
      attempts: 1,
      correlationId: expect.stringMatching(GUID),
    });
  });

  it("fixture: `{}` for the new identity in the PATCH response, principalId/clientId only after", () => {
    expectIdentityChangeFixture(loadFixture(step), {
      before: SYSTEM,
      body: sent,
      during: { ...SYSTEM, type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [uaiIdOnVm(X)]: {} } },
      after: {
        ...SYSTEM,
        type: "SystemAssigned, UserAssigned",
        userAssignedIdentities: { [uaiIdOnVm(X)]: { principalId: P(2), clientId: C(1) } },
      },
    });
  });
});

describe("remove one user-assigned identity of two (remove-user-identity.json)", () => {
  const step = "remove-user-identity";
  const both = {
    ...SYSTEM,
    type: "SystemAssigned, UserAssigned",
    userAssignedIdentities: {
      [uaiIdOnVm(X)]: { principalId: P(2), clientId: C(1) },
      [uaiIdOnVm(Y)]: { principalId: P(3), clientId: C(2) },
    },
  };
  const onlyY = { ...SYSTEM, type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [uaiIdOnVm(Y)]: { principalId: P(3), clientId: C(2) } } };
  // Keyed by the id as the VM holds it, although the caller passed the identity service's spelling.
  const sent = { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [uaiIdOnVm(X)]: null } } };

  it("PATCHes {X: null} in the casing the VM holds, keeping the type, and reports Y left", async () => {
    const run = await runRecorded(step, (client, { subscriptionId }) =>
      client.vm(RESOURCE_GROUP, VM).removeUserAssigned(uaiIdFromIdentityService(X, subscriptionId)),
    );
    expectRequests(run.exchanges, identityChangeRequests(run.exchanges, sent));
    expectCallHeaders(run, run.result.correlationId);
    expect(run.result).toEqual({
      identity: {
        type: "SystemAssigned, UserAssigned",
        systemAssigned: { principalId: P(1), tenantId: FAKE_TENANT_ID },
        userAssigned: [{ id: uaiIdOnVm(Y), principalId: P(3), clientId: C(2) }],
      },
      changed: true,
      requestIds: requestIdsOf(run.exchanges),
      attempts: 1,
      correlationId: expect.stringMatching(GUID),
    });
  });

  it("fixture: S,U {X,Y} -> S,U {Y} (docs/arm.md §3 'remove X')", () => {
    expectIdentityChangeFixture(loadFixture(step), { before: both, body: sent, during: onlyY, after: onlyY });
  });
});

describe("remove the last user-assigned identity (remove-last-user-identity.json)", () => {
  const step = "remove-last-user-identity";
  const onlyY = { ...SYSTEM, type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [uaiIdOnVm(Y)]: { principalId: P(2), clientId: C(1) } } };
  const sent = { identity: { type: "SystemAssigned", userAssignedIdentities: null } };

  it("PATCHes {type: SystemAssigned, userAssignedIdentities: null} and reports the system identity alone", async () => {
    const run = await runRecorded(step, (client, { subscriptionId }) =>
      client.vm(RESOURCE_GROUP, VM).removeUserAssigned([uaiIdFromIdentityService(Y, subscriptionId)]),
    );
    expectRequests(run.exchanges, identityChangeRequests(run.exchanges, sent));
    expectCallHeaders(run, run.result.correlationId);
    expect(run.result).toEqual({
      identity: { type: "SystemAssigned", systemAssigned: { principalId: P(1), tenantId: FAKE_TENANT_ID }, userAssigned: [] },
      changed: true,
      requestIds: requestIdsOf(run.exchanges),
      attempts: 1,
      correlationId: expect.stringMatching(GUID),
    });
  });

  it("fixture: S,U {Y} -> SystemAssigned (docs/arm.md §3 'remove Y (last)')", () => {
    expectIdentityChangeFixture(loadFixture(step), { before: onlyY, body: sent, during: SYSTEM, after: SYSTEM });
  });
});

describe("disable the system-assigned identity (disable-system-identity.json)", () => {
  const step = "disable-system-identity";
  const sent = { identity: { type: "None", userAssignedIdentities: null } };
  // Before the PATCH, the principal's role assignments are read, to name any the disable orphans (ARM keeps them).
  const ROLE_ASSIGNMENTS_PATH = `/subscriptions/${FAKE_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleAssignments?$filter=principalId%20eq%20%27${P(1)}%27&api-version=2022-04-01`;
  const isRoleList = (e: { path: string }) => e.path === ROLE_ASSIGNMENTS_PATH;

  it("reads the principal's role assignments, PATCHes {type: None, userAssignedIdentities: null} and reports None from a VM without `identity`", async () => {
    const run = await runRecorded(step, (client) => client.vm(RESOURCE_GROUP, VM).disableSystemAssigned());
    expect(run.exchanges.map((e) => e.method)[1]).toBe("GET");
    expect(run.exchanges[1]!.path).toBe(ROLE_ASSIGNMENTS_PATH);
    expectRequests(run.exchanges.filter((e) => !isRoleList(e)), identityChangeRequests(run.exchanges.filter((e) => !isRoleList(e)), sent));
    expectCallHeaders(run, run.result.correlationId);
    expect(run.result).toEqual({
      identity: { type: "None", userAssigned: [] },
      changed: true,
      requestIds: requestIdsOf(run.exchanges),
      attempts: 1,
      correlationId: expect.stringMatching(GUID),
      orphanedRoleAssignments: [],
    });
  });

  it("fixture: SystemAssigned -> no `identity` property at all on the final GET; the principal held no role assignment", () => {
    const all = loadFixture(step);
    const list = all.filter(isRoleList);
    expect(list).toHaveLength(1);
    expect(list[0]!.response).toEqual({ value: [] });
    const defs = all.filter((d) => !isRoleList(d));
    expectIdentityChangeFixture(defs, { before: SYSTEM, body: sent, during: undefined, after: undefined });
    expect(Object.keys(defs.at(-1)!.response as object)).not.toContain("identity");
  });
});
