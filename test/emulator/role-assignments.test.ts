/** Role assignments at any scope, with ARM's rules: names, duplicates, unknown roles, the limit, lists and deletes. */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import {
  assignmentPath,
  AUTHORIZATION_API,
  CONTRIBUTOR,
  getAuthorization,
  groupScope,
  listAll,
  OWNER,
  putAssignment,
  READER,
  roleId,
  subscriptionScope,
} from "./accessHelpers.js";
import { call, vmPath } from "./helpers.js";

let arm: FakeArm;
let principal: string;
afterEach(async () => arm.close());

async function start(options: FakeArmOptions = {}): Promise<void> {
  arm = await startFakeArm(options);
  arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux", identity: { type: "SystemAssigned" } });
  principal = arm.getVm("rg", "vm")!.identity!.principalId!;
}

const NAME_1 = "11111111-1111-4111-8111-111111111111";
const NAME_2 = "22222222-2222-4222-8222-222222222222";
const NAME_3 = "33333333-3333-4333-8333-333333333333";
const grant = (role = READER) => ({ roleDefinitionId: roleId(arm, role), principalId: principal });

describe("PUT", () => {
  it("creates an assignment at the subscription: 201 with ARM's body, principalType found in the directory", async () => {
    await start();
    const before = Date.now();
    const reply = await putAssignment(arm, subscriptionScope(arm), NAME_1, grant());
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      id: assignmentPath(subscriptionScope(arm), NAME_1),
      name: NAME_1,
      type: "Microsoft.Authorization/roleAssignments",
      properties: {
        roleDefinitionId: roleId(arm, READER),
        principalId: principal,
        principalType: "ServicePrincipal",
        scope: subscriptionScope(arm),
        condition: null,
        conditionVersion: null,
        description: null,
        createdOn: expect.any(String),
        updatedOn: expect.any(String),
        createdBy: expect.any(String),
        updatedBy: expect.any(String),
        delegatedManagedIdentityResourceId: null,
      },
    });
    expect(Date.parse(reply.body.properties.createdOn)).toBeGreaterThanOrEqual(before - 1);
  });

  it.each([
    ["a resource group", (a: FakeArm) => groupScope(a, "data")],
    ["a resource", (a: FakeArm) => `${groupScope(a, "data")}/providers/Microsoft.KeyVault/vaults/kv1`],
    ["a VM", (a: FakeArm) => vmPath(a, "rg", "vm")],
  ])("creates one at %s; its id is {scope}/providers/...", async (_what, scopeOf) => {
    await start();
    const scope = scopeOf(arm);
    const reply = await putAssignment(arm, scope, NAME_1, grant());
    expect(reply.status).toBe(201);
    expect(reply.body.id).toBe(assignmentPath(scope, NAME_1));
    expect(reply.body.properties.scope).toBe(scope);
    expect((await getAuthorization(arm, assignmentPath(scope, NAME_1))).body).toEqual(reply.body);
  });

  it("takes a role definition id without the subscription and shows it with it", async () => {
    await start();
    const reply = await putAssignment(arm, subscriptionScope(arm), NAME_1, {
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
      principalId: principal,
    });
    expect(reply.status).toBe(201);
    expect(reply.body.properties.roleDefinitionId).toBe(roleId(arm, READER));
  });

  it("keeps description and condition", async () => {
    await start();
    const reply = await putAssignment(arm, subscriptionScope(arm), NAME_1, { ...grant(), description: "reads", condition: "c", conditionVersion: "2.0" });
    expect(reply.body.properties).toMatchObject({ description: "reads", condition: "c", conditionVersion: "2.0" });
  });

  it("repeating the same assignment under the same name answers 201 again and holds one assignment", async () => {
    await start();
    const first = await putAssignment(arm, subscriptionScope(arm), NAME_1, grant());
    const again = await putAssignment(arm, subscriptionScope(arm), NAME_1, grant());
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(arm.roleAssignments()).toHaveLength(1);
  });

  it("answers the repeat with 200 when roleAssignmentRepeatStatus is 200", async () => {
    await start({ roleAssignmentRepeatStatus: 200 });
    expect((await putAssignment(arm, subscriptionScope(arm), NAME_1, grant())).status).toBe(201);
    expect((await putAssignment(arm, subscriptionScope(arm), NAME_1, grant())).status).toBe(200);
  });

  it.each([
    ["another principal", (a: FakeArm) => ({ scope: subscriptionScope(a), props: { roleDefinitionId: roleId(a, READER), principalId: a.addPrincipal() } })],
    ["another role", (a: FakeArm) => ({ scope: subscriptionScope(a), props: { roleDefinitionId: roleId(a, OWNER), principalId: principal } })],
    ["another scope", (a: FakeArm) => ({ scope: groupScope(a, "data"), props: { roleDefinitionId: roleId(a, READER), principalId: principal } })],
  ])("reusing a name for %s answers 400 RoleAssignmentUpdateNotPermitted and changes nothing", async (_what, other) => {
    await start();
    await putAssignment(arm, subscriptionScope(arm), NAME_1, grant());
    const { scope, props } = other(arm);
    const reply = await putAssignment(arm, scope, NAME_1, props);
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("RoleAssignmentUpdateNotPermitted");
    expect(arm.roleAssignments().map((a) => [a.name, a.scope, a.roleDefinitionId, a.principalId])).toEqual([
      [NAME_1, subscriptionScope(arm), roleId(arm, READER), principal],
    ]);
  });

  it("the same scope, role and principal under another name answers 409 RoleAssignmentExists", async () => {
    await start();
    await putAssignment(arm, groupScope(arm, "data"), NAME_1, grant());
    const reply = await putAssignment(arm, groupScope(arm, "DATA") + "/", NAME_2, grant());
    expect(reply.status).toBe(409);
    expect(reply.body.error).toEqual({ code: "RoleAssignmentExists", message: "The role assignment already exists." });
    // Other roles of the same principal at the same scope are other assignments.
    expect((await putAssignment(arm, groupScope(arm, "data"), NAME_3, grant(CONTRIBUTOR))).status).toBe(201);
  });

  it.each([
    ["a name that is no GUID", "not-a-guid", () => grant(), "InvalidRoleAssignmentId"],
    ["an unknown role", NAME_1, () => ({ ...grant(), roleDefinitionId: roleId(arm, "99999999-9999-4999-8999-999999999999") }), "RoleDefinitionDoesNotExist"],
    ["a role of another subscription", NAME_1, () => ({ ...grant(), roleDefinitionId: `/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/${READER}` }), "RoleDefinitionDoesNotExist"],
    ["a malformed role definition id", NAME_1, () => ({ ...grant(), roleDefinitionId: READER }), "InvalidRoleDefinitionId"],
    ["no role definition id", NAME_1, () => ({ principalId: principal }), "InvalidRoleDefinitionId"],
    ["a principal id that is no GUID", NAME_1, () => ({ ...grant(), principalId: "me" }), "InvalidPrincipalId"],
    ["an unknown principal type", NAME_1, () => ({ ...grant(), principalType: "Robot" }), "InvalidParameter"],
  ])("refuses %s with 400 and its code", async (_what, name, props, code) => {
    await start();
    const reply = await putAssignment(arm, subscriptionScope(arm), name, props());
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe(code);
    expect(arm.roleAssignments()).toEqual([]);
  });

  it("refuses a body that is not JSON", async () => {
    await start();
    const reply = await call(arm, "PUT", assignmentPath(subscriptionScope(arm), NAME_1), { body: "{", apiVersion: AUTHORIZATION_API });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("InvalidRequestContent");
  });

  it("answers another subscription's scope with 404 SubscriptionNotFound", async () => {
    await start();
    const reply = await putAssignment(arm, "/subscriptions/99999999-9999-4999-8999-999999999999", NAME_1, grant());
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("SubscriptionNotFound");
  });
});

