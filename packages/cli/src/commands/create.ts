import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { isRestError } from "azure-vm-identity";
import { UsageError } from "../errors.js";
import { collectIds, nonEmpty, parsePort } from "../options/parsers.js";
import { type VmTargetOptions, VM_TARGET_USAGE, addVmTargetOptions } from "../options/targets.js";
import type { DryRunReport } from "../output/requests.js";
import { formatDryRun } from "../output/requests.js";
import { createResultTable } from "../output/resources.js";
import type { CliRuntime } from "../runtime.js";
import { checkIdentityIds } from "./identityChange.js";

interface CreateOptions extends VmTargetOptions {
  definition: string;
  system?: boolean;
  userAssigned?: string[];
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
      "Create a VM from a JSON file holding its ARM body (location, properties, ...), with a system-assigned and/or " +
        "user-assigned identities and optionally the (deprecated) MSI extension. The PUT carries If-None-Match: * so an " +
        "existing VM is never replaced unless --overwrite is given. Replaces New-AzureRmVMConfig -AssignIdentity / " +
        "-IdentityType UserAssigned -IdentityID with New-AzureRmVM.",
    )
    .usage(`${VM_TARGET_USAGE} --definition FILE [--system] [--user-assigned ID...] [--msi-extension] [--dry-run] [options]`)
    .addHelpText("after", "\nExample:\n  vm-identity create -g myResourceGroup -n myVM --definition vm.json --system --msi-extension\n");
  addVmTargetOptions(command)
    .requiredOption("--definition <file>", "JSON file with the VM's ARM body", nonEmpty("--definition"))
    .option("--system", "give the VM a system-assigned identity")
    .option("--user-assigned <id...>", "attach user-assigned identities, by full resource id", collectIds)
    .option("--msi-extension", "install the MSI extension once the VM exists")
    .option("--msi-port <port>", "port of the MSI extension (default: 50342)", parsePort)
    .option("--overwrite", "replace an existing VM of that name (no If-None-Match)")
    .option("--dry-run", "print the requests that would be sent, without sending any")
    .action(async (options: CreateOptions, cmd: Command) => {
      checkIdentityIds(options.userAssigned);
      const definition = await readDefinition(options.definition);
      const { vm, out, options: op } = await rt.vmSession(cmd, options);
      let create = vm.create(definition);
      if (options.system) create = create.withSystemAssignedIdentity();
      if (options.userAssigned) create = create.withUserAssignedIdentities(options.userAssigned);
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
        out.result(await create.apply({ ...op, ...overwrite }), createResultTable);
      } catch (e) {
        if (isRestError(e) && e.statusCode === 412 && !options.overwrite) {
          rt.stderr(`note: ${vm.name} already exists; pass --overwrite to replace it.\n`);
        }
        throw e;
      }
    });
}
