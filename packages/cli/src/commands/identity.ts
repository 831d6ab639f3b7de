import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { OperationFailedError } from "../errors.js";
import { nonEmpty } from "../options/parsers.js";
import type { DryRunReport } from "../output/requests.js";
import { formatDryRun } from "../output/requests.js";
import { userAssignedIdentityTable } from "../output/resources.js";
import type { CliRuntime } from "../runtime.js";

interface IdentityOptions {
  resourceGroup: string;
  name: string;
}

/** Collect `key=value` tags. */
function collectTag(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}".`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** `vm-identity identity create|show`: user-assigned identity resources. */
export function registerIdentity(program: Command, rt: CliRuntime): void {
  const identity = program
    .command("identity")
    .summary("create or show a user-assigned identity")
    .description("Manage user-assigned identity resources (Microsoft.ManagedIdentity/userAssignedIdentities).");

  identity
    .command("create")
    .summary("create (or update) a user-assigned identity")
    .description("Create a user-assigned identity, or update the tags of an existing one. Replaces New-AzureRmUserAssignedIdentity.")
    .usage("-g RG -n NAME -l LOCATION [--tags KEY=VALUE...] [--dry-run] [options]")
    .requiredOption("-g, --resource-group <group>", "resource group of the identity", nonEmpty("--resource-group"))
    .requiredOption("-n, --name <name>", "name of the identity", nonEmpty("--name"))
    .requiredOption("-l, --location <location>", "Azure region, e.g. westeurope", nonEmpty("--location"))
    .option("--tags <key=value...>", "tags to set", collectTag)
    .option("--dry-run", "print the PUT that would be sent, without sending it")
    .addHelpText("after", "\nExample:\n  vm-identity identity create -g myResourceGroup -n myIdentity -l westeurope\n")
    .action(async (options: IdentityOptions & { location: string; tags?: Record<string, string>; dryRun?: boolean }, cmd: Command) => {
      const { client, out, options: op } = await rt.session(cmd);
      const uai = client.userAssignedIdentity(options.resourceGroup, options.name);
      const definition = { location: options.location, ...(options.tags ? { tags: options.tags } : {}) };
      if (options.dryRun) {
        const report: DryRunReport = { dryRun: true, requests: [uai.planCreateOrUpdate(definition)] };
        out.result(report, () => formatDryRun(report.requests));
        return;
      }
      out.result(await uai.createOrUpdate(definition, op), userAssignedIdentityTable);
    });

  identity
    .command("show")
    .summary("show a user-assigned identity")
    .description("Show a user-assigned identity: its resource id (what `assign --user-assigned` takes), principal and client id.")
    .usage("-g RG -n NAME [options]")
    .requiredOption("-g, --resource-group <group>", "resource group of the identity", nonEmpty("--resource-group"))
    .requiredOption("-n, --name <name>", "name of the identity", nonEmpty("--name"))
    .addHelpText("after", "\nExample:\n  vm-identity identity show -g myResourceGroup -n myIdentity -o table\n")
    .action(async (options: IdentityOptions, cmd: Command) => {
      const { client, out, options: op } = await rt.session(cmd);
      const uai = client.userAssignedIdentity(options.resourceGroup, options.name);
      const found = await uai.get(op);
      if (!found) throw new OperationFailedError(`User-assigned identity ${options.name} was not found in ${options.resourceGroup}.`, "ResourceNotFound");
      out.result(found, userAssignedIdentityTable);
    });
}
