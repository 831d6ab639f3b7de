import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { type UserAssignedIdentityHandle, isInvalidInputError, parseUserAssignedIdentityId } from "azure-vm-identity";
import { OperationFailedError, UsageError } from "../errors.js";
import { nonEmpty } from "../options/parsers.js";
import { collectTag } from "../options/selection.js";
import type { DryRunReport } from "../output/requests.js";
import { formatDryRun } from "../output/requests.js";
import { identityListEntry, identityListTable, userAssignedIdentityTable } from "../output/resources.js";
import type { CliRuntime } from "../runtime.js";
import { printOneOrEach } from "./reads.js";

/** A user-assigned identity as the command line named it (`subscriptionId` undefined: the default one). */
interface IdentityRef {
  subscriptionId: string | undefined;
  resourceGroup: string;
  name: string;
  label: string;
}

interface IdentityTargetOptions {
  resourceGroup?: string;
  name?: string;
  ids?: string[] | true;
}

const UAI_ID_EXAMPLE = "/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>";

function collectIds(value: string, previous: string[] | true | undefined): string[] {
  if (value.trim() === "") throw new InvalidArgumentError("--ids must not be empty (is a shell variable unset?).");
  return [...(Array.isArray(previous) ? previous : []), value.trim()];
}

/** Add -g, -n and --ids (one or more identity resource ids). */
function addIdentityTargetOptions(command: Command): Command {
  return command
    .option("-g, --resource-group <group>", "resource group of the identity", nonEmpty("--resource-group"))
    .option("-n, --name <name>", "name of the identity", nonEmpty("--name"))
    .option("--ids [id...]", "resource ids of one or more identities, each in its own subscription (instead of -g and -n)", collectIds);
}

function parseIdentityId(value: string, where: string): IdentityRef {
  try {
    const parsed = parseUserAssignedIdentityId(value);
    return { ...parsed, label: parsed.name };
  } catch (e) {
    if (!isInvalidInputError(e)) throw e;
    throw new UsageError(
      value.startsWith("/")
        ? `${where}: ${e.message} [${e.code}]`
        : `${where} ${JSON.stringify(value)} is not a user-assigned identity resource id: expected a full id such as ${UAI_ID_EXAMPLE}; to name the identity by name, pass -g <group> -n ${value}.`,
    );
  }
}

/** The identities named on the command line: -g and -n, or one or more --ids. */
function identityTargets(options: IdentityTargetOptions): { mode: "one"; ref: IdentityRef } | { mode: "many"; refs: IdentityRef[] } {
  const named = options.resourceGroup !== undefined || options.name !== undefined;
  if (options.ids === true) throw new UsageError("The selection is empty: --ids was given no identity id.");
  if (options.ids !== undefined) {
    if (named) throw new UsageError("Name the identity either with --ids or with -g and -n, not both.");
    const ids = options.ids;
    const refs = ids.map((id, i) => parseIdentityId(id, ids.length > 1 ? `--ids value ${i + 1}` : "--ids"));
    return refs.length === 1 ? { mode: "one", ref: refs[0]! } : { mode: "many", refs };
  }
  if (options.resourceGroup !== undefined && options.name !== undefined) {
    return { mode: "one", ref: { subscriptionId: undefined, resourceGroup: options.resourceGroup, name: options.name, label: options.name } };
  }
  if (options.resourceGroup !== undefined) throw new UsageError("Missing the identity's name: pass -n/--name <name>.");
  if (options.name !== undefined) throw new UsageError("Missing the resource group: pass -g/--resource-group <group>.");
  throw new UsageError("No identity given: pass -g/--resource-group <group> and -n/--name <name>, or --ids <identity resource id...>.");
}

/** The targets in the form {@link printOneOrEach} takes. */
function oneOrMany(targets: ReturnType<typeof identityTargets>): { mode: "one"; target: IdentityRef } | { mode: "many"; targets: IdentityRef[] } {
  return targets.mode === "one" ? { mode: "one", target: targets.ref } : { mode: "many", targets: targets.refs };
}

/** The library's handle on an identity, in its own subscription. */
async function handleOf(rt: CliRuntime, command: Command, ref: IdentityRef): Promise<UserAssignedIdentityHandle> {
  const subscriptionId = ref.subscriptionId ?? (await rt.defaultSubscription(command));
  return (await rt.client(command, subscriptionId)).userAssignedIdentity(ref.resourceGroup, ref.name);
}

