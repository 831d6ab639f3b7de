/**
 * Role assignments, role definitions, principals and scale sets in every
 * subscription the emulator serves: each subscription its own scale sets,
 * assignments and 4,000 limit; one directory and one set of roles for the tenant.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import { AUTHORIZATION_API, getAuthorization, putAssignment, READER, writeAndSettle } from "./accessHelpers.js";
import { call, subscriptionPath } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm?.close());

const A = "aaaaaaaa-0000-4000-8000-000000000001";
const B = "bbbbbbbb-0000-4000-8000-000000000002";
const NAME_1 = "11111111-1111-4111-8111-111111111111";
const NAME_2 = "22222222-2222-4222-8222-222222222222";
const NAME_3 = "33333333-3333-4333-8333-333333333333";

async function start(options: FakeArmOptions = {}): Promise<void> {
  arm = await startFakeArm({ subscriptionIds: [A, B], pollsUntilDone: 0, autoCompleteAfterMs: Infinity, ...options });
}

const scaleSetPath = (subscription: string, name = "ss", group = "rg") =>
  `${subscriptionPath(arm, subscription)}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
const roleIn = (subscription: string, guid = READER) =>
  `${subscriptionPath(arm, subscription)}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const assignmentsAt = (scope: string) => `${scope}/providers/Microsoft.Authorization/roleAssignments`;

describe("scale sets in several subscriptions", () => {
  it("addVmss({ subscriptionId }) seeds into that subscription only; GET, lists and getVmss see it there", async () => {
    await start();
    const id = arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux", subscriptionId: B, capacity: 1 });
    expect(id).toBe(scaleSetPath(B));
    expect(arm.getVmss("rg", "ss", B)!.id).toBe(id);
    expect(arm.getVmss("rg", "ss")).toBeUndefined();
    expect(arm.getVmssInstances("rg", "ss", B)!.map((i) => i.id)).toEqual([`${id}/virtualMachines/0`]);

    expect((await call(arm, "GET", scaleSetPath(B))).body.id).toBe(id);
    expect((await call(arm, "GET", scaleSetPath(A))).status).toBe(404);
    const listB = await call(arm, "GET", `${subscriptionPath(arm, B)}/providers/Microsoft.Compute/virtualMachineScaleSets`);
    const listA = await call(arm, "GET", `${subscriptionPath(arm, A)}/providers/Microsoft.Compute/virtualMachineScaleSets`);
    expect(listB.body.value.map((v: { id: string }) => v.id)).toEqual([id]);
    expect(listA.body.value).toEqual([]);
  });

  it("the same name in two subscriptions is two scale sets, written apart; operations report under their own subscription", async () => {
    await start();
    for (const subscriptionId of [A, B]) arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux", subscriptionId });
    const reply = await call(arm, "PATCH", scaleSetPath(B), { body: { tags: { only: "b" } } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("azure-asyncoperation")).toContain(`/subscriptions/${B}/providers/Microsoft.Compute/locations/westeurope/operations/`);
    // A write runs on B's scale set only: A's takes a write at once.
    expect((await call(arm, "PATCH", scaleSetPath(A), { body: { tags: { only: "a" } } })).status).toBe(200);
    arm.completeOperations();
    expect(arm.getVmss("rg", "ss", B)!.tags).toEqual({ only: "b" });
    expect(arm.getVmss("rg", "ss", A)!.tags).toEqual({ only: "a" });
  });

  it("a PUT creates a scale set in the subscription of its path; a Flexible one's instance VMs live there too", async () => {
    await start();
    const body = {
      location: "westeurope",
      sku: { name: "Standard_B2s", tier: "Standard", capacity: 1 },
      properties: { orchestrationMode: "Flexible" },
    };
    expect((await writeAndSettle(arm, "PUT", scaleSetPath(B, "flex"), body)).status).toBe(201);
    const [instance] = arm.getVmssInstances("rg", "flex", B)!;
    expect(instance!.id).toMatch(new RegExp(`^/subscriptions/${B}/resourceGroups/rg/providers/Microsoft\\.Compute/virtualMachines/flex_`));
    expect(arm.getVm("rg", instance!.instanceId, B)).toBeDefined();
    expect(arm.getVm("rg", instance!.instanceId)).toBeUndefined();
  });

  it("a scale set may hold a user-assigned identity of another of the emulator's subscriptions", async () => {
    await start();
    const shared = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "shared", location: "westeurope", subscriptionId: A });
    arm.addVmss({
      resourceGroup: "rg",
      name: "ss",
      location: "westeurope",
      osType: "Linux",
      subscriptionId: B,
      identity: { type: "UserAssigned", userAssignedIdentities: { [shared]: {} } },
    });
    expect(Object.keys(arm.getVmss("rg", "ss", B)!.identity!.userAssignedIdentities!)).toEqual([shared]);
  });

  it("refuses a subscription the emulator does not serve", async () => {
    await start();
    expect(() => arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux", subscriptionId: "c" })).toThrow(
      /does not serve subscription 'c'/,
    );
    expect(() => arm.getVmss("rg", "ss", "c")).toThrow(/does not serve subscription 'c'/);
  });
});

describe("role assignments in several subscriptions", () => {
  /** A VM with a system identity in `subscription`; returns its principal. */
  function principalIn(subscription: string, name = "vm"): string {
    arm.addVm({ resourceGroup: "rg", name, location: "westeurope", osType: "Linux", identity: { type: "SystemAssigned" }, subscriptionId: subscription });
    return arm.getVm("rg", name, subscription)!.identity!.principalId!;
  }

  it("are made at scopes in any of the subscriptions, with the role definition id of that subscription", async () => {
    await start();
    const principal = principalIn(A);
    const scope = `${subscriptionPath(arm, B)}/resourceGroups/data`;
    const reply = await putAssignment(arm, scope, NAME_1, { roleDefinitionId: roleIn(B), principalId: principal });
    expect(reply.status).toBe(201);
    expect(reply.body.properties).toMatchObject({ scope, principalId: principal, roleDefinitionId: roleIn(B), principalType: "ServicePrincipal" });

    // Listed under B, not under A.
    expect((await getAuthorization(arm, assignmentsAt(subscriptionPath(arm, B)))).body.value.map((a: { name: string }) => a.name)).toEqual([NAME_1]);
    expect((await getAuthorization(arm, assignmentsAt(subscriptionPath(arm, A)))).body.value).toEqual([]);
    expect(arm.roleAssignments().map((a) => [a.scope, a.roleName])).toEqual([[scope, "Reader"]]);
  });

  it("a role definition id of another subscription is not one of this scope's", async () => {
    await start();
    const reply = await putAssignment(arm, subscriptionPath(arm, B), NAME_1, { roleDefinitionId: roleIn(A), principalId: principalIn(A) });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("RoleDefinitionDoesNotExist");
  });

  it("the system identity of a scale set in one subscription is a principal for scopes in the other (one directory)", async () => {
    await start({ principalReplicationDelayMs: 10_000, clock: () => 5_000_000 });
    const id = arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux", subscriptionId: B });
    const enabled = await writeAndSettle(arm, "PATCH", id, { identity: { type: "SystemAssigned" } });
    const principal = enabled.body.identity.principalId as string;
    const early = await putAssignment(arm, subscriptionPath(arm, A), NAME_1, { roleDefinitionId: roleIn(A), principalId: principal });
    expect(early.body.error.code).toBe("PrincipalNotFound");
    const typed = await putAssignment(arm, subscriptionPath(arm, A), NAME_1, {
      roleDefinitionId: roleIn(A),
      principalId: principal,
      principalType: "ServicePrincipal",
    });
    expect(typed.status).toBe(201);
  });

  it("an assignment name is unique across subscriptions: reusing it elsewhere is RoleAssignmentUpdateNotPermitted", async () => {
    await start();
    const principal = principalIn(A);
    expect((await putAssignment(arm, subscriptionPath(arm, A), NAME_1, { roleDefinitionId: roleIn(A), principalId: principal })).status).toBe(201);
    const reused = await putAssignment(arm, subscriptionPath(arm, B), NAME_1, { roleDefinitionId: roleIn(B), principalId: principal });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe("RoleAssignmentUpdateNotPermitted");
  });

  it("the limit is per subscription: a full subscription refuses, the other still takes assignments", async () => {
    await start({ roleAssignmentLimit: 2 });
    const principal = principalIn(A);
    for (const scope of [subscriptionPath(arm, A), `${subscriptionPath(arm, A)}/resourceGroups/rg`]) {
      arm.addRoleAssignment({ scope, roleDefinitionId: READER, principalId: principal });
    }
    const full = await putAssignment(arm, `${subscriptionPath(arm, A)}/resourceGroups/other`, NAME_1, { roleDefinitionId: roleIn(A), principalId: principal });
    expect(full.status).toBe(400);
    expect(full.body.error.code).toBe("RoleAssignmentLimitExceeded");
    expect(full.body.error.message).toContain(`subscription '${A}'`);

    expect((await putAssignment(arm, subscriptionPath(arm, B), NAME_2, { roleDefinitionId: roleIn(B), principalId: principal })).status).toBe(201);
    expect((await putAssignment(arm, `${subscriptionPath(arm, B)}/resourceGroups/rg`, NAME_3, { roleDefinitionId: roleIn(B), principalId: principal })).status).toBe(201);
    const fullB = await putAssignment(arm, `${subscriptionPath(arm, B)}/resourceGroups/x`, "44444444-4444-4444-8444-444444444444", {
      roleDefinitionId: roleIn(B),
      principalId: principal,
    });
    expect(fullB.body.error.code).toBe("RoleAssignmentLimitExceeded");

    // A delete in A makes room in A.
    const [first] = arm.roleAssignments();
    expect((await call(arm, "DELETE", first!.id, { apiVersion: AUTHORIZATION_API })).status).toBe(200);
    expect((await putAssignment(arm, `${subscriptionPath(arm, A)}/resourceGroups/other`, NAME_1, { roleDefinitionId: roleIn(A), principalId: principal })).status).toBe(201);
  });

  it("addRoleAssignment refuses a scope outside the emulator's subscriptions", async () => {
    await start();
    expect(() => arm.addRoleAssignment({ scope: "/subscriptions/c", roleDefinitionId: READER, principalId: NAME_1 })).toThrow(
      /scope must be a subscription, resource group or resource id in one of the emulator's subscriptions/,
    );
    const id = arm.addRoleAssignment({ scope: subscriptionPath(arm, B), roleDefinitionId: READER, principalId: NAME_1 });
    expect(id).toBe(`${assignmentsAt(subscriptionPath(arm, B))}/${arm.roleAssignments()[0]!.name}`);
    expect(arm.roleAssignments()[0]!.roleDefinitionId).toBe(roleIn(B));
  });

  it("an unknown subscription's scope is 404 SubscriptionNotFound for assignments and definitions", async () => {
    await start();
    const other = "/subscriptions/cccccccc-0000-4000-8000-000000000003";
    expect((await putAssignment(arm, other, NAME_1, { roleDefinitionId: roleIn(A), principalId: NAME_2 })).body.error.code).toBe("SubscriptionNotFound");
    expect((await getAuthorization(arm, `${other}/providers/Microsoft.Authorization/roleDefinitions`)).body.error.code).toBe("SubscriptionNotFound");
  });
});

