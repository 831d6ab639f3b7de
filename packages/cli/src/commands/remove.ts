import { type Command, Option } from "commander";
import { addIdentityOptions, readIdentitySelection, type IdentityOptions } from "../options/identities.js";
import { addSelectionOptions } from "../options/selection.js";
import { addConcurrencyOption, addVmTargetOptions, vmTargetUsage } from "../options/targets.js";
import type { CliRuntime } from "../runtime.js";
import { UsageError } from "../errors.js";
import type { IdentitySelection } from "../options/identities.js";
import { type BuildChange, type ChangeRequest, type ChangeSet, type IdentityChangeOptions, runIdentityChange } from "./identityChange.js";

/** The options of `remove` (VMs and scale sets). */
export type RemoveOptions = IdentityChangeOptions & IdentityOptions & { all?: boolean };

/** Add `--all` and `--delete-role-assignments` to a remove command. */
export function addRemoveOptions(command: Command): Command {
  return command
    .addOption(new Option("--all", "remove every identity, system-assigned and user-assigned").conflicts(["identities", "system", "userAssigned"]))
    .option(
      "--delete-role-assignments",
      "delete the role assignments of the system identity being disabled first (default: ARM keeps them, orphaned, and a warning names each)",
    );
}

/** What `remove` asks: the identities to remove (or all), and what becomes of a disabled system identity's role assignments. */
export function removeRequest(options: RemoveOptions): ChangeRequest {
  const selection: IdentitySelection = readIdentitySelection(options);
  const disablesSystem = options.all === true || selection.system;
  if (options.deleteRoleAssignments && !disablesSystem) {
    throw new UsageError(
      "--delete-role-assignments deletes the role assignments of the system identity being disabled, and this remove keeps it: " +
        "add [system] to --identities (or --all), or leave out --delete-role-assignments.",
    );
  }
  const disable = { roleAssignments: options.deleteRoleAssignments ? ("delete" as const) : ("keep" as const) };
  const build: BuildChange = <B extends ChangeSet<B>>(change: B, ids: string[]): B => {
    if (options.all) return change.removeAll(disable);
    const next = ids.length > 0 ? change.removeUserAssigned(ids) : change;
    return selection.system ? next.disableSystemAssigned(disable) : next;
  };
  return { selection, pairs: [], build, keepsOrphans: disablesSystem && !options.deleteRoleAssignments };
}

/** The help text on role assignments of a remove (VMs and scale sets). */
export const REMOVE_ROLES_HELP =
  "\nRole assignments: disabling a system identity deletes its principal, and ARM keeps the role assignments made for it " +
  "(orphans that count towards the subscription's limit and that a new system identity does not get back). The command " +
  "reads them before the write and names each on stderr afterwards (orphanedRoleAssignments in -o json); " +
  "--delete-role-assignments deletes them before the identity is disabled (deletedRoleAssignments; needs " +
  "Microsoft.Authorization/roleAssignments/delete). --dry-run lists them, and the DELETEs.\n";

/** `vm-identity remove`: disable the system identity, detach user-assigned ones, or remove all. */
export function registerRemove(program: Command, rt: CliRuntime): void {
  const command = program
    .command("remove")
    .summary("disable the system-assigned identity and/or detach user-assigned ones")
    .description(
      "Disable the system-assigned identity and/or detach user-assigned identities, or remove every identity (--all). " +
        "With no identity named, the system-assigned identity is disabled (as with az vm identity remove). Removing an " +
        "identity the VM does not hold fails (exit 1) after the VM is read, before anything is written. Replaces " +
        "Update-AzureRmVm -IdentityType None, -IdentityType UserAssigned and -IdentityType SystemAssigned.",
    )
    .usage(`${vmTargetUsage("name", true)} [--identities ID... | --all] [--delete-role-assignments] [--dry-run | --no-wait] [options]`)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity remove -g myResourceGroup -n myVM\n" +
        "  vm-identity remove -g myResourceGroup -n myVM --identities myIdentity\n" +
        "  vm-identity remove -g myResourceGroup -n myVM --all --dry-run\n" +
        "  vm-identity remove -g myRG -n myVM --delete-role-assignments\n" +
        "  vm-identity remove --ids-file vms.txt --identities $ID --concurrency 8\n" +
        "  vm-identity remove -g web --identities $ID --journal web-remove.jsonl\n" +
        "\nWith several VMs (several --ids, --ids-file, -g without -n, or a selection as for assign) a VM that does not " +
        "hold the identity is a failed VM in the results; the others are changed.\n" +
        REMOVE_ROLES_HELP,
    );
  addVmTargetOptions(command, { idsFile: true });
  addSelectionOptions(command, { writes: true });
  addIdentityOptions(command, "remove");
  addRemoveOptions(addConcurrencyOption(command))
    .option("--dry-run", "read the VM and print the request that would be sent, without sending it")
    .option("--no-wait", "return once the PATCH is accepted, without waiting for it to finish (one VM)")
    .action(async (options: RemoveOptions, cmd: Command) => {
      await runIdentityChange(rt, cmd, options, removeRequest(options));
    });
}
