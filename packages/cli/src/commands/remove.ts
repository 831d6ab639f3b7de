import { type Command, Option } from "commander";
import { UsageError } from "../errors.js";
import { collectIds } from "../options/parsers.js";
import { VM_TARGETS_USAGE, addVmTargetsOptions } from "../options/targets.js";
import type { CliRuntime } from "../runtime.js";
import { type ChangeSet, type IdentityChangeOptions, runIdentityChange } from "./identityChange.js";

/** `vm-identity remove`: disable the system identity, detach user-assigned ones, or remove all. */
export function registerRemove(program: Command, rt: CliRuntime): void {
  const command = program
    .command("remove")
    .summary("disable the system-assigned identity and/or detach user-assigned identities")
    .description(
      "Disable the system-assigned identity, detach user-assigned identities, or remove every identity (--all). " +
        "Removing an identity the VM does not hold is an error, reported before anything is sent. " +
        "Replaces Update-AzureRmVM -IdentityType None / UserAssigned.",
    )
    .usage(`${VM_TARGETS_USAGE} [--system] [--user-assigned ID...] [--all] [--dry-run] [options]`)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity remove -g myResourceGroup -n myVM --system\n" +
        "  vm-identity remove -g myResourceGroup -n myVM --user-assigned <identity id>\n" +
        "  vm-identity remove -g myResourceGroup -n myVM --all --dry-run\n" +
        "  vm-identity remove --ids-file vms.txt --user-assigned <identity id> --concurrency 8\n" +
        "\nWith several VMs (several --ids, or --ids-file) a VM that does not hold the identity is a failed VM in the results (exit 1), " +
        "not a usage error.\n",
    );
  addVmTargetsOptions(command)
    .option("--system", "disable the system-assigned identity (Azure deletes its principal)")
    .option("--user-assigned <id...>", "detach user-assigned identities, by full resource id", collectIds)
    .addOption(new Option("--all", "remove every identity, system and user-assigned").conflicts(["system", "userAssigned"]))
    .option("--dry-run", "read the VM and print the request that would be sent, without sending it")
    .action(async (options: IdentityChangeOptions & { all?: boolean }, cmd: Command) => {
      if (!options.system && !options.userAssigned && !options.all) {
        throw new UsageError("Nothing to remove: pass --system, --user-assigned <id...> or --all.");
      }
      await runIdentityChange(rt, cmd, options, <B extends ChangeSet<B>>(change: B): B => {
        if (options.all) return change.removeAll();
        let next = options.userAssigned ? change.removeUserAssigned(options.userAssigned) : change;
        if (options.system) next = next.disableSystemAssigned();
        return next;
      });
    });
}
