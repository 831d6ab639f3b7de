import type { Command } from "commander";
import { type FleetOptions, type FleetRunStats, type RawArmRequest, type VmFleet, type VmHandle, validateMsiExtensionOptions } from "azure-vm-identity";
import { OperationFailedError, UsageError } from "../errors.js";
import { nonEmpty, parseOs, parsePort } from "../options/parsers.js";
import { addSelectionOptions } from "../options/selection.js";
import { type VmTargetOptions, type VmTargets, addConcurrencyOption, addVmTargetOptions, resolveVmTargets, vmTargetUsage } from "../options/targets.js";
import type { FleetRow } from "../output/fleet.js";
import { type DryRunReport, formatDryRun } from "../output/requests.js";
import { extensionTable, extensionsTable } from "../output/resources.js";
import type { CliRuntime } from "../runtime.js";
import { type EmitRow, FROM_JOURNAL, type FleetGroup, planEach, rowBase, runFleetCommand } from "./fleet.js";
import { printFleetRead, readEachOf, readRow, readsAsFleet, vmEntry, vmIdsOf, vmOf } from "./fleetReads.js";
import { checkNoWait } from "./identityChange.js";
import { fleetInputOf } from "../fleet/groups.js";
import { noteAccepted, untilAccepted } from "./noWait.js";
import { printOneOrEach, readTargets } from "./reads.js";

/** What the command says of the MSI extension wherever it installs one. */
export const DEPRECATION =
  "The MSI extension is deprecated by Azure in favour of the Instance Metadata Service (IMDS); use it only for fleets that still depend on it.";

interface ExtensionOptions extends VmTargetOptions {
  dryRun?: boolean;
  /** `--no-wait`: return once the write is accepted. */
  wait?: boolean;
  concurrency?: number | "adaptive";
}

/** The MSI extension in one table cell: its name and provisioning state. */
function extensionCell(extension: { name?: string; properties?: { provisioningState?: string } } | undefined): string {
  if (!extension) return "-";
  const state = extension.properties?.provisioningState;
  return state ? `${extension.name ?? "-"} (${state})` : (extension.name ?? "-");
}

/**
 * Resolve the VM or VMs of an extension command, where the VM is `--vm-name`
 * and `-n/--name` names the extension (`az vm extension set` order). The
 * spelling of earlier versions, `-g RG -n VM`, is refused with a message
 * that names `--vm-name`: read the new way, it would name an extension and
 * no VM (and `-g` alone would then select every VM of the group).
 */
async function extensionTargets(rt: CliRuntime, command: Command, options: ExtensionOptions): Promise<VmTargets> {
  const graphQuery = rt.globals(command).graphQuery;
  const selecting = options.subscriptions !== undefined || options.tag !== undefined || options.location !== undefined || options.graphQuery !== undefined || graphQuery !== undefined;
  if (options.vmName === undefined && options.ids === undefined && options.idsFile === undefined && options.name !== undefined && !selecting) {
    throw new UsageError(
      `No VM given. In extension commands -n/--name names the extension (here ${JSON.stringify(options.name)}), as in ` +
        `"az vm extension set"; the VM is --vm-name: vm-identity ${command.parent?.name() ?? "extension"} ${command.name()} ` +
        `-g ${options.resourceGroup ?? "<group>"} --vm-name <vm>. If ${JSON.stringify(options.name)} is the VM, pass --vm-name ${options.name}.` +
        (options.resourceGroup !== undefined
          ? ` For every VM of the group, leave out -n (the extension is named after each VM's OS), or select them with --graph-query "resources | where resourceGroup =~ '${options.resourceGroup}'".`
          : ""),
    );
  }
  return resolveVmTargets(options, rt.io, { nameOption: "vm-name", several: true, graphQuery });
}

/** Whether a request URL is of an extension of the VM (or scale set) `vmId`. */
export function isExtensionOf(vmId: string): (url: string) => boolean {
  const prefix = `${vmId.toLowerCase()}/extensions/`;
  return (url) => {
    try {
      return decodeURIComponent(new URL(url).pathname).toLowerCase().startsWith(prefix);
    } catch {
      return false;
    }
  };
}

/** `-n/--name`, the extension's name, for the library's options. */
function nameOf(options: ExtensionOptions): { name?: string } {
  return options.name ? { name: options.name } : {};
}

function extensionCommand(
  parent: Command,
  [name, alias]: readonly [string, string],
  summary: string,
  description: string,
  usage: string,
  examples: readonly string[],
  /** Whether the command writes: `--journal` and `--no-wait` then. */
  writes: boolean,
): Command {
  const command = parent
    .command(name)
    .alias(alias)
    .summary(summary)
    .description(`${description}\n\n${DEPRECATION}`)
    .usage(`${vmTargetUsage("vm-name", true)} ${usage}`)
    .addHelpText("after", `\nExample${examples.length > 1 ? "s" : ""}:\n${examples.map((e) => `  ${e}\n`).join("")}`);
  addVmTargetOptions(command, { nameOption: "vm-name", idsFile: true });
  addSelectionOptions(command, { writes });
  addConcurrencyOption(command);
  if (writes) command.option("--no-wait", "return once the write is accepted, without waiting for it to finish (one VM)");
  return command;
}