describe("the per-subscription limit", () => {
  it("is 4000 by default: the 4001st answers 400 RoleAssignmentLimitExceeded, and a delete makes room", async () => {
    await start();
    for (let i = 0; i < 4000; i++) {
      arm.addRoleAssignment({ scope: groupScope(arm, `rg${i}`), roleDefinitionId: READER, principalId: principal });
    }
    const reply = await putAssignment(arm, subscriptionScope(arm), NAME_1, grant());
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("RoleAssignmentLimitExceeded");
    const [first] = arm.roleAssignments();
    expect((await call(arm, "DELETE", first!.id, { apiVersion: AUTHORIZATION_API })).status).toBe(200);
    expect((await putAssignment(arm, subscriptionScope(arm), NAME_1, grant())).status).toBe(201);
  });

  it("is configurable, and counts assignments at every scope of the subscription", async () => {
    await start({ roleAssignmentLimit: 2 });
    expect((await putAssignment(arm, subscriptionScope(arm), NAME_1, grant())).status).toBe(201);
    expect((await putAssignment(arm, vmPath(arm, "rg", "vm"), NAME_2, grant())).status).toBe(201);
    const third = await putAssignment(arm, groupScope(arm, "rg"), NAME_3, grant());
    expect(third.status).toBe(400);
    expect(third.body.error.code).toBe("RoleAssignmentLimitExceeded");
    // A repeat of an existing assignment is no new one.
    expect((await putAssignment(arm, subscriptionScope(arm), NAME_1, grant())).status).toBe(201);
  });
});

