import type { Command } from "commander";
import type { MsiExtensionRemoveResult } from "../../index.js";
import { OperationFailedError } from "../errors.js";
import { nonEmpty, parseOs, parsePort } from "../options/parsers.js";
import { type VmTargetOptions, addVmTargetOptions } from "../options/targets.js";
import type { Printer } from "../output/printer.js";
import { type DryRunReport, formatDryRun } from "../output/requests.js";
import { extensionTable } from "../output/resources.js";
import type { CliRuntime } from "../runtime.js";

const TARGET_USAGE = "(-g RG -n VM | --ids VM_ID)";
const DEPRECATION =
  "The MSI extension is deprecated by Azure in favour of the Instance Metadata Service (IMDS); use it only for fleets that still depend on it.";

interface ExtensionOptions extends VmTargetOptions {
  /** The extension's name (the VM is -n/--vm-name here). */
  name?: string;
  dryRun?: boolean;
}

function printDryRun(out: Printer, report: DryRunReport): void {
  out.result(report, () => formatDryRun(report.requests));
}

function removeResultText(result: MsiExtensionRemoveResult): string {
  return result.removed ? `Removed extension ${result.name}.\n` : `Extension ${result.name} was not installed; nothing to remove.\n`;
}

function extensionCommand(parent: Command, name: string, summary: string, description: string, usage: string, example: string): Command {
  const command = parent
    .command(name)
    .summary(summary)
    .description(`${description}\n\n${DEPRECATION}`)
    .usage(`${TARGET_USAGE} ${usage}`)
    .addHelpText("after", `\nExample:\n  ${example}\n`);
  return addVmTargetOptions(command, "vm-name");
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
    "vm-identity extension install -g myResourceGroup -n myVM --port 50342",
  )
    .option("--os <os>", "the VM's OS, Windows or Linux (default: read from the VM)", parseOs)
    .option("--port <port>", "port of the extension's token endpoint (default: 50342)", parsePort)
    .option("--name <extension>", "extension name (default: its type, e.g. ManagedIdentityExtensionForWindows)", nonEmpty("--name"))
    .option("--dry-run", "print the PUT that would be sent, without sending it")
    .action(async (options: ExtensionOptions & { os?: "Windows" | "Linux"; port?: number }, cmd: Command) => {
      const { vm, out, options: op } = await rt.vmSession(cmd, options, "vm-name");
      const install = {
        ...(options.os ? { os: options.os } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.name ? { name: options.name } : {}),
      };
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
    "vm-identity extension remove -g myResourceGroup -n myVM",
  )
    .option("--name <extension>", "extension name (default: the MSI extension type for the VM's OS)", nonEmpty("--name"))
    .option("--dry-run", "print the DELETE that would be sent, without sending it")
    .action(async (options: ExtensionOptions, cmd: Command) => {
      const { vm, out, options: op } = await rt.vmSession(cmd, options, "vm-name");
      const which = options.name ? { name: options.name } : {};
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
    "vm-identity extension show -g myResourceGroup -n myVM -o table",
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
