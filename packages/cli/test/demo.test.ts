/** `vm-identity demo` and `vm-identity emulator`, run as a user runs them. */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CLI, childEnv, runCli } from "./helpers.js";

const CMDLETS = [
  'New-AzureRmVMConfig -VMName win-new -VMSize Standard_D2s_v3 -AssignIdentity "SystemAssigned"',
  "New-AzureRmVM -ResourceGroupName demo-rg",
  "Set-AzureRmVMExtension -ResourceGroupName demo-rg -VMName win-new",
  'Update-AzureRmVM -ResourceGroupName demo-rg -VM $vm -AssignIdentity "SystemAssigned"',
  "Remove-AzureRmVMExtension -ResourceGroupName demo-rg -VMName win-new",
  "New-AzureRmVMConfig -VMName linux-new -VMSize Standard_D2s_v3 -IdentityType UserAssigned -IdentityID $APP_ID",
  "Update-AzureRmVM -ResourceGroupName demo-rg -VM $vm -IdentityType UserAssigned -IdentityID $OPS_ID,$APP_ID",
  "Update-AzureRmVM -ResourceGroupName demo-rg -VM $vm -IdentityType UserAssigned -IdentityID $APP_ID",
  "Update-AzureRmVM -ResourceGroupName demo-rg -VM $vm -IdentityType None",
];

describe("demo", () => {
  it("runs every walkthrough step in order, in a few seconds, and exits 0", async () => {
    const started = Date.now();
    const r = await runCli(["demo"]);
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.stderr).toBe("");
    expect(r.stdout).not.toMatch(/\u001b\[/);
    let at = 0;
    for (const cmdlet of CMDLETS) {
      const found = r.stdout.indexOf(cmdlet, at);
      expect(found, cmdlet).toBeGreaterThan(-1);
      at = found;
    }
    for (let step = 1; step <= 8; step++) expect(r.stdout).toContain(`Step ${step} of 8: `);
    // The raw requests: the creates' PUT with If-None-Match, the extension PUT and DELETE, the identity PATCHes with If-Match.
    expect(r.stdout).toMatch(/PUT \/subscriptions\/[^\n]*\/virtualMachines\/win-new\?api-version=[^\n]*\n\s+if-none-match: \*/);
    expect(r.stdout).toMatch(/PUT \/subscriptions\/[^\n]*\/virtualMachines\/win-new\/extensions\/ManagedIdentityExtensionForWindows\?/);
    expect(r.stdout).toMatch(/DELETE \/subscriptions\/[^\n]*\/extensions\/ManagedIdentityExtensionForWindows\?/);
    expect(r.stdout).toMatch(/PATCH \/subscriptions\/[^\n]*\/virtualMachines\/win-existing\?[^\n]*\n\s+if-match: "1"/);
    // Removing one user-assigned identity sends it as null (a merge-PATCH).
    expect(r.stdout).toMatch(/userAssignedIdentities\/ops-identity": null/);
    // The resulting identities.
    expect(r.stdout).toContain("Resulting identity of win-existing:\n    Type: None (no managed identity)");
    expect(r.stdout).toContain("MSI extension on win-new: ManagedIdentityExtensionForWindows (Succeeded, port 50342)");
    expect(r.stdout).toContain("MSI extension on win-new: none");
    expect(r.stdout).toMatch(/Done: 8 steps, 8 ARM writes/);
  });

  it("gives the steps as JSON with -o json", async () => {
    const r = await runCli(["demo", "-o", "json"]);
    expect(r.code).toBe(0);
    const { steps } = JSON.parse(r.stdout);
    expect(steps).toHaveLength(8);
    expect(steps.map((s: { identity: { type: string } }) => s.identity.type)).toEqual([
      "SystemAssigned",
      "SystemAssigned",
      "SystemAssigned",
      "SystemAssigned",
      "UserAssigned",
      "UserAssigned",
      "UserAssigned",
      "None",
    ]);
    for (const step of steps) {
      expect(step.requests).toHaveLength(1);
      expect(step.requests[0].headers).not.toHaveProperty("authorization");
    }
    expect(steps.map((s: { requests: { method: string }[] }) => s.requests[0]!.method)).toEqual(["PUT", "PUT", "PATCH", "DELETE", "PUT", "PATCH", "PATCH", "PATCH"]);
  });
});

describe("emulator", () => {
  it("runs in the foreground, prints the flags that work, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "emulator"], { env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`emulator did not start: ${stdout}${stderr}`)), 10_000);
        child.stdout.on("data", () => {
          if (stdout.includes("Press Ctrl+C to stop.")) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const flags = /--endpoint (\S+) --subscription (\S+) --access-token (\S+)/.exec(stdout);
      expect(flags).not.toBeNull();
      expect(stdout).toContain(`export VM_IDENTITY_ENDPOINT=${flags![1]}`);
      const show = await runCli(["show", "-g", "demo-rg", "-n", "win-vm", "-o", "table", ...flags![0].split(" ")]);
      expect(show).toMatchObject({ code: 0, stdout: "Type: None (no managed identity)\n" });
      const assign = await runCli(["assign", "-g", "demo-rg", "-n", "linux-vm", "--system"], {
        VM_IDENTITY_ENDPOINT: flags![1]!,
        AZURE_SUBSCRIPTION_ID: flags![2]!,
        VM_IDENTITY_ACCESS_TOKEN: flags![3]!,
      });
      expect(assign.code).toBe(0);
      expect(JSON.parse(assign.stdout).identity.type).toBe("SystemAssigned");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain("Emulator stopped.");
  });
});
