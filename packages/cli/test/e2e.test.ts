/**
 * The command against an emulator started by the test. `show`, `assign`, the
 * mistakes and `--verbose` run the built command (`packages/cli/dist/main.js`)
 * as a child process, as a user would run it: its exit codes, its stderr and
 * its log wiring are the process's own. The other commands' requests and
 * output are the same in either form, and run in this process.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Fixture, RG, runCli, runInProcess, startFixture, vmId, writesOf } from "./helpers.js";

let fx: Fixture;
beforeEach(async () => {
  fx = await startFixture();
});
afterEach(async () => {
  await fx.arm.close();
});

const NO_STACK = /\n\s+at /;

describe("show", () => {
  it("prints ARM's own identity object, as az vm identity show does", async () => {
    const r = await runCli(["show", "-g", RG, "-n", "linux-vm", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const identity = JSON.parse(r.stdout);
    expect(identity).toEqual({
      type: "SystemAssigned, UserAssigned",
      principalId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tenantId: fx.arm.tenantId,
      userAssignedIdentities: { [fx.uai.ops]: { principalId: expect.any(String), clientId: expect.any(String) } },
    });
    // The same object as the emulator's GET of the VM holds.
    expect(identity).toEqual(fx.arm.getVm(RG, "linux-vm")!.identity);
  });

  it("prints a table for people, every id whole", async () => {
    const r = await runCli(["show", "-g", RG, "-n", "linux-vm", "-o", "table", ...fx.flags]);
    expect(r.code).toBe(0);
    const vm = fx.arm.getVm(RG, "linux-vm")!.identity!;
    const uai = vm.userAssignedIdentities![fx.uai.ops]!;
    expect(r.stdout).toBe(
      [
        "Type: SystemAssigned, UserAssigned",
        "",
        "System-assigned identity",
        `  Principal ID  ${vm.principalId}`,
        `  Tenant ID     ${vm.tenantId}`,
        "",
        "User-assigned identity ops-identity",
        `  Resource group  ${RG}`,
        `  Principal ID    ${uai.principalId}`,
        `  Client ID       ${uai.clientId}`,
        "",
      ].join("\n"),
    );
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
    expect(result).toMatchObject({ changed: true, identity: { type: "SystemAssigned", principalId: expect.any(String) } });
    expect(result.systemAssignedIdentity).toBe(result.identity.principalId);
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
    const r = await runInProcess(["assign", "-g", RG, "-n", "win-vm", "--system", "--user-assigned", fx.uai.app, "--dry-run", ...fx.flags]);
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

  it("prints the request as text with -o table, in 80 columns", async () => {
    const r = await runInProcess(["remove", "-g", RG, "-n", "linux-vm", "--all", "--dry-run", "-o", "table", ...fx.flags]);
    expect(r.code).toBe(0);
    for (const line of r.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    const unwrapped = r.stdout.replace(/\n {2}(?=\S)/g, " ").replace(/\/ (?=\S)/g, "/").replace(/ \?api/g, "?api");
    expect(unwrapped).toContain("Dry run: nothing was sent. Identity now: SystemAssigned, UserAssigned (1 user-assigned); after: None.");
    expect(unwrapped).toContain(`PATCH ${fx.arm.endpoint}${vmId(fx.arm, "linux-vm")}?api-version=2024-11-01\n`);
    expect(r.stdout).toContain('if-match: "1"\n');
    expect(r.stdout).toContain('"type": "None",\n    "userAssignedIdentities": null');
    expect(writesOf(fx.arm)).toEqual([]);
  });

  it("covers the extension and identity writes too", async () => {
    const install = await runInProcess(["extension", "install", "-g", RG, "--vm-name", "win-vm", "--port", "50400", "--dry-run", ...fx.flags]);
    expect(install.code).toBe(0);
    expect(JSON.parse(install.stdout).requests[0]).toMatchObject({
      method: "PUT",
      url: expect.stringContaining("/virtualMachines/win-vm/extensions/ManagedIdentityExtensionForWindows?api-version="),
      body: { location: "westeurope", properties: { type: "ManagedIdentityExtensionForWindows", settings: { port: 50400 } } },
    });
    const remove = await runInProcess(["extension", "remove", "-g", RG, "--vm-name", "win-vm", "--dry-run", ...fx.flags]);
    expect(JSON.parse(remove.stdout).requests[0]).toMatchObject({ method: "DELETE", url: expect.stringContaining("/extensions/ManagedIdentityExtensionForWindows?") });
    const uai = await runInProcess(["identity", "create", "-g", RG, "-n", "new-identity", "-l", "westeurope", "--dry-run", ...fx.flags]);
    expect(JSON.parse(uai.stdout).requests[0]).toMatchObject({ method: "PUT", body: { location: "westeurope" } });
    expect(writesOf(fx.arm)).toEqual([]);
  });
});

describe("extension", () => {
  it("installs, shows and removes the MSI extension", async () => {
    const install = await runInProcess(["extension", "install", "-g", RG, "--vm-name", "win-vm", "-o", "table", ...fx.flags]);
    expect(install.code).toBe(0);
    expect(install.stdout).toMatch(/^NAME\s+ManagedIdentityExtensionForWindows$/m);
    expect(install.stdout).toMatch(/^PORT\s+50342$/m);
    expect(install.stderr).toContain("deprecated");
    expect(fx.arm.getExtension(RG, "win-vm", "ManagedIdentityExtensionForWindows")).toBeDefined();

    const show = await runInProcess(["extension", "show", "-g", RG, "--vm-name", "win-vm", ...fx.flags]);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ name: "ManagedIdentityExtensionForWindows", properties: { publisher: "Microsoft.ManagedIdentity", settings: { port: 50342 } } });

    const remove = await runInProcess(["extension", "remove", "-g", RG, "--vm-name", "win-vm", ...fx.flags]);
    expect(remove.code).toBe(0);
    expect(JSON.parse(remove.stdout)).toEqual({ removed: true, name: "ManagedIdentityExtensionForWindows" });
    expect(fx.arm.getExtension(RG, "win-vm", "ManagedIdentityExtensionForWindows")).toBeUndefined();

    const again = await runInProcess(["extension", "show", "-g", RG, "--vm-name", "win-vm", ...fx.flags]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/ResourceNotFound/);
  });

  it("takes --os, --port and -n/--name for the extension, with the VM as --vm-name (az vm extension set order)", async () => {
    const r = await runInProcess(["extension", "install", "-g", RG, "--vm-name", "linux-vm", "--os", "linux", "--port", "50400", "-n", "msi", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(fx.arm.getExtension(RG, "linux-vm", "msi")).toMatchObject({ properties: { type: "ManagedIdentityExtensionForLinux", settings: { port: 50400 } } });
  });
});

describe("identity create and create --definition", () => {
  it("creates a user-assigned identity", async () => {
    const r = await runInProcess(["identity", "create", "-g", RG, "-n", "new-identity", "-l", "westeurope", ...fx.flags]);
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
    const r = await runInProcess(["create", "-g", RG, "-n", "new-vm", "--definition", file, "--system", "--user-assigned", fx.uai.app, "--msi-extension", ...fx.flags]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.identity.type).toBe("SystemAssigned, UserAssigned");
    expect(result.extension).toMatchObject({ name: "ManagedIdentityExtensionForLinux" });
    const put = writesOf(fx.arm)[0]!;
    expect(put.method).toBe("PUT");
    expect(fx.arm.requests.find((q) => q.method === "PUT")!.headers["if-none-match"]).toBe("*");
    expect(fx.arm.getVm(RG, "new-vm")!.identity!.type).toBe("SystemAssigned, UserAssigned");

    // Creating it again is refused by ARM (412), with a hint.
    const again = await runInProcess(["create", "-g", RG, "-n", "new-vm", "--definition", file, "--system", ...fx.flags]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("412");
    expect(again.stderr).toContain("--overwrite");
  });
});

describe("remove", () => {
  it("--all removes every identity", async () => {
    const r = await runInProcess(["remove", "-g", RG, "-n", "linux-vm", "--all", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).identity).toEqual({ type: "None" });
    expect(writesOf(fx.arm)[0]!.body).toEqual({ identity: { type: "None", userAssignedIdentities: null } });
    expect(fx.arm.getVm(RG, "linux-vm")!.identity).toBeUndefined();
  });

  it("--user-assigned detaches one identity", async () => {
    const r = await runInProcess(["remove", "-g", RG, "-n", "linux-vm", "--user-assigned", fx.uai.ops, ...fx.flags]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).identity).toEqual({ type: "SystemAssigned", principalId: expect.any(String), tenantId: fx.arm.tenantId });
  });
});

describe("mistakes", () => {
  it("a missing target exits 2 with the usage line", async () => {
    const r = await runCli(["assign", "--system", ...fx.flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("No VM given");
    expect(r.stderr).toContain("Usage: vm-identity assign (-g RG [-n VM] | --ids ID... | --ids-file FILE |");
    expect(fx.arm.requests).toEqual([]);
  });

  it("a bad VM name exits 2 before any request", async () => {
    const r = await runCli(["show", "-g", RG, "-n", "my_vm?", ...fx.flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Invalid virtual machine name "my_vm?"');
    expect(r.stderr).toContain("Usage: vm-identity show");
    expect(fx.arm.requests).toEqual([]);
  });

  it("removing an identity the VM does not hold exits 1 (found after the read), writes nothing, and prints no usage", async () => {
    const r = await runCli(["remove", "-g", RG, "-n", "linux-vm", "--user-assigned", fx.uai.unassigned, ...fx.flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("IdentityNotAssigned");
    expect(r.stderr).toContain("spare-identity");
    expect(r.stderr).not.toContain("Usage:");
    expect(fx.arm.requests.map((q) => q.method)).toEqual(["GET"]);
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
  it("logs one line per request, the body of the write, and never the token", async () => {
    const r = await runCli(["assign", "-g", RG, "-n", "win-vm", "--verbose", ...fx.flags]);
    expect(r.code).toBe(0);
    const requestLines = r.stderr.split("\n").filter((l) => /^(GET|PATCH|PUT|DELETE) /.test(l));
    // The read, the PATCH, the operation's status polls and the read-back: one line each, as the emulator received them.
    expect(requestLines).toHaveLength(fx.arm.requests.length);
    for (const [i, line] of requestLines.entries()) {
      expect(line).toMatch(/^(GET|PATCH) http:\/\/127\.0\.0\.1:\d+\/subscriptions\/\S+ -> 200 in \d+ ms \(x-ms-request-id: [0-9a-f-]+\)$/);
      expect(line.startsWith(`${fx.arm.requests[i]!.method} `)).toBe(true);
    }
    expect(r.stderr).toContain('PATCH ');
    expect(r.stderr).toMatch(/ -> 200 in \d+ ms \(x-ms-request-id: [0-9a-f-]+\)\n {2}\{\n {4}"identity": \{\n {6}"type": "SystemAssigned"\n {4}\}\n {2}\}\n/);
    // No header dump of the SDK's log policy.
    expect(r.stderr).not.toMatch(/Request: \{|"authorization"/i);
    expect(r.stderr.split("\n").length).toBeLessThan(30);
    expect(r.stderr).not.toContain(fx.token);
    expect(r.stdout).not.toContain(fx.token);
  });

  it("--debug adds the headers, with the token redacted", async () => {
    const r = await runCli(["show", "-g", RG, "-n", "win-vm", "--debug", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^ {2}> authorization: REDACTED$/im);
    expect(r.stderr).toMatch(/^ {2}< x-ms-request-id: [0-9a-f-]+$/m);
    expect(r.stderr).toMatch(/^ {2}> x-ms-correlation-request-id: [0-9a-f-]+$/m);
    expect(r.stderr).not.toContain(fx.token);
  });

  it("does not print a token given in the environment either, even on failure", async () => {
    fx.arm.injectFault({ method: "GET", status: 401, body: { error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." } } });
    const r = await runCli(["show", "-g", RG, "-n", "win-vm", "--verbose"], fx.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("InvalidAuthenticationToken");
    expect(r.stderr).not.toContain(fx.token);
  });
});
