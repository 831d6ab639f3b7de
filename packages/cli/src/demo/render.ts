import type { VmIdentity } from "azure-vm-identity";
import { identityTable } from "../output/identity.js";
import { formatRequest } from "../output/requests.js";
import type { Style } from "../output/style.js";
import { formatKeyValues } from "../output/table.js";
import { displayWidth } from "../output/width.js";
import { wrapText } from "../output/wrap.js";
import { DEMO_GROUP, DEMO_LOCATION, PLACEHOLDERS } from "./scenario.js";

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
  section: string;
  title: string;
  /** The starting point, when the step starts from a fresh emulator. */
  start?: string;
  powershell: string[];
  cli: string[];
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

/**
 * A shell command laid out to `width`: as is when it fits, else broken at
 * spaces with a ` \` at the end of each line but the last, so that it still
 * pastes into a shell.
 */
export function shellCommand(command: string, width: number, prefix: string): string {
  if (displayWidth(prefix + command) <= width) return prefix + command;
  const lines: string[] = [];
  let current = prefix;
  for (const word of command.split(" ")) {
    const candidate = current.trim() === "" ? current + word : `${current} ${word}`;
    if (current.trim() !== "" && displayWidth(candidate) + 2 > width) {
      lines.push(`${current} \\`);
      current = `${prefix}  ${word}`;
    } else {
      current = candidate;
    }
  }
  lines.push(current);
  return lines.join("\n");
}

/** The introduction: what the demo shows and what the article's placeholders stand for. */
export function renderIntro(style: Style, subscriptionId: string, width: number): string {
  const text = [
    style.bold("vm-identity demo"),
    'Every step of the AzureRM PowerShell article "Configure managed identities for Azure resources on an ' +
      'Azure VM using PowerShell", in its order, done with this library against an ARM emulator running on this ' +
      "machine. Nothing is sent to Azure. Each step prints the cmdlets exactly as the article writes them, the " +
      "vm-identity command that does the same, and the ARM writes it became (reads are not shown).",
    "",
    `Resource group ${DEMO_GROUP}, region ${DEMO_LOCATION}, subscription ${subscriptionId}. Where a section of ` +
      "the article starts from a VM in a given state, the demo starts a fresh emulator in that state.",
    "",
    "The article's placeholders stand for:",
    formatKeyValues(
      PLACEHOLDERS.map(([placeholder, value]) => [placeholder, value === "the emulator's subscription" ? subscriptionId : value]),
      { indent: "  ", width },
    ).trimEnd(),
    "",
  ].join("\n");
  return wrapText(text, width) + "\n";
}

/** One step: heading, the PowerShell it replaces, the equivalent command, the ARM writes and the resulting identity. */
export function renderStep(style: Style, report: DemoStepReport, total: number, width: number, newSection: boolean): string {
  const out: string[] = [];
  if (newSection) out.push(style.bold(`== ${report.section} ==`), "");
  const heading = `Step ${report.step} of ${total}: ${report.title}`;
  out.push(style.bold(heading), style.dim("-".repeat(Math.min(displayWidth(heading), width))));
  if (report.start) out.push(`  Starting point: ${report.start}`);
  out.push("  AzureRM PowerShell, as the article writes it:", ...report.powershell.map((line) => `    ${line}`));
  out.push("  With vm-identity:");
  const body = out.join("\n");
  const commands = report.cli.map((line) => shellCommand(line, width, "    ")).join("\n");
  const rest: string[] = [];
  const n = report.requests.length;
  rest.push(n === 0 ? "  ARM writes: none" : `  ARM ${n === 1 ? "write" : `writes (${n})`}:`);
  for (const request of report.requests) rest.push(indent(formatRequest(request, { pathOnly: true }).trimEnd(), "    "));
  rest.push(`  Identity of ${report.vm} afterwards:`, indent(identityTable(report.identity, width - 4).trimEnd(), "    "));
  if (report.extension !== undefined) {
    const ext = report.extension;
    rest.push(
      ext
        ? `  MSI extension on ${report.vm}: ${ext.name} (${ext.provisioningState ?? "unknown state"}, port ${ext.port ?? "-"})`
        : `  MSI extension on ${report.vm}: none`,
    );
  }
  return `${wrapText(body, width)}\n${commands}\n${wrapText(rest.join("\n"), width)}\n\n`;
}

/** The closing lines. */
export function renderSummary(style: Style, steps: number, writes: number, ms: number, width: number): string {
  return wrapText(
    style.bold(`Done: ${steps} steps, ${writes} ARM writes, in ${(ms / 1000).toFixed(1)} s.`) +
      '\nTry the commands yourself against a local emulator: run "vm-identity emulator" and follow what it prints.\n',
    width,
  );
}
