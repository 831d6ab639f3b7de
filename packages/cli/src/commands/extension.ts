import type { Command } from "commander";
import {
  type FleetOptions,
  type FleetRunStats,
  type MsiExtensionRemoveResult,
  type RawArmRequest,
  type VmExtensionResource,
  type VmFleet,
  type VmHandle,
  validateMsiExtensionOptions,
} from "azure-vm-identity";
import { OperationFailedError } from "../errors.js";
import { type VmTargets, resolveVmTargets } from "../options/fleetTargets.js";
import { nonEmpty, parseOs, parsePort } from "../options/parsers.js";
import { VM_TARGETS_USAGE, VM_TARGET_USAGE, type VmTargetOptions, addVmTargetOptions, addVmTargetsOptions } from "../options/targets.js";
import type { FleetRow } from "../output/fleet.js";
import type { Printer } from "../output/printer.js";
import { type DryRunReport, formatDryRun } from "../output/requests.js";
import { extensionTable } from "../output/resources.js";
import type { CliRuntime } from "../runtime.js";
import { planEach, rowBase, runFleetCommand } from "./fleet.js";
const DEPRECATION =
  "The MSI extension is deprecated by Azure in favour of the Instance Metadata Service (IMDS); use it only for fleets that still depend on it.";

interface ExtensionOptions extends VmTargetOptions {
  /** The extension's name (the VM is -n/--vm-name here). */
  name?: string;
  dryRun?: boolean;
  concurrency?: number | "adaptive";
}

/** The MSI extension in one table cell: its name and provisioning state. */
function extensionCell(extension: VmExtensionResource | undefined): string {
  if (!extension) return "-";
  const state = extension.properties?.provisioningState;
  return state ? `${extension.name ?? "-"} (${state})` : (extension.name ?? "-");
}

/** Resolve the VM or VMs of `extension install|remove`. */
function extensionTargets(rt: CliRuntime, options: ExtensionOptions): Promise<VmTargets> {
  return resolveVmTargets(options, rt.io, "vm-name");
}

function printDryRun(out: Printer, report: DryRunReport): void {
  out.result(report, () => formatDryRun(report.requests));
}

function removeResultText(result: MsiExtensionRemoveResult): string {
  return result.removed ? `Removed extension ${result.name}.\n` : `Extension ${result.name} was not installed; nothing to remove.\n`;
}

function extensionCommand(
  parent: Command,
  name: string,
  summary: string,
  description: string,
  usage: string,
  examples: readonly string[],
  several: boolean,
): Command {
  const command = parent
    .command(name)
    .summary(summary)
    .description(`${description}\n\n${DEPRECATION}`)
    .usage(`${several ? VM_TARGETS_USAGE : VM_TARGET_USAGE} ${usage}`)
    .addHelpText("after", `\nExample${examples.length > 1 ? "s" : ""}:\n${examples.map((e) => `  ${e}\n`).join("")}`);
  return several ? addVmTargetsOptions(command, "vm-name") : addVmTargetOptions(command, "vm-name");
}

/**
 * Run an extension command on several VMs: a dry run plans each VM's request;
 * otherwise `apply` runs the fleet operation and turns its results into rows.
 */
async function runExtensionFleet(
  rt: CliRuntime,
  cmd: Command,
  targets: Extract<VmTargets, { mode: "fleet" }>,
  options: ExtensionOptions,
  how: {
    label: string;
    plan: (vm: VmHandle, op: { abortSignal?: AbortSignal }) => Promise<RawArmRequest>;
    apply: (fleet: VmFleet, fleetOptions: FleetOptions) => Promise<{ rows: FleetRow[]; stats: FleetRunStats }>;
  },
): Promise<void> {
  const session = await rt.fleetSession(cmd, targets.ids, targets.subscriptionId);
  const { fleet, client } = session;
  await runFleetCommand(rt, session, {
    label: how.label,
    total: fleet.resourceIds.length,
    dryRun: options.dryRun === true,
    concurrency: options.concurrency,
    run: async (fleetOptions) => {
      if (!options.dryRun) return how.apply(fleet, fleetOptions);
      const vms = fleet.resourceIds.map((id) => client.vm(id));
      return planEach(vms, (vm, abortSignal) => how.plan(vm, abortSignal ? { abortSignal } : {}), fleetOptions);
    },
  });
}

