/** `vm-identity demo` and `vm-identity emulator`, run as a user runs them. */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DEMO_STEPS } from "../src/demo/scenario.js";
import { CLI, childEnv, runCli } from "./helpers.js";

/** Every AzureRM cmdlet line the article writes, in the article's order, exactly as it writes them. */
const ARTICLE = [
  "$vmConfig = New-AzureRmVMConfig -VMName myVM -AssignIdentity:$SystemAssigned ...",
  '$settings = @{ "port" = 50342 }',
  'Set-AzureRmVMExtension -ResourceGroupName myResourceGroup -Location WestUS -VMName myVM -Name "ManagedIdentityExtensionForWindows" -Type "ManagedIdentityExtensionForWindows" -Publisher "Microsoft.ManagedIdentity" -TypeHandlerVersion "1.0" -Settings $settings',
  "Login-AzureRmAccount",
  "$vm = Get-AzureRmVM -ResourceGroupName myResourceGroup -Name myVM",
  "Update-AzureRmVM -ResourceGroupName myResourceGroup -VM $vm -AssignIdentity:$SystemAssigned",
  'Update-AzureRmVm -ResourceGroupName myResourceGroup -VM $vm -IdentityType "UserAssigned"',
  "Update-AzureRmVm -ResourceGroupName myResourceGroup -VM $vm -IdentityType None",
  'Remove-AzureRmVMExtension -ResourceGroupName myResourceGroup -Name "ManagedIdentityExtensionForWindows" -VMName myVM',
  '$vmConfig = New-AzureRmVMConfig -VMName <VM NAME> -IdentityType UserAssigned -IdentityID "/subscriptions/<SUBSCRIPTION ID>/resourcegroups/<RESROURCE GROUP>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<USER ASSIGNED IDENTITY NAME>..."',
  "Connect-AzureRmAccount",
  "New-AzureRmUserAssignedIdentity -ResourceGroupName <RESOURCEGROUP> -Name <USER ASSIGNED IDENTITY NAME>",
  "$vm = Get-AzureRmVM -ResourceGroupName <RESOURCE GROUP> -Name <VM NAME>",
  'Update-AzureRmVM -ResourceGroupName <RESOURCE GROUP> -VM $vm -IdentityType UserAssigned -IdentityID "/subscriptions/<SUBSCRIPTION ID>/resourcegroups/<RESROURCE GROUP>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<USER ASSIGNED IDENTITY NAME>"',
  "$vm = Get-AzureRmVm -ResourceGroupName myResourceGroup -Name myVm",
  "Update-AzureRmVm -ResourceGroupName myResourceGroup -VirtualMachine $vm -IdentityType UserAssigned -IdentityID <USER ASSIGNED IDENTITY NAME>",
  "Update-AzureRmVm -ResourceGroupName myResourceGroup -VM $vm -IdentityType None",
  'Update-AzureRmVm -ResourceGroupName myResourceGroup -VirtualMachine $vm -IdentityType "SystemAssigned"',
];

/**
 * The PowerShell lines of the demo's text, with the wrapping at word
 * boundaries undone: under "AzureRM PowerShell, as the article writes it:"
 * each line is indented by four, and its continuation lines by six.
 */
function powershellLines(text: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of text.split("\n")) {
    if (line === "  AzureRM PowerShell, as the article writes it:") inside = true;
    else if (!line.startsWith("    ")) inside = false;
    else if (inside && line.startsWith("      ")) out[out.length - 1] += ` ${line.trim()}`;
    else if (inside) out.push(line.trim());
  }
  return out;
}

