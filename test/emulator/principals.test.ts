/**
 * The directory behind role assignments: replication delay on emulator time,
 * unknown and mistyped principals, and the orphans a disabled identity leaves.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import { CONTRIBUTOR, getAuthorization, groupScope, putAssignment, READER, roleId, subscriptionScope, vmssPath, writeAndSettle } from "./accessHelpers.js";
import { call, MSI_API, uaiPath, vmPath } from "./helpers.js";

let arm: FakeArm;
let now: number;
afterEach(async () => arm.close());

const DELAY = 30_000;
const NAME_1 = "11111111-1111-4111-8111-111111111111";
const NAME_2 = "22222222-2222-4222-8222-222222222222";
const NAME_3 = "33333333-3333-4333-8333-333333333333";

/** An emulator on a clock the test moves; operations finish on their first poll. */
async function start(options: FakeArmOptions = {}): Promise<void> {
  now = 1_000_000;
  arm = await startFakeArm({ pollsUntilDone: 0, autoCompleteAfterMs: Infinity, clock: () => now, ...options });
}

const assign = (principalId: string, name = NAME_1, extra: Record<string, unknown> = {}, role = READER) =>
  putAssignment(arm, subscriptionScope(arm), name, { roleDefinitionId: roleId(arm, role), principalId, ...extra });

/** Enables the VM's system identity over HTTP and returns its new principal. */
async function enableSystem(path: string): Promise<string> {
  const reply = await writeAndSettle(arm, "PATCH", path, { identity: { type: "SystemAssigned" } });
  expect(reply.status).toBe(200);
  return (await call(arm, "GET", path)).body.identity.principalId;
}

describe("replication delay (principalReplicationDelayMs, emulator time)", () => {
  it("a principal that just appeared is PrincipalNotFound unless the body gives principalType", async () => {
    await start({ principalReplicationDelayMs: DELAY });
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
    const principal = await enableSystem(vmPath(arm, "rg", "vm"));

    const early = await assign(principal);
    expect(early.status).toBe(400);
    expect(early.body.error.code).toBe("PrincipalNotFound");
    expect(early.body.error.message).toContain(`Principal ${principal.replace(/-/g, "")} does not exist in the directory ${arm.tenantId}`);

    const typed = await assign(principal, NAME_1, { principalType: "ServicePrincipal" });
    expect(typed.status).toBe(201);
    expect(typed.body.properties.principalType).toBe("ServicePrincipal");

    now += DELAY - 1;
    expect((await assign(principal, NAME_2, {}, CONTRIBUTOR)).body.error.code).toBe("PrincipalNotFound");
    now += 1;
    const late = await assign(principal, NAME_2, {}, CONTRIBUTOR);
    expect(late.status).toBe(201);
    expect(late.body.properties.principalType).toBe("ServicePrincipal");
  });

  it("applies to user-assigned identities created over HTTP and to seeded ones", async () => {
    await start({ principalReplicationDelayMs: DELAY });
    const created = await call(arm, "PUT", uaiPath(arm, "ids", "made"), { body: { location: "westeurope" }, apiVersion: MSI_API });
    expect(created.status).toBe(201);
    arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "seeded", location: "westeurope" });
    const seeded = arm.getUserAssignedIdentity("ids", "seeded")!.properties.principalId;
    expect((await assign(created.body.properties.principalId)).body.error.code).toBe("PrincipalNotFound");
    expect((await assign(seeded, NAME_2)).body.error.code).toBe("PrincipalNotFound");
    now += DELAY;
    expect((await assign(created.body.properties.principalId)).status).toBe(201);
    expect((await assign(seeded, NAME_2)).status).toBe(201);
  });

  it("is none by default", async () => {
    await start();
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
    expect((await assign(await enableSystem(vmPath(arm, "rg", "vm")))).status).toBe(201);
  });

  it("an unknown principal is PrincipalNotFound, principalType or not, at any time", async () => {
    await start({ principalReplicationDelayMs: DELAY });
    const stranger = "0badbeef-0000-4000-8000-000000000000";
    expect((await assign(stranger)).body.error.code).toBe("PrincipalNotFound");
    expect((await assign(stranger, NAME_1, { principalType: "ServicePrincipal" })).body.error.code).toBe("PrincipalNotFound");
    now += 10 * DELAY;
    expect((await assign(stranger)).body.error.code).toBe("PrincipalNotFound");
  });

  it("a principalType that is not the principal's answers 400 UnmatchedPrincipalType once it has replicated", async () => {
    await start();
    const user = arm.addPrincipal({ principalType: "User" });
    const app = arm.addPrincipal({ principalType: "ServicePrincipal" });
    const mismatch = await assign(app, NAME_1, { principalType: "User" });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.code).toBe("UnmatchedPrincipalType");
    expect((await assign(user, NAME_2)).body.properties.principalType).toBe("User");
    expect((await assign(user, NAME_3, { principalType: "user" }, CONTRIBUTOR)).status).toBe(201);
  });

  it("addPrincipal refuses a malformed or taken id", async () => {
    await start();
    const id = arm.addPrincipal();
    expect(() => arm.addPrincipal({ principalId: id })).toThrow(/exists/);
    expect(() => arm.addPrincipal({ principalId: "x" })).toThrow(/GUID/);
  });
});

