import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { isRestError } from "azure-vm-identity";
import { UsageError } from "../errors.js";
import { type IdentityOptions, addIdentityOptions, identityIdsFor, readIdentitySelection } from "../options/identities.js";
import { nonEmpty, parsePort } from "../options/parsers.js";
import { type VmTargetOptions, addVmTargetOptions, resolveVmTargets, vmTargetUsage } from "../options/targets.js";
import { armIdentity } from "../output/identity.js";
import type { DryRunReport } from "../output/requests.js";
import { formatDryRun } from "../output/requests.js";
import { createResultTable } from "../output/resources.js";
import type { CliRuntime } from "../runtime.js";

interface CreateOptions extends VmTargetOptions, IdentityOptions {
  definition: string;
  msiExtension?: boolean;
  msiPort?: number;
  overwrite?: boolean;
  dryRun?: boolean;
}

/** Read and parse the VM definition file; a missing file or bad JSON is a usage error. */
export async function readDefinition(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new UsageError(`Cannot read the definition file ${JSON.stringify(path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new UsageError(`The definition file ${JSON.stringify(path)} is not valid JSON: ${(e as Error).message}.`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(`The definition file ${JSON.stringify(path)} must hold a JSON object: the VM's ARM body (location, properties, ...).`);
  }
  return value as Record<string, unknown>;
}

/** `vm-identity create`: create a VM from its ARM definition with managed identities. */
export function registerCreate(program: Command, rt: CliRuntime): void {
  const command = program
    .command("create")
    .summary("create a VM from its ARM definition, with managed identities")
    .description(
      "Create a VM from a JSON file holding its ARM body (location, properties, ...), with the system-assigned identity " +
        "and/or user-assigned identities (--identities, as for assign) and optionally the (deprecated) MSI extension. " +
        "The PUT carries If-None-Match: * so an existing VM is never replaced unless --overwrite is given. Replaces " +
        "New-AzureRmVMConfig -AssignIdentity:$SystemAssigned or -IdentityType UserAssigned -IdentityID, with New-AzureRmVM.",
    )
    .usage(`${vmTargetUsage("name", false)} --definition FILE [--identities ID...] [--msi-extension] [--dry-run] [options]`)
    .addHelpText("after", "\nExample:\n  vm-identity create -g myRG -n myVM --definition vm.json --identities [system]\n");
  addVmTargetOptions(command)
    .requiredOption("--definition <file>", "JSON file with the VM's ARM body", nonEmpty("--definition"));
  addIdentityOptions(command, "give the VM")
    .option("--msi-extension", "install the MSI extension once the VM exists")
    .option("--msi-port <port>", "port of the MSI extension (default: 50342)", parsePort)
    .option("--overwrite", "replace an existing VM of that name (no If-None-Match)")
    .option("--dry-run", "print the requests that would be sent, without sending any")
    .action(async (options: CreateOptions, cmd: Command) => {
      const selection = readIdentitySelection(options, { defaultToSystem: false });
      const targets = await resolveVmTargets(options, rt.io);
      if (targets.mode !== "one") throw new UsageError("create makes one VM: pass one --ids value, or -g and -n.");
      const definition = await readDefinition(options.definition);
      const out = rt.printer(cmd);
      const vm = await rt.vm(cmd, targets.vm);
      const userAssigned = identityIdsFor(selection, vm);
      let create = vm.create(definition);
      if (selection.system) create = create.withSystemAssignedIdentity();
      if (userAssigned.length > 0) create = create.withUserAssignedIdentities(userAssigned);
      if (options.msiExtension || options.msiPort !== undefined) {
        create = create.withMsiExtension(options.msiPort !== undefined ? { port: options.msiPort } : {});
      }
      const overwrite = { overwrite: options.overwrite === true };
      if (options.dryRun) {
        const report: DryRunReport = { dryRun: true, requests: create.plan(overwrite).requests };
        if ((options.msiExtension || options.msiPort !== undefined) && report.requests.length < 2) {
          rt.stderr("note: the definition does not name the OS, so the extension's PUT is decided once the VM exists; it is not shown.\n");
        }
        out.result(report, () => formatDryRun(report.requests));
        return;
      }
      try {
        const result = await create.apply({ ...rt.operationOptions, ...overwrite });
        out.result({ ...result, identity: armIdentity(result.identity) }, (_json, width) => createResultTable(result, width));
      } catch (e) {
        if (isRestError(e) && e.statusCode === 412 && !options.overwrite) {
          rt.note(`note: ${vm.name} already exists; pass --overwrite to replace it.\n`);
        }
        throw e;
      }
    });
}