/** Run an extension command on several VMs: a dry run plans each VM's request; otherwise `apply` runs the fleet operation. */
async function runExtensionFleet(
  rt: CliRuntime,
  cmd: Command,
  targets: Exclude<VmTargets, { mode: "one" }>,
  options: ExtensionOptions,
  how: {
    label: string;
    plan: (vm: VmHandle, op: { abortSignal?: AbortSignal }) => Promise<RawArmRequest>;
    apply: (fleet: VmFleet, fleetOptions: FleetOptions) => Promise<{ rows: { row: FleetRow; index: number }[]; stats: FleetRunStats }>;
  },
): Promise<void> {
  await runFleetCommand(rt, cmd, rt.printer(cmd), {
    label: how.label,
    input: fleetInputOf(targets),
    dryRun: options.dryRun === true,
    concurrency: options.concurrency,
    journal: options.journal,
    shard: options.shard,
    run: async (group: FleetGroup, fleetOptions, emit) => {
      if (!options.dryRun) {
        const { rows, stats } = await how.apply(group.client.vms(group.targets), fleetOptions);
        for (const { row, index } of rows) emit(row, index);
        return { stats };
      }
      const ids = await vmIdsOf(group, fleetOptions, emit);
      const handles = await Promise.all(ids.map(async ({ id }) => ({ handle: await vmOf(rt, cmd, id), id })));
      const { rows } = await planEach(handles, (vm, abortSignal) => how.plan(vm, abortSignal ? { abortSignal } : {}), fleetOptions);
      rows.forEach((row, i) => emit(row, ids[i]!.index));
      return {};
    },
  });
}