describe("GET and DELETE", () => {
  it("GET answers 404 RoleAssignmentNotFound for an unknown name, or a known one at another scope", async () => {
    await start();
    await putAssignment(arm, groupScope(arm, "data"), NAME_1, grant());
    for (const path of [assignmentPath(groupScope(arm, "data"), NAME_2), assignmentPath(subscriptionScope(arm), NAME_1)]) {
      const reply = await getAuthorization(arm, path);
      expect(reply.status).toBe(404);
      expect(reply.body.error.code).toBe("RoleAssignmentNotFound");
    }
  });

  it("DELETE answers 200 with the assignment, then 204 when it is gone", async () => {
    await start();
    const created = await putAssignment(arm, groupScope(arm, "data"), NAME_1, grant());
    const deleted = await call(arm, "DELETE", created.body.id, { apiVersion: AUTHORIZATION_API });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual(created.body);
    expect(arm.roleAssignments()).toEqual([]);
    const again = await call(arm, "DELETE", created.body.id, { apiVersion: AUTHORIZATION_API });
    expect(again.status).toBe(204);
    expect(again.body).toBeUndefined();
    expect((await getAuthorization(arm, created.body.id)).status).toBe(404);
  });

  it("DELETE at another scope deletes nothing", async () => {
    await start();
    await putAssignment(arm, groupScope(arm, "data"), NAME_1, grant());
    const reply = await call(arm, "DELETE", assignmentPath(subscriptionScope(arm), NAME_1), { apiVersion: AUTHORIZATION_API });
    expect(reply.status).toBe(204);
    expect(arm.roleAssignments()).toHaveLength(1);
  });
});

