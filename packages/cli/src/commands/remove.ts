import { type Command, Option } from "commander";
import { addIdentityOptions, readIdentitySelection, type IdentityOptions } from "../options/identities.js";
import { addConcurrencyOption, addVmTargetOptions, vmTargetUsage } from "../options/targets.js";
import type { CliRuntime } from "../runtime.js";
import { type ChangeSet, type IdentityChangeOptions, runIdentityChange } from "./identityChange.js";

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
    .usage(`${vmTargetUsage("name", true)} [--identities ID... | --all] [--dry-run] [options]`)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity remove -g myResourceGroup -n myVM\n" +
        "  vm-identity remove -g myResourceGroup -n myVM --identities myIdentity\n" +
        "  vm-identity remove -g myResourceGroup -n myVM --all --dry-run\n" +
        "  vm-identity remove --ids-file vms.txt --identities $ID --concurrency 8\n" +
        "\nWith several VMs (several --ids, or --ids-file) a VM that does not hold the identity is a failed VM in the " +
        "results; the others are changed.\n",
    );
  addVmTargetOptions(command, { idsFile: true });
  addIdentityOptions(command, "remove");
  addConcurrencyOption(command)
    .addOption(new Option("--all", "remove every identity, system-assigned and user-assigned").conflicts(["identities", "system", "userAssigned"]))
    .option("--dry-run", "read the VM and print the request that would be sent, without sending it")
    .action(async (options: IdentityChangeOptions & IdentityOptions & { all?: boolean }, cmd: Command) => {
      const selection = readIdentitySelection(options);
      await runIdentityChange(rt, cmd, options, selection, <B extends ChangeSet<B>>(change: B, ids: string[]): B => {
        if (options.all) return change.removeAll();
        const next = ids.length > 0 ? change.removeUserAssigned(ids) : change;
        return selection.system ? next.disableSystemAssigned() : next;
      });
    });
}
