/**
 * Roles from the command line, run in this process against the emulator:
 * `assign --role/--scope` (who gets the role, the exact requests, dry runs,
 * fleets), `remove` naming or deleting the role assignments a disabled
 * system identity leaves behind, and `role list|grant|revoke`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeArm } from "azure-vm-identity/testing";
import { type Fixture, RG, runInProcess, startFixture, vmId } from "./helpers.js";

const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";

let fx: Fixture;
let sub: string;
let data: string;
beforeEach(async () => {
  fx = await startFixture();
  sub = `/subscriptions/${fx.arm.subscriptionId}`;
  data = `${sub}/resourceGroups/data`;
  fx.arm.clearRequests();
});
afterEach(async () => {
  await fx.arm.close();
});

/** What the emulator holds: [role GUID, scope, principal, orphaned], sorted. */
const held = (arm: FakeArm) =>
  arm
    .roleAssignments()
    .map((a) => [a.roleDefinitionId.split("/").pop(), a.scope, a.principalId, a.orphaned] as const)
    .sort((x, y) => `${x[0]}${x[1]}`.localeCompare(`${y[0]}${y[1]}`));
const roleRequests = (arm: FakeArm) => arm.requests.filter((r) => r.url.includes("Microsoft.Authorization")).map((r) => `${r.method} ${new URL(r.url).pathname.split("/providers/")[1]}`);
const principalOf = (arm: FakeArm, vm: string) => arm.getVm(RG, vm)!.identity!.principalId!;