describe("lists", () => {
  /** One assignment above, at, below and beside the resource group "data", for `principal`, and one for another principal. */
  async function seedAround(): Promise<{ other: string }> {
    const other = arm.addPrincipal({ principalType: "ServicePrincipal" });
    await putAssignment(arm, subscriptionScope(arm), NAME_1, grant());
    await putAssignment(arm, groupScope(arm, "data"), NAME_2, grant());
    await putAssignment(arm, `${groupScope(arm, "data")}/providers/Microsoft.KeyVault/vaults/kv1`, NAME_3, grant());
    await putAssignment(arm, groupScope(arm, "elsewhere"), "44444444-4444-4444-8444-444444444444", grant());
    await putAssignment(arm, groupScope(arm, "data"), "55555555-5555-4555-8555-555555555555", { ...grant(), principalId: other });
    return { other };
  }
  const list = (scope: string, filter?: string) =>
    `${scope}/providers/Microsoft.Authorization/roleAssignments?api-version=${AUTHORIZATION_API}` +
    (filter === undefined ? "" : `&$filter=${encodeURIComponent(filter)}`);
  const names = (items: any[]) => items.map((a) => a.name);

  it("principalId eq: the principal's assignments at, above and below the scope", async () => {
    await start();
    await seedAround();
    const { items } = await listAll(arm, list(groupScope(arm, "data"), `principalId eq '${principal}'`));
    expect(names(items)).toEqual([NAME_1, NAME_2, NAME_3]);
  });

  it("principalId eq at the subscription: all of the principal's", async () => {
    await start();
    await seedAround();
    const { items } = await listAll(arm, list(subscriptionScope(arm), `principalId eq '${principal.toUpperCase()}'`));
    expect(names(items)).toEqual([NAME_1, NAME_2, NAME_3, "44444444-4444-4444-8444-444444444444"]);
  });

  it("atScope(): those at the scope and above it, of every principal", async () => {
    await start();
    await seedAround();
    const { items } = await listAll(arm, list(groupScope(arm, "data"), "atScope()"));
    expect(names(items)).toEqual([NAME_1, NAME_2, "55555555-5555-4555-8555-555555555555"]);
  });

  it("atScope() and principalId eq combine", async () => {
    await start();
    const { other } = await seedAround();
    const { items } = await listAll(arm, list(groupScope(arm, "data"), `atScope() and assignedTo('${other}')`));
    expect(names(items)).toEqual(["55555555-5555-4555-8555-555555555555"]);
  });

  it("no filter: every assignment at, above and below the scope", async () => {
    await start();
    await seedAround();
    const { items } = await listAll(arm, list(groupScope(arm, "data")));
    expect(names(items)).toEqual([NAME_1, NAME_2, NAME_3, "55555555-5555-4555-8555-555555555555"]);
  });

  it("pages with an absolute nextLink on the emulator, listPageSize entries a page", async () => {
    await start({ listPageSize: 2 });
    await seedAround();
    const first = await call(arm, "GET", list(subscriptionScope(arm)));
    expect(first.body.value).toHaveLength(2);
    expect(first.body.nextLink.startsWith(`${arm.endpoint}${subscriptionScope(arm)}/providers/Microsoft.Authorization/roleAssignments?`)).toBe(true);
    const { items, pages } = await listAll(arm, list(subscriptionScope(arm)));
    expect(pages).toEqual([2, 2, 1]);
    expect(new Set(names(items)).size).toBe(5);
  });

  it("the last page has no nextLink", async () => {
    await start();
    await seedAround();
    const reply = await call(arm, "GET", list(subscriptionScope(arm)));
    expect(reply.body.value).toHaveLength(5);
    expect(reply.body).not.toHaveProperty("nextLink");
  });

  it("refuses a skip token it did not issue and a filter it does not know", async () => {
    await start();
    expect((await call(arm, "GET", `${list(subscriptionScope(arm))}&$skipToken=abc`)).body.error.code).toBe("InvalidSkipToken");
    expect((await call(arm, "GET", list(subscriptionScope(arm), "roleName eq 'x'"))).body.error.code).toBe("InvalidFilter");
  });

  it("arm.roleAssignments() lists every assignment with its main properties flat", async () => {
    await start();
    await putAssignment(arm, groupScope(arm, "data"), NAME_1, grant());
    expect(arm.roleAssignments()).toEqual([
      expect.objectContaining({
        id: assignmentPath(groupScope(arm, "data"), NAME_1),
        name: NAME_1,
        scope: groupScope(arm, "data"),
        principalId: principal,
        principalType: "ServicePrincipal",
        roleDefinitionId: roleId(arm, READER),
        roleName: "Reader",
        orphaned: false,
        properties: expect.objectContaining({ scope: groupScope(arm, "data") }),
      }),
    ]);
  });
});

describe("addRoleAssignment", () => {
  it.each([
    [{ scope: "/nope" }, /scope must be/],
    [{ roleDefinitionId: "x" }, /names no role definition/],
    [{ principalId: "p" }, /principalId must be a GUID/],
    [{ name: "n" }, /name must be a GUID/],
  ])("refuses %j", async (override, message) => {
    await start();
    const seed = { scope: subscriptionScope(arm), roleDefinitionId: READER, principalId: principal, ...override };
    expect(() => arm.addRoleAssignment(seed)).toThrow(message);
  });
});
