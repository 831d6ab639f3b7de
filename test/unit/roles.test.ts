/**
 * Roles and scopes as grant() takes them: every malformed one is refused
 * with a coded error naming it and the expected form, before any request.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { isInvalidInputError, parseRole, parseRoleScope } from "../../src/index.js";
import { SUB, fastClient, uaiId } from "../support/fakes.js";
import { useNock } from "../support/nock.js";

useNock();

afterEach(() => nock.cleanAll());

const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

describe("parseRole", () => {
  it("reads a GUID, a full role definition id (subscription or root form) and a name", () => {
    expect(parseRole(READER.toUpperCase())).toEqual({ kind: "guid", guid: READER });
    expect(parseRole(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`)).toEqual({
      kind: "id",
      id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
    });
    expect(parseRole(`/providers/microsoft.authorization/roleDefinitions/${READER}`).kind).toBe("id");
    expect(parseRole("Key Vault Secrets User")).toEqual({ kind: "name", name: "Key Vault Secrets User" });
    expect(parseRole("O'Brien's role")).toEqual({ kind: "name", name: "O'Brien's role" });
  });

  const badRoles: [string, unknown][] = [
    ["empty", ""],
    ["blank", "   "],
    ["not a string", 42],
    ["null", null],
    ["a path that is no role definition id", "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/y"],
    ["a role definition id with a bad GUID", `/providers/Microsoft.Authorization/roleDefinitions/${READER.slice(1)}`],
    ["another provider", `/providers/Microsoft.Compute/roleDefinitions/${READER}`],
    ["control characters", "Reader\n"],
    ["surrounding white space", " Reader"],
    ["too long", "R".repeat(513)],
  ];
  for (const [what, value] of badRoles) {
    it(`refuses ${what} with InvalidRole, naming the value and the forms expected`, () => {
      const e = (() => {
        try {
          parseRole(value);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(isInvalidInputError(e, "InvalidRole")).toBe(true);
      expect((e as Error).message).toContain("Invalid role");
      expect((e as Error).message).toContain("roleDefinitions/<GUID>");
    });
  }
});

describe("parseRoleScope", () => {
  const good: [string, string][] = [
    [`/subscriptions/${SUB}`, "subscription"],
    [`/subscriptions/${SUB}/`, "subscription"],
    [`/subscriptions/${SUB}/resourceGroups/data`, "resourceGroup"],
    [`/SUBSCRIPTIONS/${SUB}/resourcegroups/my.group(1)`, "resourceGroup"],
    [`/subscriptions/${SUB}/resourceGroups/data/providers/Microsoft.KeyVault/vaults/kv1`, "resource"],
    [`/subscriptions/${SUB}/resourceGroups/data/providers/Microsoft.Storage/storageAccounts/sa/blobServices/default/containers/c1`, "resource"],
    [`/subscriptions/${SUB}/resourceGroups/data/providers/Microsoft.Compute/virtualMachines/vm/providers/Microsoft.Insights/diagnosticSettings/d`, "resource"],
  ];
  for (const [scope, kind] of good) {
    it(`accepts ${scope} as a ${kind}`, () => {
      const parsed = parseRoleScope(scope);
      expect(parsed.kind).toBe(kind);
      expect(parsed.scope).toBe(scope.replace(/\/$/, ""));
      expect(parsed.subscriptionId).toBe(SUB);
    });
  }

  const bad: [string, unknown][] = [
    ["not a string", undefined],
    ["relative", `subscriptions/${SUB}`],
    ["the root", "/"],
    ["a management group", "/providers/Microsoft.Management/managementGroups/mg1"],
    ["a subscription that is not a GUID", "/subscriptions/my-subscription"],
    ["an empty segment", `/subscriptions/${SUB}//resourceGroups/data`],
    ["a dot segment", `/subscriptions/${SUB}/resourceGroups/data/providers/Microsoft.KeyVault/vaults/..`],
    ["a query", `/subscriptions/${SUB}/resourceGroups/data?x=1`],
    ["a fragment", `/subscriptions/${SUB}#x`],
    ["an encoded slash", `/subscriptions/${SUB}/resourceGroups/a%2Fb`],
    ["white space", `/subscriptions/${SUB}/resourceGroups/my data`],
    ["something other than resourceGroups", `/subscriptions/${SUB}/locations/westus`],
    ["a bad resource group name", `/subscriptions/${SUB}/resourceGroups/bad.`],
    ["providers without a namespace", `/subscriptions/${SUB}/resourceGroups/data/providers`],
    ["a namespace without a dot", `/subscriptions/${SUB}/resourceGroups/data/providers/KeyVault/vaults/kv`],
    ["a type without a name", `/subscriptions/${SUB}/resourceGroups/data/providers/Microsoft.KeyVault/vaults`],
    ["a namespace without a type", `/subscriptions/${SUB}/resourceGroups/data/providers/Microsoft.KeyVault`],
  ];
  for (const [what, value] of bad) {
    it(`refuses ${what} with InvalidScope and an example of each form`, () => {
      let caught: unknown;
      try {
        parseRoleScope(value);
      } catch (e) {
        caught = e;
      }
      expect(isInvalidInputError(caught, "InvalidScope")).toBe(true);
      expect((caught as Error).message).toContain("/subscriptions/<GUID>/resourceGroups/<group>");
      expect((caught as Error).message).toContain("Microsoft.KeyVault/vaults/<name>");
    });
  }
});

describe("grant() on the builders", () => {
  const scope = `/subscriptions/${SUB}/resourceGroups/data`;
  const cases: [string, unknown, string][] = [
    ["an empty role", { role: "", scope }, "InvalidRole"],
    ["a malformed role id", { role: "/roleDefinitions/x", scope }, "InvalidRole"],
    ["a missing role", { scope }, "InvalidRole"],
    ["a malformed scope", { role: "Reader", scope: "/subscriptions/x" }, "InvalidScope"],
    ["a missing scope", { role: "Reader" }, "InvalidScope"],
    ["a malformed identity", { role: "Reader", scope, identity: "/subscriptions/x/identities/y" }, "InvalidUserAssignedIdentityId"],
    ["no object", "Reader", "InvalidRoleGrant"],
  ];
  for (const [what, grant, code] of cases) {
    it(`refuses ${what} with ${code} as it is given, on a VM's and a fleet's builder, with no request`, () => {
      nock.disableNetConnect();
      const client = fastClient();
      expect(() => client.vm("rg", "vm1").identity().enableSystemAssigned().grant(grant as never)).toThrow(expect.objectContaining({ code }));
      expect(() => client.vms([`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`]).identity().grant(grant as never)).toThrow(
        expect.objectContaining({ code }),
      );
      expect(nock.pendingMocks()).toEqual([]);
    });
  }

  it("refuses bad replication options with InvalidOption before any request", async () => {
    nock.disableNetConnect();
    const client = fastClient();
    const change = client.vm("rg", "vm1").identity().enableSystemAssigned().grant({ role: "Reader", scope });
    expect(() => change.beginApply({ replicationTimeoutInMs: -1 })).toThrow(expect.objectContaining({ code: "InvalidOption" }));
    expect(() => change.beginApply({ replicationRetryDelayInMs: Number.NaN })).toThrow(expect.objectContaining({ code: "InvalidOption" }));
    await expect(client.userAssignedIdentity("rg", "id-x").grant({ role: "Reader", scope }, { replicationTimeoutInMs: -5 })).rejects.toMatchObject({ code: "InvalidOption" });
    await expect(client.vms([`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`]).identity().grant({ role: "Reader", scope }).apply({ replicationRetryDelayInMs: -1 })).rejects.toMatchObject({ code: "InvalidOption" });
  });

  it("keeps the grants in order, immutably, with the scope as checked", () => {
    const base = fastClient().vm("rg", "vm1").identity().enableSystemAssigned();
    const one = base.grant({ role: "Reader", scope: `${scope}/` });
    const two = one.grant({ role: READER, scope, identity: uaiId("rg", "id-x") });
    expect(base.access.grants).toEqual([]);
    expect(one.access.grants).toEqual([{ role: "Reader", scope }]);
    expect(two.access.grants).toEqual([{ role: "Reader", scope }, { role: READER, scope, identity: uaiId("rg", "id-x") }]);
    expect(two.access.roleAssignments).toBe("keep");
    expect(two.disableSystemAssigned({ roleAssignments: "delete" }).access.roleAssignments).toBe("delete");
    expect(two.removeAll({ roleAssignments: "delete" }).removeAll().access.roleAssignments).toBe("delete");
    expect(Object.isFrozen(two.access.grants)).toBe(true);
  });
});
