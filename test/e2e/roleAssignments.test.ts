/**
 * Role assignments end to end, against the emulator's access model: grants
 * by name, GUID and id, to system and user-assigned identities, with and
 * without replication delay, twice; disables that keep or delete them; the
 * emulator's own assignments compared with what was asked each time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type VmIdentityClient, isInvalidInputError, isRestError } from "../../src/index.js";
import type { FakeArm, FakeArmOptions } from "../../src/testing/index.js";
import { emulatorWithClient } from "../support/emulator.js";

const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";
const BLOB_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";

let arm: FakeArm | undefined;
afterEach(async () => {
  await arm?.close();
  arm = undefined;
});

async function start(options: FakeArmOptions = {}): Promise<{ arm: FakeArm; client: VmIdentityClient; sub: string; data: string; vault: string }> {
  const setup = await emulatorWithClient(options);
  arm = setup.arm;
  const sub = `/subscriptions/${arm.subscriptionId}`;
  return { ...setup, sub, data: `${sub}/resourceGroups/data`, vault: `${sub}/resourceGroups/data/providers/Microsoft.KeyVault/vaults/kv1` };
}

/** What the emulator holds, in a comparable form. */
const held = (a: FakeArm) =>
  a
    .roleAssignments()
    .map((r) => ({ scope: r.scope.toLowerCase(), principalId: r.principalId, role: r.roleDefinitionId.split("/").pop(), orphaned: r.orphaned }))
    .sort((x, y) => `${x.scope}${x.role}${x.principalId}`.localeCompare(`${y.scope}${y.role}${y.principalId}`));
const putsOf = (a: FakeArm) => a.requests.filter((r) => r.method === "PUT" && r.url.includes("/roleAssignments/"));

