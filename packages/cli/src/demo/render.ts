import type { VmIdentity } from "azure-vm-identity";
import { identityTable } from "../output/identity.js";
import { formatRequest } from "../output/requests.js";
import type { Style } from "../output/style.js";
import { DEMO_GROUP, DEMO_LOCATION, type DemoIds } from "./scenario.js";

/** A write the emulator received during a step. */
export interface DemoRequest {
  method: string;
  url: string;
  /** Only `if-match` / `if-none-match`: the rest is transport detail. */
  headers: Record<string, string>;
  body?: unknown;
}

/** What one step did, as printed (and as `-o json` gives it). */
export interface DemoStepReport {
  step: number;
  title: string;
  powershell: string[];
  cli: string;
  requests: DemoRequest[];
  vm: string;
  identity: VmIdentity;
  /** For the extension steps: the extension afterwards, or null when there is none. */
  extension?: { name: string; provisioningState?: string; port?: number } | null;
}

const indent = (text: string, prefix: string): string =>
  text
    .split("\n")
    .map((line) => (line ? prefix + line : line))
    .join("\n");

/** The introduction: where the emulator is and what was seeded. */
export function renderIntro(style: Style, endpoint: string, subscriptionId: string, ids: DemoIds): string {
  return [
    style.bold("vm-identity demo"),
    "Every step of the PowerShell walkthrough \"Configure managed identities on an Azure VM\", done with this",
    "library against an ARM emulator running on this machine. Nothing is sent to Azure.",
    "",
    `  Emulator      ${endpoint}`,
    `  Subscription  ${subscriptionId}`,
    `  Seeded in resource group ${DEMO_GROUP} (${DEMO_LOCATION}):`,
    "    win-existing    Windows VM without identity",
    "    linux-existing  Linux VM with the user-assigned identity ops-identity",
    `    APP_ID=${ids.app}`,
    `    OPS_ID=${ids.ops}`,
    "",
  ].join("\n") + "\n";
}

/** One step: heading, the PowerShell it replaces, the equivalent command, the ARM writes and the resulting identity. */
export function renderStep(style: Style, report: DemoStepReport, total: number): string {
  const heading = `Step ${report.step} of ${total}: ${report.title}`;
  const out: string[] = [style.bold(heading), style.dim("-".repeat(heading.length))];
  out.push("  Replaces (AzureRM PowerShell):", ...report.powershell.map((line) => `    ${line}`));
  out.push("  With vm-identity:", `    ${report.cli}`);
  const n = report.requests.length;
  out.push(n === 0 ? "  ARM requests sent: none (nothing to change)" : `  ARM ${n === 1 ? "request" : `requests (${n})`} sent:`);
  for (const request of report.requests) {
    out.push(indent(formatRequest(request, { pathOnly: true }).trimEnd(), "    "));
  }
  out.push(`  Resulting identity of ${report.vm}:`, indent(identityTable(report.identity).trimEnd(), "    "));
  if (report.extension !== undefined) {
    const ext = report.extension;
    out.push(
      ext
        ? `  MSI extension on ${report.vm}: ${ext.name} (${ext.provisioningState ?? "unknown state"}, port ${ext.port ?? "-"})`
        : `  MSI extension on ${report.vm}: none`,
    );
  }
  return out.join("\n") + "\n\n";
}

/** The closing lines. */
export function renderSummary(style: Style, steps: number, writes: number, ms: number): string {
  return (
    style.bold(`Done: ${steps} steps, ${writes} ARM writes, in ${(ms / 1000).toFixed(1)} s.`) +
    "\nTry the commands yourself against a local emulator: run \"vm-identity emulator\" and follow what it prints.\n"
  );
}