/** `vm-identity extension install|remove|show`: the legacy MSI VM extension. */
export function registerExtension(program: Command, rt: CliRuntime): void {
  const extension = program
    .command("extension")
    .summary("install, remove or show the (deprecated) MSI VM extension")
    .description(`Manage the legacy managed identity VM extension (ManagedIdentityExtensionForWindows/Linux).\n\n${DEPRECATION}`);

  extensionCommand(
    extension,
    "install",
    "install the MSI extension on a VM",
    "Install (or update) the MSI extension; the OS and location are read from the VM unless given. Replaces Set-AzureRmVMExtension.",
    "[--os Windows|Linux] [--port N] [--name NAME] [--dry-run] [options]",
    ["vm-identity extension install -g myResourceGroup -n myVM --port 50342", "vm-identity extension install --ids-file vms.txt -o table"],
    true,
  )
    .option("--os <os>", "the VM's OS, Windows or Linux (default: read from the VM)", parseOs)
    .option("--port <port>", "port of the extension's token endpoint (default: 50342)", parsePort)
    .option("--name <extension>", "extension name (default: its type, e.g. ManagedIdentityExtensionForWindows)", nonEmpty("--name"))
    .option("--dry-run", "print the PUT that would be sent, without sending it")
    .action(async (options: ExtensionOptions & { os?: "Windows" | "Linux"; port?: number }, cmd: Command) => {
      const install = {
        ...(options.os ? { os: options.os } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.name ? { name: options.name } : {}),
      };
      const targets = await extensionTargets(rt, options);
      if (targets.mode === "fleet") {
        // A bad option exits 2 before any request.
        validateMsiExtensionOptions(install);
        if (!options.dryRun) rt.stderr(`note: ${DEPRECATION}\n`);
        await runExtensionFleet(rt, cmd, targets, options, {
          label: "extension install",
          plan: (vm, op) => vm.msiExtension.planInstall(install, op),
          apply: async (fleet, fleetOptions) => {
            const results = await fleet.msiExtension.install(install, fleetOptions);
            const rows = results.map((r): FleetRow => ({ ...rowBase(r), json: { extension: r.extension }, detail: extensionCell(r.extension) }));
            return { rows, stats: results.stats };
          },
        });
        return;
      }
      const { vm, out, options: op } = await rt.vmSessionFor(cmd, targets.target);
      if (options.dryRun) {
        printDryRun(out, { dryRun: true, requests: [await vm.msiExtension.planInstall(install, op)] });
        return;
      }
      rt.stderr(`note: ${DEPRECATION}\n`);
      out.result(await vm.msiExtension.install(install, op), extensionTable);
    });

  extensionCommand(
    extension,
    "remove",
    "remove the MSI extension from a VM",
    "Remove the MSI extension (named after the VM's OS unless --name is given). Removing one that is not there succeeds and says so. Replaces Remove-AzureRmVMExtension.",
    "[--name NAME] [--dry-run] [options]",
    ["vm-identity extension remove -g myResourceGroup -n myVM", "vm-identity extension remove --ids <VM id> <VM id> --dry-run"],
    true,
  )
    .option("--name <extension>", "extension name (default: the MSI extension type for the VM's OS)", nonEmpty("--name"))
    .option("--dry-run", "print the DELETE that would be sent, without sending it")
    .action(async (options: ExtensionOptions, cmd: Command) => {
      const which = options.name ? { name: options.name } : {};
      const targets = await extensionTargets(rt, options);
      if (targets.mode === "fleet") {
        validateMsiExtensionOptions(which);
        await runExtensionFleet(rt, cmd, targets, options, {
          label: "extension remove",
          plan: (vm, op) => vm.msiExtension.planRemove(which, op),
          apply: async (fleet, fleetOptions) => {
            const results = await fleet.msiExtension.remove(which, fleetOptions);
            const rows = results.map(
              (r): FleetRow => ({
                ...rowBase(r),
                json: { removed: r.status === "changed", name: r.name },
                detail: r.status === "changed" ? `removed ${r.name ?? ""}`.trimEnd() : `${r.name ?? "extension"} was not installed`,
              }),
            );
            return { rows, stats: results.stats };
          },
        });
        return;
      }
      const { vm, out, options: op } = await rt.vmSessionFor(cmd, targets.target);
      if (options.dryRun) {
        printDryRun(out, { dryRun: true, requests: [await vm.msiExtension.planRemove(which, op)] });
        return;
      }
      out.result(await vm.msiExtension.remove(which, op), removeResultText);
    });

  extensionCommand(
    extension,
    "show",
    "show the MSI extension of a VM",
    "Show the MSI extension of a VM; fails (exit 1) when it is not installed. Replaces Get-AzureRmVMExtension.",
    "[--name NAME] [options]",
    ["vm-identity extension show -g myResourceGroup -n myVM -o table"],
    false,
  )
    .option("--name <extension>", "extension name (default: the MSI extension type for the VM's OS)", nonEmpty("--name"))
    .action(async (options: ExtensionOptions, cmd: Command) => {
      const { vm, out, options: op } = await rt.vmSession(cmd, options, "vm-name");
      const found = await vm.msiExtension.get(options.name ? { name: options.name } : {}, op);
      if (!found) {
        const name = options.name ?? "The MSI extension";
        throw new OperationFailedError(`${name} is not installed on VM ${vm.name}.`, "ResourceNotFound");
      }
      out.result(found, extensionTable);
    });
}
