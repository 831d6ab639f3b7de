/**
 * `vm-identity vmss ...` against one emulator: identities of Uniform and
 * Flexible scale sets (with roles, orphans and dry runs) and the MSI
 * extension in a scale set's model, with and without instance upgrades.
 * Every run is in this process.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeArm } from "azure-vm-identity/testing";
import { type Fixture, RG, runInProcess, startFixture } from "./helpers.js";

const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

let fx: Fixture;
let sub: string;
let data: string;
const location = "westeurope";
beforeAll(async () => {
  fx = await startFixture();
  sub = `/subscriptions/${fx.arm.subscriptionId}`;
  data = `${sub}/resourceGroups/data`;
  fx.arm.addVmss({ resourceGroup: RG, name: "ss-uniform", location, osType: "Linux", upgradePolicy: "Manual", capacity: 2 });
  fx.arm.addVmss({ resourceGroup: RG, name: "ss-flex", location, osType: "Linux", orchestrationMode: "Flexible", capacity: 1 });
  fx.arm.addVmss({ resourceGroup: RG, name: "ss-ext", location, osType: "Windows", upgradePolicy: "Manual", capacity: 2, identity: { type: "SystemAssigned" } });
});
afterAll(async () => {
  await fx.arm.close();
});
beforeEach(() => fx.arm.clearRequests());

const ssId = (name: string) => `${sub}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
const writes = (arm: FakeArm) => arm.requests.filter((q) => q.method !== "GET").map((q) => `${q.method} ${new URL(q.url).pathname}`);
const instancesLatest = (name: string) => fx.arm.getVmssInstances(RG, name)!.map((i) => i.properties.latestModelApplied);

describe("vmss assign|show|remove", () => {
  it("assign --role/--scope: one PATCH of the scale set, then the role assignment PUT; no instance upgrade and no warning about one", async () => {
    const r = await runInProcess(["vmss", "assign", "-g", RG, "-n", "ss-uniform", "--identities", "[system]", "app-identity", "--role", "Reader", "--scope", data, "--role-identity", "[system]", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const principal = fx.arm.getVmss(RG, "ss-uniform")!.identity!.principalId!;
    const result = JSON.parse(r.stdout);
    expect(result.identity.type).toBe("SystemAssigned, UserAssigned");
    expect(result.systemAssignedIdentity).toBe(principal);
    expect(result.roleAssignments).toEqual([expect.objectContaining({ role: "Reader", scope: data, principalId: principal, identity: "system", created: true })]);
    expect(writes(fx.arm)).toEqual([
      `PATCH ${ssId("ss-uniform")}`,
      expect.stringMatching(new RegExp(`^PUT ${data}/providers/Microsoft.Authorization/roleAssignments/[0-9a-f-]{36}$`)),
    ]);
    const patch = fx.arm.requests.find((q) => q.method === "PATCH")!;
    expect(patch.body).toEqual({ identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [`${sub}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-identity`]: {} } } });
    expect(instancesLatest("ss-uniform")).toEqual([true, true]);

    // show: ARM's identity object; several --ids a table with one row each.
    const show = await runInProcess(["vmss", "show", "-g", RG, "-n", "ss-uniform", ...fx.flags]);
    expect(JSON.parse(show.stdout)).toEqual(fx.arm.getVmss(RG, "ss-uniform")!.identity);
    const table = await runInProcess(["vmss", "show", "--ids", ssId("ss-uniform"), ssId("ss-flex"), "-o", "table", ...fx.flags]);
    expect(table.stdout.split("\n")[0]).toMatch(/^SCALE SET\s+RESOURCE GROUP\s+TYPE\s+USER-ASSIGNED$/);
    expect(table.stdout).toMatch(/ss-flex\s+cli-rg\s+None/);
  });

  it("remove keeps the system identity's role assignments (a warning names them) or deletes them first with --delete-role-assignments", async () => {
    const dry = await runInProcess(["vmss", "remove", "--ids", ssId("ss-uniform"), "--all", "--delete-role-assignments", "--dry-run", ...fx.flags]);
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout);
    expect(report.requests.map((q: { method: string }) => q.method)).toEqual(["DELETE", "PATCH"]);
    expect(report.deletedRoleAssignments).toEqual([expect.objectContaining({ roleDefinitionName: "Reader", scope: data })]);
    expect(writes(fx.arm)).toEqual([]);

    const r = await runInProcess(["vmss", "remove", "-g", RG, "-n", "ss-uniform", "--identities", "[system]", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: disabling the system identity of scale set ss-uniform left this role assignment orphaned");
    expect(r.stderr).toContain(`  Reader at ${data} (`);
    expect(JSON.parse(r.stdout).orphanedRoleAssignments).toEqual([expect.objectContaining({ roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${READER}` })]);
    expect(fx.arm.getVmss(RG, "ss-uniform")!.identity!.type).toBe("UserAssigned");
    expect(writes(fx.arm)).toEqual([`PATCH ${ssId("ss-uniform")}`]);
  });

  it("a Flexible scale set: a system identity is the library's SystemIdentityNotSupported after the read (exit 1, no write); user-assigned ones are taken", async () => {
    const r = await runInProcess(["vmss", "assign", "-g", RG, "-n", "ss-flex", ...fx.flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("SystemIdentityNotSupported");
    expect(r.stderr).toContain("vm-identity assign --ids <instance VM id>");
    expect(fx.arm.requests.map((q) => q.method)).toEqual(["GET"]);
    const user = await runInProcess(["vmss", "assign", "-g", RG, "-n", "ss-flex", "--identities", "app-identity", "-o", "table", ...fx.flags]);
    expect(user.code).toBe(0);
    expect(user.stdout).toMatch(/^Changed\./);
    expect(fx.arm.getVmss(RG, "ss-flex")!.identity!.type).toBe("UserAssigned");
  });

  it("mistakes are usage errors before any request", async () => {
    const cases: [string[], string][] = [
      [["vmss", "assign", "-g", RG], "Missing the scale set's name: pass -n/--name <name>."],
      [["vmss", "assign", "-n", "ss"], "Missing the resource group"],
      [["vmss", "assign", "--ids", ssId("a"), ssId("b")], "This command changes one scale set, and --ids was given 2"],
      [["vmss", "show", "--ids", `${sub}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/vm`], "(it names a Microsoft.Compute/virtualMachines, not a scale set)"],
      [["vmss", "assign", "-g", RG, "-n", "ss", "--role", "Reader"], "1 --role and 0 --scope"],
      [["vmss", "remove", "-g", RG, "-n", "ss", "--identities", "app-identity", "--delete-role-assignments"], "this remove keeps it"],
      [["vmss", "assign", "-g", RG, "-n", "ss", "--dry-run", "--no-wait"], "--no-wait and --dry-run"],
      [["vmss", "extension", "install", "-g", RG, "-n", "ss-ext"], "the scale set is --vmss-name"],
      [["vmss", "extension", "install", "-g", RG, "--vmss-name", "ss", "--no-wait", "--upgrade-instances"], "--no-wait and --upgrade-instances"],
    ];
    for (const [args, message] of cases) {
      const r = await runInProcess([...args, ...fx.flags]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(fx.arm.requests).toEqual([]);
  });
});

describe("vmss extension install|show|remove", () => {
  const ext = "ManagedIdentityExtensionForWindows";

  it("install under Manual: the model has it and the output says how many instances lack it; --upgrade-instances upgrades them on remove", async () => {
    const dry = await runInProcess(["vmss", "extension", "install", "-g", RG, "--vmss-name", "ss-ext", "--port", "50343", "--dry-run", ...fx.flags]);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).requests).toEqual([
      expect.objectContaining({ method: "PUT", url: `${fx.arm.endpoint}${ssId("ss-ext")}/extensions/${ext}?api-version=${new URL(fx.arm.requests[0]!.url).searchParams.get("api-version")}` }),
    ]);
    expect(writes(fx.arm)).toEqual([]);

    const install = await runInProcess(["vmss", "extension", "install", "-g", RG, "--vmss-name", "ss-ext", "--port", "50343", ...fx.flags]);
    expect(install.code).toBe(0);
    const result = JSON.parse(install.stdout);
    expect(result).toMatchObject({ upgradePolicy: "Manual", instancesPending: 2, upgradedInstances: [] });
    expect(install.stderr).toContain("MSI extension is deprecated");
    expect(install.stderr).toContain("note: 2 instance(s) of scale set ss-ext do not have the latest model yet (upgrade policy Manual)");
    expect(install.stderr).toContain("--upgrade-instances");
    expect(writes(fx.arm)).toEqual([`PUT ${ssId("ss-ext")}/extensions/${ext}`]);
    expect(instancesLatest("ss-ext")).toEqual([false, false]);

    const show = await runInProcess(["vmss", "extension", "show", "--ids", ssId("ss-ext"), ...fx.flags]);
    expect(JSON.parse(show.stdout)).toMatchObject({ name: ext, properties: { settings: { port: 50343 } } });

    fx.arm.clearRequests();
    const remove = await runInProcess(["vmss", "extension", "remove", "-g", RG, "--vmss-name", "ss-ext", "--upgrade-instances", "-o", "table", ...fx.flags]);
    expect(remove.code).toBe(0);
    expect(remove.stdout.replace(/\n {2}/g, " ")).toContain(`Removed extension ${ext} from the model of ss-ext.`);
    expect(remove.stdout).toMatch(/Upgraded 2 instance\(s\) of ss-ext to the latest model: 0, 1\./);
    expect(writes(fx.arm)).toEqual([`DELETE ${ssId("ss-ext")}/extensions/${ext}`, `POST ${ssId("ss-ext")}/manualupgrade`]);
    expect(fx.arm.requests.find((q) => q.method === "POST")!.body).toEqual({ instanceIds: ["0", "1"] });
    expect(instancesLatest("ss-ext")).toEqual([true, true]);

    // Gone: show fails (exit 1), remove again is removed: false.
    const gone = await runInProcess(["vmss", "extension", "show", "-g", RG, "--vmss-name", "ss-ext", ...fx.flags]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("is not in the model of scale set ss-ext");
    const again = await runInProcess(["vmss", "extension", "remove", "-g", RG, "--vmss-name", "ss-ext", ...fx.flags]);
    expect(JSON.parse(again.stdout)).toMatchObject({ removed: false });
  });
});

describe("--no-wait, and role commands on a scale set", () => {
  it("--no-wait returns once ARM accepts the write, printing nothing; role grant|list|revoke take the scale set's system identity with --vmss-name", async () => {
    // Child processes: --no-wait stops the call mid-flight, and only there does no test interceptor (nock) sit on its sockets.
    const install = await runInProcess(["vmss", "extension", "install", "-g", RG, "--vmss-name", "ss-ext", "--no-wait", ...fx.flags]);
    expect(install.code).toBe(0);
    expect(install.stdout).toBe("");
    expect(writes(fx.arm)).toEqual([`PUT ${ssId("ss-ext")}/extensions/ManagedIdentityExtensionForWindows`]);
    fx.arm.clearRequests();
    const assign = await runInProcess(["vmss", "assign", "-g", RG, "-n", "ss-flex", "--identities", "spare-identity", "--no-wait", ...fx.flags]);
    expect(assign.code).toBe(0);
    expect(assign.stdout).toBe("");
    expect(writes(fx.arm)).toEqual([`PATCH ${ssId("ss-flex")}`]);

    const principal = fx.arm.getVmss(RG, "ss-ext")!.identity!.principalId!;
    const grant = await runInProcess(["role", "grant", "-g", RG, "--vmss-name", "ss-ext", "--role", "Reader", "--scope", data, "-o", "table", ...fx.flags]);
    expect(grant.code).toBe(0);
    expect(grant.stdout.replace(/\n {2}/g, " ")).toBe(`Granted Reader at ${data} to the system identity of scale set ss-ext.\n`);
    const list = await runInProcess(["role", "list", "--ids", ssId("ss-ext"), "--query", "[].[principalId, roleDefinitionName, scope]", "-o", "tsv", ...fx.flags]);
    expect(list.stdout).toBe(`${principal}\tReader\t${data}\n`);
    const revoke = await runInProcess(["role", "revoke", "-g", RG, "--vmss-name", "ss-ext", "--role", READER, "--scope", data, ...fx.flags]);
    expect(JSON.parse(revoke.stdout)).toEqual([expect.objectContaining({ revoked: true, scope: data })]);
    expect(fx.arm.roleAssignments().filter((a) => a.principalId === principal)).toEqual([]);
  });
});
