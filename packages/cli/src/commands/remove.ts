import { type Command, Option } from "commander";
import { addIdentityOptions, readIdentitySelection, type IdentityOptions } from "../options/identities.js";
import { addSelectionOptions } from "../options/selection.js";
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
    .usage(`${vmTargetUsage("name", true)} [--identities ID... | --all] [--dry-run | --no-wait] [options]`)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity remove -g myResourceGroup -n myVM\n" +
        "  vm-identity remove -g myResourceGroup -n myVM --identities myIdentity\n" +
        "  vm-identity remove -g myResourceGroup -n myVM --all --dry-run\n" +
        "  vm-identity remove --ids-file vms.txt --identities $ID --concurrency 8\n" +
        "  vm-identity remove -g web --identities $ID --journal web-remove.jsonl\n" +
        "\nWith several VMs (several --ids, --ids-file, -g without -n, or a selection as for assign) a VM that does not " +
        "hold the identity is a failed VM in the results; the others are changed.\n",
    );
  addVmTargetOptions(command, { idsFile: true });
  addSelectionOptions(command, { writes: true });
  addIdentityOptions(command, "remove");
  addConcurrencyOption(command)
    .addOption(new Option("--all", "remove every identity, system-assigned and user-assigned").conflicts(["identities", "system", "userAssigned"]))
    .option("--dry-run", "read the VM and print the request that would be sent, without sending it")
    .option("--no-wait", "return once the PATCH is accepted, without waiting for it to finish (one VM)")
    .action(async (options: IdentityChangeOptions & IdentityOptions & { all?: boolean }, cmd: Command) => {
      const selection = readIdentitySelection(options);
      await runIdentityChange(rt, cmd, options, selection, <B extends ChangeSet<B>>(change: B, ids: string[]): B => {
        if (options.all) return change.removeAll();
        const next = ids.length > 0 ? change.removeUserAssigned(ids) : change;
        return selection.system ? next.disableSystemAssigned() : next;
      });
    });
}