/** `vm-identity identity create|list|show|delete`: user-assigned identity resources. */
export function registerIdentity(program: Command, rt: CliRuntime): void {
  const identity = program
    .command("identity")
    .summary("create, list, show or delete user-assigned identities")
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
    .action(async (options: { resourceGroup: string; name: string; location: string; tags?: Record<string, string>; dryRun?: boolean }, cmd: Command) => {
      const out = rt.printer(cmd);
      const uai = await handleOf(rt, cmd, { subscriptionId: undefined, resourceGroup: options.resourceGroup, name: options.name, label: options.name });
      const definition = { location: options.location, ...(options.tags ? { tags: options.tags } : {}) };
      if (options.dryRun) {
        const report: DryRunReport = { dryRun: true, requests: [uai.planCreateOrUpdate(definition)] };
        out.result(report, () => formatDryRun(report.requests));
        return;
      }
      out.result(await uai.createOrUpdate(definition, rt.operationOptions), userAssignedIdentityTable);
    });

  identity
    .command("list")
    .summary("list the user-assigned identities of the subscription or of a resource group")
    .description(
      "List the user-assigned identities of the subscription, or of one resource group, as az identity list does: " +
        "-o json prints each with clientId, id, location, name, principalId, resourceGroup, tags, tenantId and type; " +
        "-o table one row each (name, resource group, location, client id); -o tsv their values in key order. " +
        "Read page by page as ARM sends them.",
    )
    .usage("[-g RG] [options]")
    .option("-g, --resource-group <group>", "only the identities of this resource group", nonEmpty("--resource-group"))
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity identity list -o table\n" +
        "  vm-identity identity list -g myResourceGroup --query \"[].id\" -o tsv\n",
    )
    .action(async (options: { resourceGroup?: string }, cmd: Command) => {
      const out = rt.printer(cmd);
      const client = await rt.client(cmd, await rt.defaultSubscription(cmd));
      const found = [];
      const listing = client.listUserAssignedIdentities({
        ...rt.operationOptions,
        ...(options.resourceGroup !== undefined ? { resourceGroup: options.resourceGroup } : {}),
      });
      for await (const info of listing) found.push(identityListEntry(info));
      out.result(found, identityListTable);
    });

  const show = identity
    .command("show")
    .summary("show one user-assigned identity or several")
    .description(
      "Show a user-assigned identity: its resource id (what assign --identities takes), principal and client id. " +
        "Several --ids print an array of the identities found; one that does not exist is an error (exit 1).",
    )
    .usage("(-g RG -n NAME | --ids ID...) [options]")
    .addHelpText("after", "\nExample:\n  vm-identity identity show -g myResourceGroup -n myIdentity -o table\n");
  addIdentityTargetOptions(show).action(async (options: IdentityTargetOptions, cmd: Command) => {
    const out = rt.printer(cmd);
    const targets = identityTargets(options);
    await printOneOrEach(rt, out, oneOrMany(targets), async (ref) => {
      const found = await (await handleOf(rt, cmd, ref)).get(rt.operationOptions);
      if (!found) throw new OperationFailedError(`User-assigned identity ${ref.name} was not found in ${ref.resourceGroup}.`, "ResourceNotFound");
      return found;
    }, {
      one: userAssignedIdentityTable,
      many: (values, width) => values.map((v) => userAssignedIdentityTable(v, width)).join("\n"),
    });
  });

  const del = identity
    .command("delete")
    .summary("delete one user-assigned identity or several")
    .description(
      "Delete a user-assigned identity. VMs that hold it keep a reference to it that no longer works: detach it first " +
        "(vm-identity remove --identities NAME). Deleting one that does not exist succeeds and says so.",
    )
    .usage("(-g RG -n NAME | --ids ID...) [options]")
    .addHelpText("after", "\nExample:\n  vm-identity identity delete -g myResourceGroup -n myIdentity\n");
  addIdentityTargetOptions(del).action(async (options: IdentityTargetOptions, cmd: Command) => {
    const out = rt.printer(cmd);
    const targets = identityTargets(options);
    const text = (values: { name: string; resourceGroup: string; deleted: boolean }[]): string =>
      values
        .map((v) =>
          v.deleted
            ? `Deleted identity ${v.name} (resource group ${v.resourceGroup}).\n`
            : `Identity ${v.name} (resource group ${v.resourceGroup}) did not exist; nothing to delete.\n`,
        )
        .join("");
    await printOneOrEach(rt, out, oneOrMany(targets), async (ref) => {
      const uai = await handleOf(rt, cmd, ref);
      return { name: ref.name, resourceGroup: ref.resourceGroup, deleted: (await uai.delete(rt.operationOptions)).deleted };
    }, { one: (v) => text([v]), many: text });
  });
}