describe("orphans: disabling an identity deletes its principal and keeps its assignments", () => {
  async function vmWithGrant(options: FakeArmOptions = {}) {
    await start(options);
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux", identity: { type: "SystemAssigned" } });
    const principal = arm.getVm("rg", "vm")!.identity!.principalId!;
    expect((await assign(principal)).status).toBe(201);
    return principal;
  }

  it("after PATCH type None the assignment is still listed, principalType Unknown (as ARM shows it), and arm.roleAssignments() marks it orphaned", async () => {
    const principal = await vmWithGrant();
    expect(arm.roleAssignments()[0]!.orphaned).toBe(false);
    await writeAndSettle(arm, "PATCH", vmPath(arm, "rg", "vm"), { identity: { type: "None" } });

    const listed = await getAuthorization(arm, `${subscriptionScope(arm)}/providers/Microsoft.Authorization/roleAssignments?$filter=${encodeURIComponent(`principalId eq '${principal}'`)}`);
    expect(listed.body.value).toHaveLength(1);
    expect(listed.body.value[0].properties).toMatchObject({ principalId: principal, principalType: "Unknown" });
    expect(arm.roleAssignments()).toEqual([expect.objectContaining({ principalId: principal, orphaned: true, principalType: "Unknown" })]);
  });

  it("shows an orphan's principalType as it was made with orphanPrincipalType: 'stored'", async () => {
    const principal = await vmWithGrant({ orphanPrincipalType: "stored" });
    await writeAndSettle(arm, "PATCH", vmPath(arm, "rg", "vm"), { identity: { type: "None" } });
    const [held] = arm.roleAssignments();
    expect(held).toMatchObject({ principalId: principal, principalType: "ServicePrincipal", orphaned: true });
    expect((await getAuthorization(arm, held!.id)).body.properties.principalType).toBe("ServicePrincipal");
  });

  it("enabling it again makes a new principal; the orphan keeps the old one, which is gone from the directory", async () => {
    const old = await vmWithGrant();
    await writeAndSettle(arm, "PATCH", vmPath(arm, "rg", "vm"), { identity: { type: "None" } });
    const renewed = await enableSystem(vmPath(arm, "rg", "vm"));
    expect(renewed).not.toBe(old);
    expect(arm.roleAssignments().map((a) => [a.principalId, a.orphaned])).toEqual([[old, true]]);
    expect((await assign(old, NAME_2, {}, CONTRIBUTOR)).body.error.code).toBe("PrincipalNotFound");
    expect((await assign(renewed, NAME_2, {}, CONTRIBUTOR)).status).toBe(201);
  });

  it("going from SystemAssigned, UserAssigned to UserAssigned deletes the system principal too", async () => {
    await start();
    const uai = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "x", location: "westeurope" });
    arm.addVm({
      resourceGroup: "rg",
      name: "vm",
      location: "westeurope",
      osType: "Linux",
      identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [uai]: {} } },
    });
    const system = arm.getVm("rg", "vm")!.identity!.principalId!;
    const user = arm.getUserAssignedIdentity("ids", "x")!.properties.principalId;
    await assign(system, NAME_1);
    await assign(user, NAME_2);
    await writeAndSettle(arm, "PATCH", vmPath(arm, "rg", "vm"), { identity: { type: "UserAssigned" } });
    expect(arm.roleAssignments().map((a) => [a.principalId, a.orphaned])).toEqual([
      [system, true],
      [user, false],
    ]);
  });

  it("deleting a user-assigned identity orphans its assignments", async () => {
    await start();
    arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "x", location: "westeurope" });
    const principal = arm.getUserAssignedIdentity("ids", "x")!.properties.principalId;
    await assign(principal);
    expect((await call(arm, "DELETE", uaiPath(arm, "ids", "x"), { apiVersion: MSI_API })).status).toBe(200);
    expect(arm.roleAssignments()[0]!.orphaned).toBe(true);
  });

  it("a failed write changes no principal", async () => {
    await start();
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
    const refused = await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: { identity: { type: "Bogus" } } });
    expect(refused.status).toBe(400);
    expect(arm.getVm("rg", "vm")).not.toHaveProperty("identity");
  });
});

describe("scale sets and their instances", () => {
  it("a scale set's system identity is a principal; disabling it orphans its assignments", async () => {
    await start();
    arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux" });
    const principal = await enableSystem(vmssPath(arm, "rg", "ss"));
    expect((await assign(principal)).status).toBe(201);
    await writeAndSettle(arm, "PATCH", vmssPath(arm, "rg", "ss"), { identity: { type: "None" } });
    expect(arm.roleAssignments()[0]).toMatchObject({ principalId: principal, orphaned: true });
  });

  it("a seeded scale set's system identity is a principal at once", async () => {
    await start();
    arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux", identity: { type: "SystemAssigned" } });
    expect((await assign(arm.getVmss("rg", "ss")!.identity!.principalId!)).status).toBe(201);
  });

  it("a Flexible instance VM's system identity is a principal", async () => {
    await start();
    arm.addVmss({ resourceGroup: "rg", name: "flex", location: "westeurope", osType: "Linux", orchestrationMode: "Flexible", capacity: 1 });
    const [instance] = arm.getVmssInstances("rg", "flex")!;
    const principal = await enableSystem(instance!.id);
    expect((await putAssignment(arm, groupScope(arm, "rg"), NAME_1, { roleDefinitionId: roleId(arm, READER), principalId: principal })).status).toBe(201);
  });
});