describe("assign --role --scope", () => {
  it("enables the system identity and grants each pair to it in the same call: one correlation id, the PUTs after the PATCH, roleAssignments in -o json", async () => {
    const r = await runInProcess(["assign", "-g", RG, "-n", "win-vm", "--role", "Reader", "--scope", data, "--role", SECRETS_USER, "--scope", sub, ...fx.flags]);
    expect(r.code).toBe(0);
    const principal = principalOf(fx.arm, "win-vm");
    const result = JSON.parse(r.stdout);
    expect(result.roleAssignments).toEqual([
      { id: expect.stringMatching(new RegExp(`^${data}/providers/Microsoft.Authorization/roleAssignments/[0-9a-f-]{36}$`)), role: "Reader", scope: data, principalId: principal, roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, identity: "system", created: true },
      expect.objectContaining({ role: SECRETS_USER, scope: sub, principalId: principal, created: true }),
    ]);
    expect(held(fx.arm)).toEqual([
      [SECRETS_USER, sub, principal, false],
      [READER, data, principal, false],
    ]);
    const methods = fx.arm.requests.map((q) => q.method);
    expect(methods.indexOf("PATCH")).toBeLessThan(methods.indexOf("PUT"));
    expect(fx.arm.requests.filter((q) => q.method === "PUT").map((q) => (q.body as { properties: { principalType: string } }).properties.principalType)).toEqual(["ServicePrincipal", "ServicePrincipal"]);
    expect(new Set(fx.arm.requests.map((q) => q.headers["x-ms-correlation-request-id"])).size).toBe(1);

    // Again: every grant found by its name, nothing written.
    fx.arm.clearRequests();
    const again = await runInProcess(["assign", "-g", RG, "-n", "win-vm", "--role", "Reader", "--scope", data, "-o", "table", ...fx.flags]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Role assignments:\n  Reader at");
    expect(again.stdout.replace(/\n\s+/g, " ")).toContain("to the system identity: already granted");
    expect(fx.arm.requests.filter((q) => q.method !== "GET")).toEqual([]);
  });

  it("with only one user-assigned identity named, it gets the roles; --role-identity says who instead ([system], a name, once per pair)", async () => {
    const one = await runInProcess(["assign", "-g", RG, "-n", "win-vm", "--identities", "app-identity", "--role", "Reader", "--scope", data, ...fx.flags]);
    expect(one.code).toBe(0);
    const app = fx.arm.getUserAssignedIdentity(RG, "app-identity")!.properties.principalId;
    const granted = JSON.parse(one.stdout).roleAssignments as { identity: string; principalId: string; created: boolean }[];
    expect(granted.map((g) => [g.identity.toLowerCase(), g.principalId, g.created])).toEqual([[fx.uai.app.toLowerCase(), app, true]]);
    expect(fx.arm.getVm(RG, "win-vm")!.identity!.type).toBe("UserAssigned");

    const linuxSystem = principalOf(fx.arm, "linux-vm");
    const ops = fx.arm.getUserAssignedIdentity(RG, "ops-identity")!.properties.principalId;
    const perPair = await runInProcess(
      ["assign", "-g", RG, "-n", "linux-vm", "--identities", "app-identity", "spare-identity",
        "--role", "Reader", "--scope", sub, "--role-identity", "[system]",
        "--role", "Reader", "--scope", data, "--role-identity", "ops-identity", ...fx.flags],
    );
    expect(perPair.code).toBe(0);
    expect(JSON.parse(perPair.stdout).roleAssignments.map((a: { principalId: string; scope: string }) => [a.principalId, a.scope])).toEqual([
      [linuxSystem, sub],
      [ops, data],
    ]);
  });

  it("a --role without a --scope, a bad role or scope, and several user-assigned identities without --role-identity: exit 2 before any request", async () => {
    const cases: [string[], string][] = [
      [["--role", "Reader"], "1 --role and 0 --scope"],
      [["--scope", data], "1 --scope and 0 --role"],
      [["--role", "/providers/nope", "--scope", data], "[InvalidRole]"],
      [["--role", "Reader", "--scope", "resourceGroups/data"], "[InvalidScope]"],
      [["--role", "Reader", "--scope", `${sub}/resourceGroups/../x`], "[InvalidScope]"],
      [["--identities", "app-identity", "spare-identity", "--role", "Reader", "--scope", data], "say it with --role-identity"],
      [["--role", "Reader", "--scope", data, "--role-identity", "id-a", "--role-identity", "id-b", "--role-identity", "id-c"], "3 --role-identity for 1 --role/--scope pairs"],
      [["--role-identity", "[system]"], "--role-identity says who gets the --role/--scope pairs, and none is given"],
      [["--role", "Reader", "--scope", data, "--no-wait"], "--no-wait and --role"],
    ];
    for (const [args, message] of cases) {
      const r = await runInProcess(["assign", "-g", RG, "-n", "win-vm", ...args, ...fx.flags]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain("Usage: vm-identity assign");
    }
    expect(fx.arm.requests).toEqual([]);
  });

  it("--dry-run shows the PATCH and then the role assignment PUT, the principal pending; a role name is looked up, nothing is written", async () => {
    const r = await runInProcess(["assign", "-g", RG, "-n", "win-vm", "--role", "Reader", "--scope", data, "--dry-run", ...fx.flags]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.requests.map((q: { method: string }) => q.method)).toEqual(["PATCH", "PUT"]);
    expect(report.requests[1]).toEqual({
      method: "PUT",
      url: `${fx.arm.endpoint}${data}/providers/Microsoft.Authorization/roleAssignments/<pending: derived from the scope, role and principal>?api-version=2022-04-01`,
      headers: { accept: "application/json", "content-type": "application/json" },
      body: { properties: { roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: "<pending: system identity of virtual machine 'win-vm'>", principalType: "ServicePrincipal" } },
    });
    expect(report.roleAssignments).toEqual([expect.objectContaining({ role: "Reader", action: "pending", identity: "system" })]);
    expect(fx.arm.requests.map((q) => q.method)).toEqual(["GET", "GET"]);
    expect(roleRequests(fx.arm)).toEqual(["GET Microsoft.Authorization/roleDefinitions"]);
    expect(fx.arm.roleAssignments()).toEqual([]);

    // An identity that exists: the PUT under its real name.
    const existing = await runInProcess(["assign", "-g", RG, "-n", "linux-vm", "--role", "Reader", "--scope", data, "--dry-run", "-o", "table", ...fx.flags]);
    const text = existing.stdout.replace(/\n {2}(?=\S)/g, " ");
    expect(text).toContain(`Reader at ${data} to the system identity: granted.`);
    expect(existing.stdout).toMatch(/PUT .*\n?.*roleAssignments\/\s*[0-9a-f-]{36}\?api-version=2022-04-01/);
  });

  it("on a fleet (-g): each VM's own principal gets the role, in one run; a replication delay does not matter (principalType is sent)", async () => {
    await fx.arm.close();
    // New principals are unknown to role assignment PUTs that name no principalType for a long while.
    fx = await startFixture({ principalReplicationDelayMs: 3_600_000 });
    const r = await runInProcess(["assign", "-g", RG, "--role", "Reader", "--scope", data, ...fx.flags]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { resourceId: string; status: string; roleAssignments: { principalId: string; created: boolean }[] }[];
    expect(rows.map((row) => [row.resourceId, row.status, row.roleAssignments.length])).toEqual([
      [vmId(fx.arm, "win-vm"), "changed", 1],
      [vmId(fx.arm, "linux-vm"), "changed", 1],
    ]);
    expect(held(fx.arm).map((h) => h[2]).sort()).toEqual([principalOf(fx.arm, "win-vm"), principalOf(fx.arm, "linux-vm")].sort());
  });
});

describe("remove of a system identity that holds role assignments", () => {
  /** linux-vm's system identity holds Reader at the data group and at the subscription. */
  async function grantTwo(): Promise<string> {
    expect((await runInProcess(["role", "grant", "-g", RG, "--vm-name", "linux-vm", "--role", "Reader", "--scope", data, "--role", "Reader", "--scope", sub, ...fx.flags])).code).toBe(0);
    fx.arm.clearRequests();
    return principalOf(fx.arm, "linux-vm");
  }

  it("keeps them (as ARM does): a warning on stderr names each by role and scope; -o json lists orphanedRoleAssignments", async () => {
    const principal = await grantTwo();
    const r = await runInProcess(["remove", "-g", RG, "-n", "linux-vm", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: disabling the system identity of VM linux-vm left these 2 role assignments orphaned");
    expect(r.stderr).toContain(`  Reader at ${data} (${data}/providers/Microsoft.Authorization/roleAssignments/`);
    expect(r.stderr).toContain(`  Reader at ${sub} (`);
    expect(r.stderr).toContain("--delete-role-assignments");
    const result = JSON.parse(r.stdout);
    expect(result.orphanedRoleAssignments).toHaveLength(2);
    expect(result.orphanedRoleAssignments[0]).toEqual({
      id: expect.any(String), name: expect.any(String), principalId: principal, principalType: "ServicePrincipal",
      roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, roleDefinitionName: "Reader",
      scope: expect.any(String), type: "Microsoft.Authorization/roleAssignments",
    });
    expect(held(fx.arm).map((h) => h[3])).toEqual([true, true]);
    expect(fx.arm.requests.filter((q) => q.method === "DELETE")).toEqual([]);
    // --only-show-errors keeps stderr quiet, as with az.
    expect((await runInProcess(["remove", "-g", RG, "-n", "linux-vm", "--only-show-errors", ...fx.flags])).stderr).toBe("");
  });

  it("--dry-run lists them; with --delete-role-assignments the DELETEs come before the PATCH", async () => {
    await grantTwo();
    const keep = await runInProcess(["remove", "-g", RG, "-n", "linux-vm", "--all", "--dry-run", "-o", "table", ...fx.flags]);
    expect(keep.code).toBe(0);
    expect(keep.stdout.replace(/\n {2}(?=\S)/g, " ")).toContain("The system identity's 2 role assignments would be left orphaned (ARM keeps them for a principal that no longer exists): Reader at");
    const json = JSON.parse((await runInProcess(["remove", "-g", RG, "-n", "linux-vm", "--delete-role-assignments", "--dry-run", ...fx.flags])).stdout);
    expect(json.requests.map((q: { method: string }) => q.method)).toEqual(["DELETE", "DELETE", "PATCH"]);
    expect(json.deletedRoleAssignments.map((a: { roleDefinitionName: string }) => a.roleDefinitionName)).toEqual(["Reader", "Reader"]);
    expect(fx.arm.requests.filter((q) => q.method !== "GET")).toEqual([]);
    expect(held(fx.arm)).toHaveLength(2);
  });

  it("--delete-role-assignments deletes them before the identity is disabled: deletedRoleAssignments, no orphan left, no warning", async () => {
    await grantTwo();
    const r = await runInProcess(["remove", "-g", RG, "-n", "linux-vm", "--delete-role-assignments", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).deletedRoleAssignments).toHaveLength(2);
    expect(fx.arm.roleAssignments()).toEqual([]);
    const methods = fx.arm.requests.map((q) => q.method).filter((m) => m !== "GET");
    expect(methods).toEqual(["DELETE", "DELETE", "PATCH"]);
  });

  it("--delete-role-assignments on a remove that keeps the system identity is a usage error before any request", async () => {
    const r = await runInProcess(["remove", "-g", RG, "-n", "linux-vm", "--identities", "ops-identity", "--delete-role-assignments", ...fx.flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("this remove keeps it");
    expect(fx.arm.requests).toEqual([]);
  });

  it("on a fleet: each VM's orphans named on stderr after the results, and in its entry", async () => {
    await grantTwo();
    const r = await runInProcess(["remove", "--ids", vmId(fx.arm, "linux-vm"), vmId(fx.arm, "win-vm"), "--all", ...fx.flags]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows.map((row: { status: string }) => row.status)).toEqual(["changed", "unchanged"]);
    expect(rows[0].orphanedRoleAssignments).toHaveLength(2);
    expect(rows[1].orphanedRoleAssignments).toBeUndefined();
    expect(r.stderr).toContain("warning: disabling the system identity of linux-vm left these 2 role assignments orphaned");
  });
});

describe("role list|grant|revoke", () => {
  it("a VM's system identity: grant (by name and GUID), list as az lists them, revoke; revoking what is not held is revoked: false", async () => {
    const grant = await runInProcess(["role", "grant", "-g", RG, "--vm-name", "linux-vm", "--role", "Reader", "--scope", data, "--role", SECRETS_USER, "--scope", sub, ...fx.flags]);
    expect(grant.code).toBe(0);
    expect((JSON.parse(grant.stdout) as { created: boolean }[]).map((g) => g.created)).toEqual([true, true]);
    const principal = principalOf(fx.arm, "linux-vm");

    const list = await runInProcess(["role", "list", "--ids", vmId(fx.arm, "linux-vm"), ...fx.flags]);
    expect(list.code).toBe(0);
    const entries = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(entries.map((e) => [e["roleDefinitionName"], e["scope"], e["principalId"]]).sort()).toEqual(
      [["Key Vault Secrets User", sub, principal], ["Reader", data, principal]].sort(),
    );
    expect(Object.keys(entries[0]!)).toEqual(["id", "name", "principalId", "principalType", "roleDefinitionId", "roleDefinitionName", "scope", "type"]);
    const table = await runInProcess(["role", "list", "-g", RG, "--vm-name", "linux-vm", "-o", "table", ...fx.flags]);
    expect(table.stdout.split("\n")[0]).toMatch(/^Principal\s+Role\s+Scope$/);
    expect(table.stdout).toMatch(/Key Vault Secrets[\s\S]*User/);
    for (const line of table.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);

    fx.arm.clearRequests();
    const dry = await runInProcess(["role", "revoke", "-g", RG, "--vm-name", "linux-vm", "--role", "Reader", "--scope", data, "--role", "Reader", "--scope", sub, "--dry-run", ...fx.flags]);
    expect(dry.code).toBe(0);
    // One DELETE: Reader at the group is held, Reader at the subscription is not.
    expect(JSON.parse(dry.stdout)).toEqual({ dryRun: true, requests: [expect.objectContaining({ method: "DELETE", url: expect.stringContaining(`${data}/providers/Microsoft.Authorization/roleAssignments/`) })] });
    expect(fx.arm.requests.filter((q) => q.method !== "GET")).toEqual([]);
    const revoke = await runInProcess(["role", "revoke", "-g", RG, "--vm-name", "linux-vm", "--role", "Reader", "--scope", data, "--role", "Reader", "--scope", sub, ...fx.flags]);
    expect(revoke.code).toBe(0);
    expect((JSON.parse(revoke.stdout) as { revoked: boolean; scope: string }[]).map((e) => [e.scope, e.revoked])).toEqual([
      [data, true],
      [sub, false],
    ]);
    expect(fx.arm.requests.filter((q) => q.method === "DELETE")).toHaveLength(1);
    expect(held(fx.arm)).toEqual([[SECRETS_USER, sub, principal, false]]);
  });

  it("a user-assigned identity by name (--identity with -g) or by id; grant twice finds it; --dry-run prints only the PUTs still needed", async () => {
    const app = fx.arm.getUserAssignedIdentity(RG, "app-identity")!.properties.principalId;
    const first = await runInProcess(["role", "grant", "--identity", "app-identity", "-g", RG, "--role", "Reader", "--scope", data, "-o", "table", ...fx.flags]);
    expect(first.code).toBe(0);
    expect(first.stdout.replace(/\n {2}/g, " ")).toBe(`Granted Reader at ${data} to identity app-identity.\n`);
    const again = await runInProcess(["role", "grant", "--identity", fx.uai.app, "--role", READER, "--scope", data, ...fx.flags]);
    expect(JSON.parse(again.stdout)).toEqual([expect.objectContaining({ created: false, principalId: app })]);
    expect(held(fx.arm)).toEqual([[READER, data, app, false]]);
    const list = await runInProcess(["role", "list", "--ids", fx.uai.app, "--query", "[].scope", "-o", "tsv", ...fx.flags]);
    expect(list.stdout).toBe(`${data}\n`);
    const writesBefore = fx.arm.requests.filter((q) => q.method !== "GET").length;
    const dry = await runInProcess(["role", "grant", "--identity", fx.uai.app, "--role", "Reader", "--role", "Reader", "--scope", sub, "--scope", data, "--dry-run", ...fx.flags]);
    expect(dry.code).toBe(0);
    // Reader at the subscription would be created; Reader at data is held already: no PUT for it.
    expect(JSON.parse(dry.stdout)).toEqual({
      dryRun: true,
      requests: [expect.objectContaining({ method: "PUT", url: expect.stringMatching(new RegExp(`^.*${sub}/providers/Microsoft.Authorization/roleAssignments/[0-9a-f-]{36}\\?api-version=`)), body: { properties: expect.objectContaining({ principalId: app, principalType: "ServicePrincipal" }) } })],
    });
    expect(fx.arm.requests.filter((q) => q.method !== "GET")).toHaveLength(writesBefore);
    expect(held(fx.arm)).toEqual([[READER, data, app, false]]);
    const revoke = await runInProcess(["role", "revoke", "--identity", "app-identity", "-g", RG, "--role", "Reader", "--scope", data, "-o", "table", ...fx.flags]);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout.replace(/\n {2}/g, " ")).toBe(`Revoked Reader at ${data} from identity app-identity.\n`);
    expect(fx.arm.roleAssignments()).toEqual([]);
  });

  it("grant --dry-run on a VM prints the PUT under its real name and sends no write", async () => {
    const r = await runInProcess(["role", "grant", "-g", RG, "--vm-name", "linux-vm", "--role", READER, "--scope", data, "--dry-run", ...fx.flags]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.requests).toEqual([expect.objectContaining({ method: "PUT", url: expect.stringMatching(/roleAssignments\/[0-9a-f-]{36}\?api-version=/) })]);
    expect(fx.arm.requests.filter((q) => q.method !== "GET")).toEqual([]);
  });

  it("a VM without a system identity: grant fails after the read (exit 1, SystemIdentityNotEnabled), list is empty", async () => {
    const grant = await runInProcess(["role", "grant", "-g", RG, "--vm-name", "win-vm", "--role", "Reader", "--scope", data, ...fx.flags]);
    expect(grant.code).toBe(1);
    expect(grant.stderr).toContain("SystemIdentityNotEnabled");
    expect(fx.arm.requests.filter((q) => q.method !== "GET")).toEqual([]);
    const list = await runInProcess(["role", "list", "-g", RG, "--vm-name", "win-vm", "-o", "table", ...fx.flags]);
    expect(list.stdout).toBe("No role assignment found.\n");
  });

  it("mistakes are usage errors before any request: no principal, two, a name without -g, an id of another kind, a pair missing", async () => {
    const cases: [string[], string][] = [
      [["list"], "No principal given"],
      [["list", "-g", RG, "--vm-name", "a", "--identity", "b"], "--vm-name and --identity each name a principal"],
      [["list", "--identity", "app-identity"], "--identity app-identity: pass its resource group"],
      [["list", "--ids", `${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa`], "is a Microsoft.Storage/storageAccounts: expected the id of a VM"],
      [["grant", "-g", RG, "--vm-name", "linux-vm", "--role", "Reader"], "1 --role and 0 --scope"],
      [["grant", "-g", RG, "--vm-name", "linux-vm"], "Nothing to grant"],
      [["revoke", "-g", RG, "--vm-name", "linux-vm", "--role", "", "--scope", data], "--role must not be empty"],
      [["revoke", "-g", RG, "--vm-name", "linux-vm", "--role", "Reader", "--scope", "/subscriptions/nope"], "[InvalidScope]"],
    ];
    for (const [args, message] of cases) {
      const r = await runInProcess(["role", ...args, ...fx.flags]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(fx.arm.requests).toEqual([]);
  });

  it("a 403 on the grant keeps ARM's code and names the permission it needs (exit 1)", async () => {
    fx.arm.denyActions([{ action: "Microsoft.Authorization/roleAssignments/write" }]);
    const r = await runInProcess(["role", "grant", "-g", RG, "--vm-name", "linux-vm", "--role", "Reader", "--scope", data, ...fx.flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("403");
    expect(r.stderr).toContain("Microsoft.Authorization/roleAssignments/write");
  });
});