describe("role definitions in several subscriptions and at the root", () => {
  it("built-ins are shown with the id of the subscription they are read in, and without one at the root", async () => {
    await start();
    const filter = `?$filter=${encodeURIComponent("roleName eq 'Reader'")}`;
    for (const subscription of [A, B]) {
      const reply = await getAuthorization(arm, `${subscriptionPath(arm, subscription)}/providers/Microsoft.Authorization/roleDefinitions${filter}`);
      expect(reply.body.value.map((r: { id: string }) => r.id)).toEqual([roleIn(subscription)]);
    }
    const root = await getAuthorization(arm, `/providers/Microsoft.Authorization/roleDefinitions${filter}`);
    expect(root.status).toBe(200);
    expect(root.body.value.map((r: { id: string }) => r.id)).toEqual([`/providers/Microsoft.Authorization/roleDefinitions/${READER}`]);
    const byId = await getAuthorization(arm, `/providers/Microsoft.Authorization/roleDefinitions/${READER}`);
    expect(byId.body.properties.roleName).toBe("Reader");
  });

  it("a custom role is assignable in every subscription served unless its scopes say otherwise", async () => {
    await start();
    const everywhere = arm.addRoleDefinition({ name: "Fleet Operator" });
    arm.addRoleDefinition({ name: "Only A", assignableScopes: [subscriptionPath(arm, A)] });
    expect(everywhere).toMatch(new RegExp(`^/subscriptions/${A}/providers/Microsoft\\.Authorization/roleDefinitions/`));
    const names = async (subscription: string) =>
      (await getAuthorization(arm, `${subscriptionPath(arm, subscription)}/providers/Microsoft.Authorization/roleDefinitions`)).body.value
        .filter((r: { properties: { type: string } }) => r.properties.type === "CustomRole")
        .map((r: { properties: { roleName: string } }) => r.properties.roleName);
    expect(await names(A)).toEqual(["Fleet Operator", "Only A"]);
    expect(await names(B)).toEqual(["Fleet Operator"]);
  });
});
