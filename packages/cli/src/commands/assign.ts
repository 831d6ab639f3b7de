import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { collectIds } from "../options/parsers.js";
import { VM_TARGETS_USAGE, addVmTargetsOptions } from "../options/targets.js";
import type { CliRuntime } from "../runtime.js";
import { type ChangeSet, type IdentityChangeOptions, runIdentityChange } from "./identityChange.js";

/** `vm-identity assign`: enable the system identity and/or attach user-assigned ones. */
export function registerAssign(program: Command, rt: CliRuntime): void {
  const command = program
    .command("assign")
    .summary("enable the system-assigned identity and/or attach user-assigned identities")
    .description(
      "Enable the system-assigned identity and/or attach user-assigned identities to a VM, with one PATCH of its identity " +
        "(conditional on the VM's etag, so a concurrent change is never undone). Takes one VM or many (--ids, --ids-file). Replaces Update-AzureRmVM -AssignIdentity / -IdentityType UserAssigned -IdentityID.",
    )
    .usage(`${VM_TARGETS_USAGE} [--system] [--user-assigned ID...] [--dry-run] [options]`)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity assign -g myResourceGroup -n myVM --system\n" +
        "  vm-identity assign -g myResourceGroup -n myVM --user-assigned /subscriptions/<sub>/resourceGroups/myResourceGroup/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myIdentity\n" +
        "  vm-identity assign -g myResourceGroup -n myVM --system --dry-run\n" +
        "  vm-identity assign --ids <VM id> <VM id> <VM id> --system -o table\n" +
        '  az vm list --query "[].id" -o tsv | vm-identity assign --ids-file - --system\n' +
        "\nWith several VMs (several --ids, or --ids-file) the VMs are changed at once, at the pace ARM allows; " +
        "the output is one result per VM and the exit code is 1 when any VM failed.\n",
    );
  addVmTargetsOptions(command)
    .option("--system", "enable the system-assigned identity")
    .option("--user-assigned <id...>", "attach user-assigned identities, by full resource id", collectIds)
    .option("--dry-run", "read the VM and print the request that would be sent, without sending it")
    .action(async (options: IdentityChangeOptions, cmd: Command) => {
      if (!options.system && !options.userAssigned) {
        throw new UsageError("Nothing to assign: pass --system and/or --user-assigned <id...>.");
      }
      await runIdentityChange(rt, cmd, options, <B extends ChangeSet<B>>(change: B): B => {
        let next = options.system ? change.enableSystemAssigned() : change;
        if (options.userAssigned) next = next.assignUserAssigned(options.userAssigned);
        return next;
      });
    });
}