describe("grants with an identity change", () => {
  it("by name, GUID and full id, to a new system identity: one PUT each, what the emulator holds is what was asked", async () => {
    const { arm, client, sub, data, vault } = await start();
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
    const result = await client
      .vm("rg", "vm1")
      .identity()
      .enableSystemAssigned()
      .grant({ role: "Reader", scope: data })
      .grant({ role: SECRETS_USER, scope: vault })
      .grant({ role: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${BLOB_READER}`, scope: sub })
      .apply();
    const principal = result.identity.systemAssigned!.principalId;
    expect(result.roleAssignments!.map((a) => [a.role, a.created, a.principalId])).toEqual([
      ["Reader", true, principal],
      [SECRETS_USER, true, principal],
      [`${sub}/providers/Microsoft.Authorization/roleDefinitions/${BLOB_READER}`, true, principal],
    ]);
    expect(held(arm)).toEqual(
      [
        { scope: data.toLowerCase(), principalId: principal, role: READER, orphaned: false },
        { scope: vault.toLowerCase(), principalId: principal, role: SECRETS_USER, orphaned: false },
        { scope: sub.toLowerCase(), principalId: principal, role: BLOB_READER, orphaned: false },
      ].sort((x, y) => `${x.scope}${x.role}${x.principalId}`.localeCompare(`${y.scope}${y.role}${y.principalId}`)),
    );
    expect(arm.roleAssignments().map((a) => a.principalType)).toEqual(["ServicePrincipal", "ServicePrincipal", "ServicePrincipal"]);
    // One call, one correlation id; the role definition looked up once (the name), not for the GUID or the id.
    expect(new Set(arm.requests.map((r) => r.headers["x-ms-correlation-request-id"])).size).toBe(1);
    expect(arm.requests.filter((r) => r.url.includes("/roleDefinitions"))).toHaveLength(1);
    expect(putsOf(arm)).toHaveLength(3);
    expect(result.roleAssignments!.map((a) => a.id).sort()).toEqual(arm.roleAssignments().map((a) => a.id).sort());
  });

  it("twice is idempotent: the second call finds each grant (created: false), writes nothing, and the emulator holds no more", async () => {
    const { arm, client, data } = await start();
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
    const change = client.vm("rg", "vm1").identity().enableSystemAssigned().grant({ role: "Reader", scope: data });
    const first = await change.apply();
    const before = held(arm);
    arm.clearRequests();
    const second = await change.apply();
    expect(second.changed).toBe(false);
    expect(second.roleAssignments).toEqual(first.roleAssignments!.map((a) => ({ ...a, created: false })));
    expect(held(arm)).toEqual(before);
    expect(arm.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });

  for (const [what, options] of [
    ["with no replication delay", { principalReplicationDelayMs: 0 }],
    ["while the new principal replicates (60 s)", { principalReplicationDelayMs: 60_000 }],
  ] as const) {
    it(`${what}: principalType spares the PrincipalNotFound, one PUT does it`, async () => {
      const { arm, client, data } = await start(options);
      arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
      const result = await client.vm("rg", "vm1").identity().enableSystemAssigned().grant({ role: "Reader", scope: data }).apply();
      expect(putsOf(arm).map((r) => r.status)).toEqual([201]);
      expect(putsOf(arm)[0]!.body).toMatchObject({ properties: { principalType: "ServicePrincipal" } });
      expect(held(arm)).toEqual([{ scope: data.toLowerCase(), principalId: result.identity.systemAssigned!.principalId, role: READER, orphaned: false }]);
      if (options.principalReplicationDelayMs > 0) {
        // The delay is in force: the same grant without principalType is refused.
        const name = "5e7f0a1c-0000-4000-8000-000000000001";
        const response = await fetch(`${arm.endpoint}${data}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`, {
          method: "PUT",
          headers: { authorization: `Bearer ${(await arm.credential.getToken("x"))!.token}`, "content-type": "application/json" },
          body: JSON.stringify({ properties: { roleDefinitionId: `/subscriptions/${arm.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BLOB_READER}`, principalId: result.identity.systemAssigned!.principalId } }),
        });
        expect(response.status).toBe(400);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe("PrincipalNotFound");
      }
    });
  }

  it("PrincipalNotFound answers are retried under the same name until the grant lands", async () => {
    const { arm, client, data } = await start();
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
    arm.injectFault({ method: "PUT", pathIncludes: "/roleAssignments/", times: 2, status: 400, body: { error: { code: "PrincipalNotFound", message: "not replicated yet" } } });
    const result = await client.vm("rg", "vm1").identity().enableSystemAssigned().grant({ role: "Reader", scope: data }).apply({ replicationRetryDelayInMs: 0 });
    expect(putsOf(arm).map((r) => r.status)).toEqual([400, 400, 201]);
    expect(new Set(putsOf(arm).map((r) => r.url)).size).toBe(1);
    expect(result.roleAssignments![0]!.created).toBe(true);
    expect(arm.roleAssignments()).toHaveLength(1);
  });

  it("a grant whose answer was lost is replayed under the same name: one assignment, reported created", async () => {
    const { arm, client, data } = await start();
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
    arm.injectFault({ method: "PUT", pathIncludes: "/roleAssignments/", kind: "lose-response" });
    const result = await client.vm("rg", "vm1").identity().enableSystemAssigned().grant({ role: "Reader", scope: data }).apply();
    expect(putsOf(arm).length).toBe(2);
    expect(arm.roleAssignments()).toHaveLength(1);
    expect(result.roleAssignments![0]!.created).toBe(true);
  });

  it("to user-assigned identities, assigned now or held already, and through the identity's own handle", async () => {
    const { arm, client, data, vault } = await start({ principalReplicationDelayMs: 30_000 });
    const held1 = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "id-one", location: "westeurope" });
    const new1 = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "id-two", location: "westeurope" });
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux", identity: { type: "UserAssigned", userAssignedIdentities: { [held1]: {} } } });
    const result = await client
      .vm("rg", "vm1")
      .identity()
      .assignUserAssigned(new1)
      .grant({ role: "Reader", scope: data, identity: held1 })
      .grant({ role: "Key Vault Secrets User", scope: vault, identity: new1 })
      .apply();
    const principalOf = (id: string) => arm.getUserAssignedIdentity("ids", id.split("/").pop()!)!.properties.principalId;
    expect(result.roleAssignments!.map((a) => [a.identity.toLowerCase(), a.principalId, a.created])).toEqual([
      [held1.toLowerCase(), principalOf(held1), true],
      [new1.toLowerCase(), principalOf(new1), true],
    ]);
    const byHandle = await client.userAssignedIdentity("ids", "id-two").grant({ role: "Reader", scope: data });
    expect(byHandle).toMatchObject({ principalId: principalOf(new1), created: true });
    const again = await client.userAssignedIdentity("ids", "id-two").grant({ role: READER, scope: data });
    expect(again).toMatchObject({ id: byHandle.id, created: false });
    expect(held(arm)).toEqual(
      [
        { scope: data.toLowerCase(), principalId: principalOf(held1), role: READER, orphaned: false },
        { scope: vault.toLowerCase(), principalId: principalOf(new1), role: SECRETS_USER, orphaned: false },
        { scope: data.toLowerCase(), principalId: principalOf(new1), role: READER, orphaned: false },
      ].sort((x, y) => `${x.scope}${x.role}${x.principalId}`.localeCompare(`${y.scope}${y.role}${y.principalId}`)),
    );
    expect((await client.userAssignedIdentity("ids", "id-two").roleAssignments()).map((a) => a.roleDefinitionId.split("/").pop()).sort()).toEqual([SECRETS_USER, READER].sort());
  });

  it("an unknown or ambiguous role name is refused before any write, naming the role and the scope", async () => {
    const { arm, client, data } = await start();
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
    arm.addRoleDefinition({ name: "Twin" });
    arm.addRoleDefinition({ name: "Twin" });
    for (const [role, code] of [["No Such Role", "RoleNotFound"], ["Twin", "AmbiguousRole"]] as const) {
      const e = await client.vm("rg", "vm1").identity().enableSystemAssigned().grant({ role, scope: data }).apply().catch((err: unknown) => err);
      expect(isInvalidInputError(e, code)).toBe(true);
      expect((e as Error).message).toContain(role);
      expect((e as Error).message).toContain(data);
    }
    expect(arm.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(arm.getVm("rg", "vm1")!.identity).toBeUndefined();
  });

  it("a caller without roleAssignments/write gets the 403 with the permission it needs; granting again once allowed completes it", async () => {
    const { arm, client, data } = await start();
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
    arm.denyActions([{ action: "Microsoft.Authorization/roleAssignments/write" }]);
    const change = client.vm("rg", "vm1").identity().enableSystemAssigned().grant({ role: "Reader", scope: data });
    const e = await change.apply().catch((err: unknown) => err);
    expect(isRestError(e) && e.statusCode).toBe(403);
    expect(isRestError(e) && e.code).toBe("AuthorizationFailed");
    expect((e as Error).message).toContain("Microsoft.Authorization/roleAssignments/write");
    arm.clearDenials();
    const done = await change.apply();
    expect(done.changed).toBe(false);
    expect(done.roleAssignments![0]!.created).toBe(true);
  });

  it("the subscription's role assignment limit surfaces as ARM's error", async () => {
    const { arm, client, data } = await start({ roleAssignmentLimit: 0 });
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
    const e = await client.vm("rg", "vm1").identity().enableSystemAssigned().grant({ role: "Reader", scope: data }).apply().catch((err: unknown) => err);
    expect(isRestError(e) && e.code).toBe("RoleAssignmentLimitExceeded");
  });
});

describe("disabling a system identity that holds role assignments", () => {
  async function granted(options: FakeArmOptions = {}) {
    const setup = await start(options);
    setup.arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
    const result = await setup.client.vm("rg", "vm1").identity().enableSystemAssigned().grant({ role: "Reader", scope: setup.data }).grant({ role: "Reader", scope: setup.sub }).apply();
    return { ...setup, principal: result.identity.systemAssigned!.principalId, granted: result.roleAssignments! };
  }

  it("keep (the default): ARM keeps them, orphaned; the result names them; enabling again gives a principal none applies to", async () => {
    const { arm, client, principal, granted: grants } = await granted();
    const result = await client.vm("rg", "vm1").disableSystemAssigned();
    expect(result.orphanedRoleAssignments!.map((a) => a.id).sort()).toEqual(grants.map((a) => a.id).sort());
    expect(arm.roleAssignments().map((a) => [a.principalId, a.orphaned])).toEqual([
      [principal, true],
      [principal, true],
    ]);
    const again = await client.vm("rg", "vm1").enableSystemAssigned();
    expect(again.identity.systemAssigned!.principalId).not.toBe(principal);
    expect(await client.vm("rg", "vm1").roleAssignments()).toEqual([]);
  });

  it("delete: they are deleted before the disable; the emulator holds none of them, nothing is orphaned", async () => {
    const { arm, client, granted: grants } = await granted();
    arm.clearRequests();
    const result = await client.vm("rg", "vm1").disableSystemAssigned({ roleAssignments: "delete" });
    expect(result.deletedRoleAssignments!.map((a) => a.id).sort()).toEqual(grants.map((a) => a.id).sort());
    expect(arm.roleAssignments()).toEqual([]);
    const deletes = arm.requests.filter((r) => r.method === "DELETE");
    const patch = arm.requests.findIndex((r) => r.method === "PATCH" && r.url.includes("/virtualMachines/vm1"));
    expect(deletes.map((r) => r.status)).toEqual([200, 200]);
    expect(arm.requests.indexOf(deletes[1]!)).toBeLessThan(patch);
  });

  it("removeAll with delete removes the system identity's assignments and keeps a user-assigned identity's (its principal lives on)", async () => {
    const { arm, client, data } = await start();
    const uai = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "id-one", location: "westeurope" });
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
    const setup = await client.vm("rg", "vm1").identity().enableSystemAssigned().assignUserAssigned(uai).grant({ role: "Reader", scope: data }).grant({ role: "Reader", scope: data, identity: uai }).apply();
    const plan = await client.vm("rg", "vm1").identity().removeAll({ roleAssignments: "delete" }).plan();
    expect(plan.requests.map((r) => r.method)).toEqual(["DELETE", "PATCH"]);
    const result = await client.vm("rg", "vm1").removeAll({ roleAssignments: "delete" });
    expect(result.identity.type).toBe("None");
    expect(result.deletedRoleAssignments!.map((a) => a.principalId)).toEqual([setup.identity.systemAssigned!.principalId]);
    expect(held(arm)).toEqual([{ scope: data.toLowerCase(), principalId: setup.roleAssignments![1]!.principalId, role: READER, orphaned: false }]);
  });

  it("vm.roleAssignments() pages through the principal's assignments", async () => {
    const { arm, client, sub } = await start({ listPageSize: 2 });
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
    let change = client.vm("rg", "vm1").identity().enableSystemAssigned();
    for (const g of ["a", "b", "c", "d", "e"]) change = change.grant({ role: "Reader", scope: `${sub}/resourceGroups/${g}` });
    await change.apply();
    arm.clearRequests();
    const list = await client.vm("rg", "vm1").roleAssignments();
    expect(list.map((a) => a.scope.split("/").pop())).toEqual(["a", "b", "c", "d", "e"]);
    expect(arm.requests.filter((r) => r.url.includes("/roleAssignments"))).toHaveLength(3);
  });
});

describe("fleets", () => {
  it("grant per VM, each VM's principal; the role name looked up once for the fleet; a rerun writes nothing", async () => {
    const { arm, client, data } = await start();
    const ids = arm.addVms(6, { resourceGroup: "fleet", location: "westeurope", osType: "Linux" });
    const fleet = client.vms(ids).identity().enableSystemAssigned().grant({ role: "Reader", scope: data });
    const results = await fleet.apply({ concurrency: 3 });
    expect(results.map((r) => r.status)).toEqual(Array(6).fill("changed"));
    expect(arm.requests.filter((r) => r.url.includes("/roleDefinitions"))).toHaveLength(1);
    const principals = ids.map((id) => arm.getVm("fleet", id.split("/").pop()!)!.identity!.principalId);
    expect(held(arm).map((a) => a.principalId).sort()).toEqual([...principals].sort());
    expect(results.map((r) => r.roleAssignments![0]!.principalId)).toEqual(principals);
    arm.clearRequests();
    const rerun = await fleet.apply({ concurrency: 3 });
    expect(rerun.map((r) => r.status)).toEqual(Array(6).fill("unchanged"));
    expect(arm.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(held(arm)).toHaveLength(6);
  });

  it("one shared user-assigned identity granted once for the whole fleet", async () => {
    const { arm, client, data } = await start();
    const uai = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "shared", location: "westeurope" });
    const ids = arm.addVms(5, { resourceGroup: "fleet", location: "westeurope", osType: "Linux" });
    const results = await client.vms({ resourceGroup: "fleet" }).identity().assignUserAssigned(uai).grant({ role: "Reader", scope: data, identity: uai }).apply();
    expect(results).toHaveLength(ids.length);
    expect(results.every((r) => r.status === "changed")).toBe(true);
    expect(putsOf(arm)).toHaveLength(1);
    expect(results.filter((r) => r.roleAssignments![0]!.created)).toHaveLength(1);
    expect(arm.roleAssignments()).toHaveLength(1);
  });

  it("plan() shows each VM's requests, the grant pending for a principal not made yet; disable with delete per VM", async () => {
    const { arm, client, data } = await start();
    const ids = arm.addVms(3, { resourceGroup: "fleet", location: "westeurope", osType: "Linux" });
    const plans = await client.vms(ids).identity().enableSystemAssigned().grant({ role: "Reader", scope: data }).plan();
    expect(plans.map((p) => p.plan!.requests.map((r) => r.method))).toEqual(Array(3).fill(["PATCH", "PUT"]));
    expect(plans.map((p) => p.plan!.roleAssignments![0]!.action)).toEqual(Array(3).fill("pending"));
    expect(arm.requests.filter((r) => r.method !== "GET")).toEqual([]);
    await client.vms(ids).identity().enableSystemAssigned().grant({ role: "Reader", scope: data }).apply();
    const kept = await client.vms(ids.slice(0, 1)).identity().disableSystemAssigned().apply();
    expect(kept[0]!.orphanedRoleAssignments).toHaveLength(1);
    const deleted = await client.vms(ids.slice(1)).identity().disableSystemAssigned({ roleAssignments: "delete" }).apply();
    expect(deleted.map((r) => r.deletedRoleAssignments!.length)).toEqual([1, 1]);
    expect(arm.roleAssignments().map((a) => a.orphaned)).toEqual([true]);
  });
});

describe("revoke", () => {
  it("by name, GUID and full id from a system identity: each assignment deleted, what the emulator holds is what is left; again is { revoked: false }", async () => {
    const { arm, client, sub, data, vault } = await start();
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux" });
    const vm = client.vm("rg", "vm1");
    const secretsId = `${sub}/providers/Microsoft.Authorization/roleDefinitions/${SECRETS_USER}`;
    const granted = await vm.identity().enableSystemAssigned()
      .grant({ role: "Reader", scope: data })
      .grant({ role: SECRETS_USER, scope: vault })
      .grant({ role: BLOB_READER, scope: sub })
      .apply();
    const principal = granted.identity.systemAssigned!.principalId;
    expect(held(arm)).toHaveLength(3);

    const byName = await vm.revoke({ role: "Reader", scope: data });
    expect(byName).toMatchObject({ revoked: true, roleAssignment: { principalId: principal, scope: data, id: granted.roleAssignments![0]!.id } });
    const byId = await vm.revoke({ role: secretsId, scope: vault });
    expect(byId.revoked).toBe(true);
    expect(held(arm)).toEqual([{ scope: sub.toLowerCase(), principalId: principal, role: BLOB_READER, orphaned: false }]);
    // The Reader grant at the group is gone; one at the subscription above it is another assignment, left alone.
    expect(await vm.revoke({ role: "Reader", scope: data })).toEqual({ revoked: false });
    expect(await vm.revoke({ role: BLOB_READER.toUpperCase(), scope: sub })).toMatchObject({ revoked: true });
    expect(arm.roleAssignments()).toEqual([]);
    expect(arm.requests.filter((r) => r.method === "DELETE")).toHaveLength(3);
  });

  it("finds an assignment another tool made under a random name through the principal's list", async () => {
    const { arm, client, data } = await start();
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux", identity: { type: "SystemAssigned" } });
    const principal = arm.getVm("rg", "vm1")!.identity!.principalId!;
    const id = arm.addRoleAssignment({ scope: data, principalId: principal, roleDefinitionId: `/subscriptions/${arm.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${READER}` });
    const result = await client.vm("rg", "vm1").revoke({ role: "Reader", scope: data });
    expect(result).toMatchObject({ revoked: true, roleAssignment: { id } });
    expect(arm.roleAssignments()).toEqual([]);
  });

  it("from a user-assigned identity, leaving another identity's grant of the same role at the same scope", async () => {
    const { arm, client, data } = await start();
    arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "one", location: "westeurope" });
    arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "two", location: "westeurope" });
    const one = client.userAssignedIdentity("ids", "one");
    const two = client.userAssignedIdentity("ids", "two");
    await one.grant({ role: "Reader", scope: data });
    const kept = await two.grant({ role: "Reader", scope: data });
    expect(await one.revoke({ role: READER, scope: data })).toMatchObject({ revoked: true });
    expect(arm.roleAssignments().map((a) => a.id)).toEqual([kept.id]);
    expect(await one.revoke({ role: READER, scope: data })).toEqual({ revoked: false });
    const missing = await client.userAssignedIdentity("ids", "three").revoke({ role: READER, scope: data }).catch((e: unknown) => e);
    expect(isRestError(missing) && missing.statusCode).toBe(404);
  });

  it("a role name no definition has at the scope is RoleNotFound; a malformed scope is refused with no request", async () => {
    const { arm, client, data } = await start();
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westeurope", osType: "Linux", identity: { type: "SystemAssigned" } });
    const e = await client.vm("rg", "vm1").revoke({ role: "No Such Role", scope: data }).catch((err: unknown) => err);
    expect(isInvalidInputError(e, "RoleNotFound")).toBe(true);
    arm.clearRequests();
    await expect(client.vm("rg", "vm1").revoke({ role: "Reader", scope: "/subscriptions/x" })).rejects.toMatchObject({ code: "InvalidScope" });
    expect(arm.requests).toEqual([]);
  });
});
