/** Role definitions: the built-ins by name and GUID at any scope, and custom ones added by tests. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm } from "../../src/testing/index.js";
import { getAuthorization, groupScope, READER, roleId, subscriptionScope } from "./accessHelpers.js";

let arm: FakeArm;
beforeEach(async () => {
  arm = await startFakeArm();
});
afterEach(async () => arm.close());

const BUILT_INS: Array<[string, string]> = [
  ["Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"],
  ["Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"],
  ["Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"],
  ["User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"],
  ["Virtual Machine Contributor", "9980e02c-c2be-4d73-94e8-173b1dc7cf3c"],
  ["Managed Identity Operator", "f1a07417-d97a-45cb-824c-7a7467783830"],
  ["Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6"],
  ["Storage Blob Data Reader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"],
];

const definitions = (scope: string) => `${scope}/providers/Microsoft.Authorization/roleDefinitions`;
const byName = (scope: string, name: string) =>
  getAuthorization(arm, `${definitions(scope)}?$filter=${encodeURIComponent(`roleName eq '${name.replace(/'/g, "''")}'`)}`);
const resourceScope = () => `${groupScope(arm, "data")}/providers/Microsoft.KeyVault/vaults/kv1`;

describe("built-in roles", () => {
  it.each(BUILT_INS)("%s is found by name at the subscription, a resource group and a resource, with its real GUID", async (name, guid) => {
    for (const scope of [subscriptionScope(arm), groupScope(arm, "data"), resourceScope()]) {
      const reply = await byName(scope, name);
      expect(reply.status).toBe(200);
      expect(reply.body.value).toHaveLength(1);
      expect(reply.body.value[0]).toMatchObject({
        id: roleId(arm, guid),
        name: guid,
        type: "Microsoft.Authorization/roleDefinitions",
        properties: { roleName: name, type: "BuiltInRole", assignableScopes: ["/"] },
      });
    }
  });

  it("answers the ARM definition shape", async () => {
    const reply = await getAuthorization(arm, `${definitions(subscriptionScope(arm))}/${READER}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      id: roleId(arm, READER),
      name: READER,
      type: "Microsoft.Authorization/roleDefinitions",
      properties: {
        roleName: "Reader",
        type: "BuiltInRole",
        description: expect.any(String),
        assignableScopes: ["/"],
        permissions: [{ actions: ["*/read"], notActions: [], dataActions: [], notDataActions: [] }],
        createdOn: expect.any(String),
        updatedOn: expect.any(String),
        createdBy: null,
        updatedBy: null,
      },
    });
  });

  it("matches the name case-insensitively", async () => {
    const reply = await byName(subscriptionScope(arm), "reader");
    expect(reply.body.value.map((d: any) => d.name)).toEqual([READER]);
  });

  it("is found by GUID at any scope; above the subscription the id has no subscription", async () => {
    for (const scope of [subscriptionScope(arm), groupScope(arm, "data"), resourceScope()]) {
      const reply = await getAuthorization(arm, `${definitions(scope)}/${READER}`);
      expect(reply.status).toBe(200);
      expect(reply.body.id).toBe(roleId(arm, READER));
    }
    const root = await getAuthorization(arm, `/providers/Microsoft.Authorization/roleDefinitions/${READER}`);
    expect(root.status).toBe(200);
    expect(root.body.id).toBe(`/providers/Microsoft.Authorization/roleDefinitions/${READER}`);
  });

  it("lists them all without a filter", async () => {
    const reply = await getAuthorization(arm, definitions(subscriptionScope(arm)));
    expect(reply.body.value.map((d: any) => d.name).sort()).toEqual(BUILT_INS.map(([, guid]) => guid).sort());
  });

  it("answers an unknown name with an empty list and an unknown GUID with 404 RoleDefinitionDoesNotExist", async () => {
    expect((await byName(subscriptionScope(arm), "Nobody")).body).toEqual({ value: [] });
    const missing = await getAuthorization(arm, `${definitions(subscriptionScope(arm))}/11111111-2222-4333-8444-555555555555`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("RoleDefinitionDoesNotExist");
  });

  it("refuses a filter it does not know with 400 InvalidFilter", async () => {
    const reply = await getAuthorization(arm, `${definitions(subscriptionScope(arm))}?$filter=${encodeURIComponent("type eq 'x'")}`);
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("InvalidFilter");
  });

  it("answers another subscription with 404 SubscriptionNotFound", async () => {
    const reply = await byName("/subscriptions/99999999-9999-4999-8999-999999999999", "Reader");
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("SubscriptionNotFound");
  });
});

describe("custom roles", () => {
  it("addRoleDefinition returns the id ARM would show and the role is found by name", async () => {
    const id = arm.addRoleDefinition({ name: "Blob Janitor", id: "0f0f0f0f-1111-4222-8333-444444444444" });
    expect(id).toBe(roleId(arm, "0f0f0f0f-1111-4222-8333-444444444444"));
    const reply = await byName(groupScope(arm, "data"), "Blob Janitor");
    expect(reply.body.value).toHaveLength(1);
    expect(reply.body.value[0]).toMatchObject({ id, properties: { type: "CustomRole", assignableScopes: [subscriptionScope(arm)] } });
  });

  it("two roles of one name are both listed, so that a caller sees the ambiguity", async () => {
    const first = arm.addRoleDefinition({ name: "Twin" });
    const second = arm.addRoleDefinition({ name: "Twin" });
    const reply = await byName(subscriptionScope(arm), "Twin");
    expect(reply.body.value.map((d: any) => d.id).sort()).toEqual([first, second].sort());
  });

  it("is listed only where it is assignable", async () => {
    arm.addRoleDefinition({ name: "Data Only", assignableScopes: [groupScope(arm, "data")] });
    expect((await byName(groupScope(arm, "data"), "Data Only")).body.value).toHaveLength(1);
    expect((await byName(resourceScope(), "Data Only")).body.value).toHaveLength(1);
    expect((await byName(groupScope(arm, "other"), "Data Only")).body.value).toHaveLength(0);
    expect((await byName(subscriptionScope(arm), "Data Only")).body.value).toHaveLength(0);
  });

  it("a role named like a built-in makes the name ambiguous", async () => {
    arm.addRoleDefinition({ name: "Reader" });
    expect((await byName(subscriptionScope(arm), "Reader")).body.value).toHaveLength(2);
  });

  it.each([
    [{ name: "" }, /name must be a non-empty string/],
    [{ name: "x", id: "not-a-guid" }, /id must be a GUID/],
    [{ name: "x", id: READER }, /exists/],
  ])("addRoleDefinition(%j) throws", (options, message) => {
    expect(() => arm.addRoleDefinition(options)).toThrow(message);
  });

  it("reset() forgets custom roles and keeps the built-ins", async () => {
    arm.addRoleDefinition({ name: "Gone" });
    arm.reset();
    expect((await byName(subscriptionScope(arm), "Gone")).body.value).toHaveLength(0);
    expect((await byName(subscriptionScope(arm), "Reader")).body.value).toHaveLength(1);
  });
});