/** `vm-identity extension install|remove|show`: the legacy MSI VM extension. */
export function registerExtension(program: Command, rt: CliRuntime): void {
  const extension = program
    .command("extension")
    .summary("install, remove or show the (deprecated) MSI VM extension")
    .description(
      "Manage the legacy managed identity VM extension (ManagedIdentityExtensionForWindows/Linux). As in " +
        "az vm extension set, the VM is --vm-name and -n/--name names the extension; set and delete are other names " +
        `of install and remove.\n\n${DEPRECATION}`,
    );

  extensionCommand(
    extension,
    ["install", "set"],
    "install the MSI extension on a VM",
    "Install (or update) the MSI extension; the OS and location are read from the VM unless given. Replaces Set-AzureRmVMExtension.",
    "[--os Windows|Linux] [--port N] [-n NAME] [--dry-run] [options]",
    [
      "vm-identity extension install -g myResourceGroup --vm-name myVM --port 50342",
      "vm-identity extension install -g myResourceGroup --vm-name myVM --no-wait",
      "vm-identity extension install --ids-file vms.txt -o table",
      "vm-identity extension install -g legacy-rg --journal install.jsonl",
    ],
    true,
  )
    .option("-n, --name <extension>", "extension name (default: its type, e.g. ManagedIdentityExtensionForWindows)", nonEmpty("--name"))
    .option("--os <os>", "the VM's OS, Windows or Linux (default: read from the VM)", parseOs)
    .option("--port <port>", "port of the extension's token endpoint (default: 50342)", parsePort)
    .option("--dry-run", "print the PUT that would be sent, without sending it")
    .action(async (options: ExtensionOptions & { os?: "Windows" | "Linux"; port?: number }, cmd: Command) => {
      const install = {
        ...(options.os ? { os: options.os } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...nameOf(options),
      };
      // A bad option exits 2 before any request.
      validateMsiExtensionOptions(install);
      const targets = await extensionTargets(rt, cmd, options);
      const noWait = checkNoWait(options, targets);
      if (!options.dryRun) rt.note(`note: ${DEPRECATION}\n`);
      if (targets.mode !== "one") {
        await runExtensionFleet(rt, cmd, targets, options, {
          label: "extension install",
          plan: (vm, op) => vm.msiExtension.planInstall(install, op),
          apply: async (fleet, fleetOptions) => {
            const results = await fleet.msiExtension.install(install, fleetOptions);
            const rows = results.map((r) => ({
              row: r.fromJournal ? { ...rowBase(r), ...FROM_JOURNAL, json: { ...FROM_JOURNAL.json } } : { ...rowBase(r), json: { extension: r.extension }, detail: extensionCell(r.extension) },
              index: r.index,
            }));
            return { rows, stats: results.stats };
          },
        });
        return;
      }
      const out = rt.printer(cmd);
      const vm = await rt.vm(cmd, targets.vm);
      if (options.dryRun) {
        const report: DryRunReport = { dryRun: true, requests: [await vm.msiExtension.planInstall(install, rt.operationOptions)] };
        out.result(report, () => formatDryRun(report.requests));
        return;
      }
      if (noWait) {
        const accepted = await untilAccepted(rt, { method: "PUT", url: isExtensionOf(vm.resourceId) }, (abortSignal) => vm.msiExtension.install(install, { abortSignal }));
        noteAccepted(rt, `VM ${vm.name}'s extension`, accepted?.statusUrl);
        return;
      }
      out.result(await vm.msiExtension.install(install, rt.operationOptions), extensionTable);
    });

  extensionCommand(
    extension,
    ["remove", "delete"],
    "remove the MSI extension from a VM",
    "Remove the MSI extension (named after the VM's OS unless -n/--name is given). Removing one that is not there succeeds and says so. Replaces Remove-AzureRmVMExtension.",
    "[-n NAME] [--dry-run] [options]",
    [
      "vm-identity extension remove -g myResourceGroup --vm-name myVM",
      "vm-identity extension remove --ids $VM1 $VM2 --dry-run",
      "vm-identity extension remove --subscriptions Production --tag msi=legacy",
    ],
    true,
  )
    .option("-n, --name <extension>", "extension name (default: the MSI extension type for the VM's OS)", nonEmpty("--name"))
    .option("--dry-run", "print the DELETE that would be sent, without sending it")
    .action(async (options: ExtensionOptions, cmd: Command) => {
      const which = nameOf(options);
      validateMsiExtensionOptions(which);
      const targets = await extensionTargets(rt, cmd, options);
      const noWait = checkNoWait(options, targets);
      if (targets.mode !== "one") {
        await runExtensionFleet(rt, cmd, targets, options, {
          label: "extension remove",
          plan: (vm, op) => vm.msiExtension.planRemove(which, op),
          apply: async (fleet, fleetOptions) => {
            const results = await fleet.msiExtension.remove(which, fleetOptions);
            const rows = results.map((r) => ({
              row: r.fromJournal ? { ...rowBase(r), ...FROM_JOURNAL, json: { ...FROM_JOURNAL.json } } : {
                ...rowBase(r),
                json: { removed: r.status === "changed", name: r.name },
                detail: r.status === "changed" ? `removed ${r.name ?? ""}`.trimEnd() : `${r.name ?? "extension"} was not installed`,
              },
              index: r.index,
            }));
            return { rows, stats: results.stats };
          },
        });
        return;
      }
      const out = rt.printer(cmd);
      const vm = await rt.vm(cmd, targets.vm);
      if (options.dryRun) {
        const report: DryRunReport = { dryRun: true, requests: [await vm.msiExtension.planRemove(which, rt.operationOptions)] };
        out.result(report, () => formatDryRun(report.requests));
        return;
      }
      if (noWait) {
        const accepted = await untilAccepted(rt, { method: "DELETE", url: isExtensionOf(vm.resourceId) }, (abortSignal) => vm.msiExtension.remove(which, { abortSignal }));
        noteAccepted(rt, `VM ${vm.name}'s extension`, accepted?.statusUrl);
        return;
      }
      out.result(await vm.msiExtension.remove(which, rt.operationOptions), (result) =>
        result.removed ? `Removed extension ${result.name}.\n` : `Extension ${result.name} was not installed; nothing to remove.\n`,
      );
    });

  extensionCommand(
    extension,
    ["show", "get"],
    "show the MSI extension of one VM or several",
    "Show the MSI extension of a VM; fails (exit 1) when it is not installed. Several --ids or --ids-file print an array " +
      "of the extensions found. A selection (-g alone, --subscriptions, --tag, --location, --graph-query) or --shard " +
      "prints one entry per VM (id, name, resourceGroup, extension: null when it is not installed). Replaces Get-AzureRmVMExtension.",
    "[-n NAME] [options]",
    ["vm-identity extension show -g myResourceGroup --vm-name myVM -o table", "vm-identity extension show -g myResourceGroup -o table"],
    false,
  )
    .option("-n, --name <extension>", "extension name (default: the MSI extension type for the VM's OS)", nonEmpty("--name"))
    .action(async (options: ExtensionOptions, cmd: Command) => {
      const which = nameOf(options);
      validateMsiExtensionOptions(which);
      const out = rt.printer(cmd);
      const targets = await extensionTargets(rt, cmd, options);
      if (readsAsFleet(targets, options.shard)) {
        await printFleetRead(rt, cmd, out, targets, options, {
          label: "extension show",
          run: async (group, fleetOptions, emit: EmitRow<FleetRow>) => {
            const ids = await vmIdsOf(group, fleetOptions, emit);
            await readEachOf(ids, fleetOptions, emit, async (id) => {
              const found = await (await vmOf(rt, cmd, id)).msiExtension.get(which, fleetOptions.abortSignal ? { abortSignal: fleetOptions.abortSignal } : {});
              return readRow(id, vmEntry(id, { extension: found ?? null }));
            });
            return {};
          },
          table: extensionsTable,
        });
        return;
      }
      await printOneOrEach(rt, out, readTargets(targets), async (ref) => {
        const vm = await rt.vm(cmd, ref);
        const found = await vm.msiExtension.get(which, rt.operationOptions);
        if (!found) throw new OperationFailedError(`${options.name ?? "The MSI extension"} is not installed on VM ${vm.name}.`, "ResourceNotFound");
        return found;
      }, {
        one: extensionTable,
        many: (values, width) => values.map((v) => extensionTable(v, width)).join("\n"),
      });
    });
}
