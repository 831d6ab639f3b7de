/**
 * The built command (`packages/cli/dist/main.js`) run as a child process, as a user
 * would run it, against an emulator started by the test.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Fixture, RG, runCli, startFixture, vmId, writesOf } from "./helpers.js";

let fx: Fixture;
beforeEach(async () => {
  fx = await startFixture();
});
afterEach(async () => {
  await fx.arm.close();
});

const NO_STACK = /\n\s+at /;

describe("show", () => {
  it("prints the VmIdentity as JSON", async () => {
    const r = await runCli(["show", "-g", RG, "-n", "linux-vm", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const identity = JSON.parse(r.stdout);
    expect(identity.type).toBe("SystemAssigned, UserAssigned");
    expect(identity.systemAssigned).toEqual({ principalId: expect.any(String), tenantId: fx.arm.tenantId });
    expect(identity.userAssigned).toEqual([{ id: expect.stringMatching(/ops-identity$/), principalId: expect.any(String), clientId: expect.any(String) }]);
  });

  it("prints an aligned table", async () => {
    const r = await runCli(["show", "-g", RG, "-n", "linux-vm", "-o", "table", ...fx.flags]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("Type: SystemAssigned, UserAssigned");
    const header = lines[2]!;
    expect(header).toMatch(/^KIND\s+PRINCIPAL ID\s+CLIENT ID\s+TENANT ID\s+RESOURCE ID$/);
    expect(lines[3]).toMatch(/^SystemAssigned\s/);
    expect(lines[4]).toMatch(/^UserAssigned\s.*ops-identity$/);
    expect(lines[4]!.indexOf("/subscriptions/")).toBe(header.indexOf("RESOURCE ID"));
    expect(r.stdout).not.toMatch(/\u001b\[/); // no colour when not a terminal
  });

  it("reads the target from --ids and the connection from the environment", async () => {
    const r = await runCli(["show", "--ids", vmId(fx.arm, "win-vm"), "-o", "table"], fx.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Type: None (no managed identity)\n");
  });
});

describe("assign", () => {
  it("--system enables the system identity with one PATCH", async () => {
    const r = await runCli(["assign", "-g", RG, "-n", "win-vm", "--system", ...fx.flags]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ changed: true, identity: { type: "SystemAssigned", systemAssigned: { principalId: expect.any(String) } } });
    expect(result.requestIds.length).toBeGreaterThan(0);
    const writes = writesOf(fx.arm);
    expect(writes.map((w) => w.method)).toEqual(["PATCH"]);
    expect(writes[0]!.body).toEqual({ identity: { type: "SystemAssigned" } });
    expect(fx.arm.getVm(RG, "win-vm")!.identity!.type).toBe("SystemAssigned");
  });

  it("--user-assigned attaches identities, keeping the ones there", async () => {
    const r = await runCli(["assign", "-g", RG, "-n", "linux-vm", "--user-assigned", fx.uai.app, "-o", "table", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Changed\.\nType: SystemAssigned, UserAssigned\n/);
    expect(r.stdout).toContain("app-identity");
    expect(r.stdout).toContain("ops-identity");
    const [patch] = writesOf(fx.arm);
    expect(patch!.body).toEqual({ identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [fx.uai.app]: {} } } });
    expect(Object.keys(fx.arm.getVm(RG, "linux-vm")!.identity!.userAssignedIdentities!)).toHaveLength(2);
  });
});

describe("--dry-run", () => {
  it("prints the PATCH with If-Match and body as JSON, and the emulator records no write", async () => {
    const r = await runCli(["assign", "-g", RG, "-n", "win-vm", "--system", "--user-assigned", fx.uai.app, "--dry-run", ...fx.flags]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ dryRun: true, current: { type: "None" }, desired: { type: "SystemAssigned, UserAssigned" } });
    expect(report.requests).toEqual([
      {
        method: "PATCH",
        url: `${fx.arm.endpoint}${vmId(fx.arm, "win-vm")}?api-version=2024-11-01`,
        headers: { accept: "application/json", "content-type": "application/json", "if-match": '"1"' },
        body: { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [fx.uai.app]: {} } } },
      },
    ]);
    expect(writesOf(fx.arm)).toEqual([]);
    expect(fx.arm.requests.map((q) => q.method)).toEqual(["GET"]);
    expect(fx.arm.getVm(RG, "win-vm")!.identity).toBeUndefined();
  });

  it("prints the request as text with -o table", async () => {
    const r = await runCli(["remove", "-g", RG, "-n", "linux-vm", "--all", "--dry-run", "-o", "table", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Dry run: nothing was sent. Identity now: SystemAssigned, UserAssigned (1 user-assigned); after: None.");
    expect(r.stdout).toContain(`PATCH ${fx.arm.endpoint}${vmId(fx.arm, "linux-vm")}?api-version=2024-11-01\n`);
    expect(r.stdout).toContain('if-match: "1"\n');
    expect(r.stdout).toContain('"type": "None",\n    "userAssignedIdentities": null');
    expect(writesOf(fx.arm)).toEqual([]);
  });

  it("covers the extension and identity writes too", async () => {
    const install = await runCli(["extension", "install", "-g", RG, "-n", "win-vm", "--port", "50400", "--dry-run", ...fx.flags]);
    expect(install.code).toBe(0);
    expect(JSON.parse(install.stdout).requests[0]).toMatchObject({
      method: "PUT",
      url: expect.stringContaining("/virtualMachines/win-vm/extensions/ManagedIdentityExtensionForWindows?api-version="),
      body: { location: "westeurope", properties: { type: "ManagedIdentityExtensionForWindows", settings: { port: 50400 } } },
    });
    const remove = await runCli(["extension", "remove", "-g", RG, "-n", "win-vm", "--dry-run", ...fx.flags]);
    expect(JSON.parse(remove.stdout).requests[0]).toMatchObject({ method: "DELETE", url: expect.stringContaining("/extensions/ManagedIdentityExtensionForWindows?") });
    const uai = await runCli(["identity", "create", "-g", RG, "-n", "new-identity", "-l", "westeurope", "--dry-run", ...fx.flags]);
    expect(JSON.parse(uai.stdout).requests[0]).toMatchObject({ method: "PUT", body: { location: "westeurope" } });
    expect(writesOf(fx.arm)).toEqual([]);
  });
});

describe("extension", () => {
  it("installs, shows and removes the MSI extension", async () => {
    const install = await runCli(["extension", "install", "-g", RG, "-n", "win-vm", "-o", "table", ...fx.flags]);
    expect(install.code).toBe(0);
    expect(install.stdout).toMatch(/^NAME\s+ManagedIdentityExtensionForWindows$/m);
    expect(install.stdout).toMatch(/^PORT\s+50342$/m);
    expect(install.stderr).toContain("deprecated");
    expect(fx.arm.getExtension(RG, "win-vm", "ManagedIdentityExtensionForWindows")).toBeDefined();

    const show = await runCli(["extension", "show", "-g", RG, "-n", "win-vm", ...fx.flags]);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ name: "ManagedIdentityExtensionForWindows", properties: { publisher: "Microsoft.ManagedIdentity", settings: { port: 50342 } } });

    const remove = await runCli(["extension", "remove", "-g", RG, "-n", "win-vm", ...fx.flags]);
    expect(remove.code).toBe(0);
    expect(JSON.parse(remove.stdout)).toEqual({ removed: true, name: "ManagedIdentityExtensionForWindows" });
    expect(fx.arm.getExtension(RG, "win-vm", "ManagedIdentityExtensionForWindows")).toBeUndefined();

    const again = await runCli(["extension", "show", "-g", RG, "-n", "win-vm", ...fx.flags]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/ResourceNotFound/);
  });

  it("takes --os, --port and --name, with the VM as -n", async () => {
    const r = await runCli(["extension", "install", "-g", RG, "-n", "linux-vm", "--os", "linux", "--port", "50400", "--name", "msi", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(fx.arm.getExtension(RG, "linux-vm", "msi")).toMatchObject({ properties: { type: "ManagedIdentityExtensionForLinux", settings: { port: 50400 } } });
  });
});

describe("identity create and create --definition", () => {
  it("creates a user-assigned identity", async () => {
    const r = await runCli(["identity", "create", "-g", RG, "-n", "new-identity", "-l", "westeurope", ...fx.flags]);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({ id: expect.stringMatching(/userAssignedIdentities\/new-identity$/), principalId: expect.any(String), clientId: expect.any(String) });
    expect(fx.arm.getUserAssignedIdentity(RG, "new-identity")).toBeDefined();
  });

  it("creates a VM with both identities and the MSI extension", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vm-identity-e2e-"));
    const file = join(dir, "vm.json");
    await writeFile(
      file,
      JSON.stringify({
        location: "westeurope",
        properties: { hardwareProfile: { vmSize: "Standard_B1s" }, storageProfile: { osDisk: { osType: "Linux", createOption: "FromImage" } } },
      }),
    );
    const r = await runCli(["create", "-g", RG, "-n", "new-vm", "--definition", file, "--system", "--user-assigned", fx.uai.app, "--msi-extension", ...fx.flags]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.identity.type).toBe("SystemAssigned, UserAssigned");
    expect(result.extension).toMatchObject({ name: "ManagedIdentityExtensionForLinux" });
    const put = writesOf(fx.arm)[0]!;
    expect(put.method).toBe("PUT");
    expect(fx.arm.requests.find((q) => q.method === "PUT")!.headers["if-none-match"]).toBe("*");
    expect(fx.arm.getVm(RG, "new-vm")!.identity!.type).toBe("SystemAssigned, UserAssigned");

    // Creating it again is refused by ARM (412), with a hint.
    const again = await runCli(["create", "-g", RG, "-n", "new-vm", "--definition", file, "--system", ...fx.flags]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("412");
    expect(again.stderr).toContain("--overwrite");
  });
});

describe("remove", () => {
  it("--all removes every identity", async () => {
    const r = await runCli(["remove", "-g", RG, "-n", "linux-vm", "--all", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).identity).toEqual({ type: "None", userAssigned: [] });
    expect(writesOf(fx.arm)[0]!.body).toEqual({ identity: { type: "None", userAssignedIdentities: null } });
    expect(fx.arm.getVm(RG, "linux-vm")!.identity).toBeUndefined();
  });

  it("--user-assigned detaches one identity", async () => {
    const r = await runCli(["remove", "-g", RG, "-n", "linux-vm", "--user-assigned", fx.uai.ops, ...fx.flags]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).identity).toMatchObject({ type: "SystemAssigned", userAssigned: [] });
  });
});

describe("mistakes", () => {
  it("a missing target exits 2 with the usage line", async () => {
    const r = await runCli(["assign", "--system", ...fx.flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("No VM given");
    expect(r.stderr).toContain("Usage: vm-identity assign (-g RG -n VM | --ids VM_ID... | --ids-file FILE)");
    expect(fx.arm.requests).toEqual([]);
  });

  it("a bad VM name exits 2 before any request", async () => {
    const r = await runCli(["show", "-g", RG, "-n", "my_vm?", ...fx.flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Invalid virtual machine name "my_vm?"');
    expect(r.stderr).toContain("Usage: vm-identity show");
    expect(fx.arm.requests).toEqual([]);
  });

  it("removing an identity the VM does not hold exits 2 and writes nothing", async () => {
    const r = await runCli(["remove", "-g", RG, "-n", "linux-vm", "--user-assigned", fx.uai.unassigned, ...fx.flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("IdentityNotAssigned");
    expect(r.stderr).toContain("spare-identity");
    expect(writesOf(fx.arm)).toEqual([]);
  });

  it("an ARM failure exits 1 with the code, message and request id, and no stack trace", async () => {
    fx.arm.injectFault({
      method: "PATCH",
      status: 409,
      times: Infinity,
      headers: { "x-ms-request-id": "aaaabbbb-cccc-dddd-eeee-ffff00001111" },
      body: { error: { code: "OperationNotAllowed", message: "Operation not allowed on a deallocating VM." } },
    });
    const r = await runCli(["assign", "-g", RG, "-n", "win-vm", "--system", ...fx.flags]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("OperationNotAllowed");
    expect(r.stderr).toContain("Operation not allowed on a deallocating VM.");
    expect(r.stderr).toContain("aaaabbbb-cccc-dddd-eeee-ffff00001111");
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it("a failed operation exits 1 with its code", async () => {
    fx.arm.failOperations({ code: "AllocationFailed", message: "No capacity." });
    const r = await runCli(["assign", "-g", RG, "-n", "win-vm", "--system", ...fx.flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Failed: AllocationFailed: No capacity\./);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it("an unknown command exits 2", async () => {
    const r = await runCli(["enable", ...fx.flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'enable'");
  });
});

describe("--verbose", () => {
  it("logs requests to stderr and never prints the token", async () => {
    const r = await runCli(["assign", "-g", RG, "-n", "win-vm", "--system", "--verbose", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Request: \{/);
    expect(r.stderr).toMatch(/"method": "PATCH"/);
    expect(r.stderr).toMatch(/"authorization": "REDACTED"/);
    expect(r.stderr).not.toContain(fx.token);
    expect(r.stdout).not.toContain(fx.token);
  });

  it("does not print a token given in the environment either, even on failure", async () => {
    fx.arm.injectFault({ method: "GET", status: 401, body: { error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." } } });
    const r = await runCli(["show", "-g", RG, "-n", "win-vm", "--verbose"], fx.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("InvalidAuthenticationToken");
    expect(r.stderr).not.toContain(fx.token);
  });
});