describe("demo", () => {
  it("runs every step of the article in its order, printing each cmdlet as the article writes it, in 80 columns", async () => {
    const started = Date.now();
    const r = await runCli(["demo"]);
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.stderr).toBe("");
    expect(r.stdout).not.toMatch(/\u001b\[/);
    const long = r.stdout.split("\n").filter((line) => line.length > 80);
    expect(long).toEqual([]);
    // Each cmdlet, once the wrapping at word boundaries is undone: exactly the article's lines, in its order.
    const lines = powershellLines(r.stdout);
    expect(lines.filter((l) => !ARTICLE.includes(l))).toEqual([]);
    let at = 0;
    for (const cmdlet of ARTICLE) {
      const found = lines.indexOf(cmdlet, at);
      expect(found, cmdlet).toBeGreaterThan(-1);
      at = found;
    }
    for (let step = 1; step <= DEMO_STEPS.length; step++) expect(r.stdout).toContain(`Step ${step} of ${DEMO_STEPS.length}: `);
    // The requests each step became: the creates' PUT with If-None-Match, the extension PUT and DELETE, the PATCHes with If-Match.
    expect(r.stdout).toMatch(/PUT \/subscriptions\/[^\n]*\n[^\n]*virtualMachines\/myVM\n\s+\?api-version=[^\n]*\n\s+if-none-match: \*/);
    expect(r.stdout).toMatch(/extensions\/ManagedIdentityExtensionForWindows\?api-version=/);
    expect(r.stdout).toMatch(/DELETE \/subscriptions\//);
    expect(r.stdout).toMatch(/PATCH \/subscriptions\/[^\n]*\n[^\n]*\n[^\n]*\?api-version=[^\n]*\n\s+if-match: "1"/);
    // Removing one user-assigned identity sends it as null (a merge-PATCH).
    expect(r.stdout).toMatch(/userAssignedIdentities\/myOtherIdentity": null/);
    expect(r.stdout).toContain("MSI extension on myVM: ManagedIdentityExtensionForWindows (Succeeded, port");
    expect(r.stdout).toContain("MSI extension on myVM: none");
    expect(r.stdout).toMatch(/Done: 12 steps, 12 ARM writes/);
  });

  it("lays out for the terminal's width", async () => {
    const { runInProcess } = await import("./helpers.js");
    const wide = await runInProcess(["demo"], {}, { stdoutIsTTY: true, stdoutColumns: 140 });
    expect(wide.code).toBe(0);
    const lengths = wide.stdout.replace(/\u001b\[\d+m/g, "").split("\n").map((l) => l.length);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(140);
    expect(Math.max(...lengths)).toBeGreaterThan(80);
  });

  it("gives the steps as JSON with -o json, the cmdlets unwrapped, and takes --query", async () => {
    const r = await runCli(["demo", "-o", "json"]);
    expect(r.code).toBe(0);
    const { steps } = JSON.parse(r.stdout);
    expect(steps).toHaveLength(12);
    expect(steps.flatMap((s: { powershell: string[] }) => s.powershell).filter((l: string) => ARTICLE.includes(l))).toHaveLength(
      steps.flatMap((s: { powershell: string[] }) => s.powershell).length,
    );
    expect(steps.map((s: { identity: { type: string } }) => s.identity.type)).toEqual([
      "SystemAssigned",
      "SystemAssigned",
      "SystemAssigned",
      "UserAssigned",
      "None",
      "None",
      "UserAssigned",
      "None",
      "UserAssigned",
      "UserAssigned",
      "None",
      "SystemAssigned",
    ]);
    for (const step of steps) {
      expect(step.requests).toHaveLength(1);
      expect(step.requests[0].headers).not.toHaveProperty("authorization");
    }
    expect(steps.map((s: { requests: { method: string }[] }) => s.requests[0]!.method)).toEqual([
      "PUT",
      "PUT",
      "PATCH",
      "PATCH",
      "PATCH",
      "DELETE",
      "PUT",
      "PUT",
      "PATCH",
      "PATCH",
      "PATCH",
      "PATCH",
    ]);
    const titles = await runCli(["demo", "--query", "steps[].title", "-o", "tsv"]);
    expect(titles.stdout.trimEnd().split("\n")).toEqual(DEMO_STEPS.map((s) => s.title));
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
      for (const line of stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
      const endpoint = /export VM_IDENTITY_ENDPOINT=(\S+)/.exec(stdout)![1]!;
      const subscription = /export AZURE_SUBSCRIPTION_ID=(\S+)/.exec(stdout)![1]!;
      const token = /export VM_IDENTITY_ACCESS_TOKEN=(\S+)/.exec(stdout)![1]!;
      // The flags, one a line with shell continuations, as printed.
      const flags = /(--endpoint \S+) \\\n\s+(--subscription \S+) \\\n\s+(--access-token \S+)/.exec(stdout)!;
      const show = await runCli(["show", "-g", "demo-rg", "-n", "win-vm", "-o", "table", ...flags.slice(1).join(" ").split(" ")]);
      expect(show).toMatchObject({ code: 0, stdout: "Type: None (no managed identity)\n" });
      const env = { VM_IDENTITY_ENDPOINT: endpoint, AZURE_SUBSCRIPTION_ID: subscription, VM_IDENTITY_ACCESS_TOKEN: token };
      const assign = await runCli(["assign", "-g", "demo-rg", "-n", "linux-vm", "--identities", "app-identity"], env);
      expect(assign.code).toBe(0);
      expect(JSON.parse(assign.stdout).identity.type).toBe("UserAssigned");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain("Emulator stopped.");
  });
});
