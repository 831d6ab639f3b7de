import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { collectIds } from "../options/parsers.js";
import { VM_TARGET_USAGE, addVmTargetOptions } from "../options/targets.js";
import type { CliRuntime } from "../runtime.js";
import { type IdentityChangeOptions, runIdentityChange } from "./identityChange.js";

/** `vm-identity assign`: enable the system identity and/or attach user-assigned ones. */
export function registerAssign(program: Command, rt: CliRuntime): void {
  const command = program
    .command("assign")
    .summary("enable the system-assigned identity and/or attach user-assigned identities")
    .description(
      "Enable the system-assigned identity and/or attach user-assigned identities to a VM, with one PATCH of its identity " +
        "(conditional on the VM's etag, so a concurrent change is never undone). Replaces Update-AzureRmVM -AssignIdentity / -IdentityType UserAssigned -IdentityID.",
    )
    .usage(`${VM_TARGET_USAGE} [--system] [--user-assigned ID...] [--dry-run] [options]`)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity assign -g myResourceGroup -n myVM --system\n" +
        "  vm-identity assign -g myResourceGroup -n myVM --user-assigned /subscriptions/<sub>/resourceGroups/myResourceGroup/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myIdentity\n" +
        "  vm-identity assign -g myResourceGroup -n myVM --system --dry-run\n",
    );
  addVmTargetOptions(command)
    .option("--system", "enable the system-assigned identity")
    .option("--user-assigned <id...>", "attach user-assigned identities, by full resource id", collectIds)
    .option("--dry-run", "read the VM and print the request that would be sent, without sending it")
    .action(async (options: IdentityChangeOptions, cmd: Command) => {
      if (!options.system && !options.userAssigned) {
        throw new UsageError("Nothing to assign: pass --system and/or --user-assigned <id...>.");
      }
      await runIdentityChange(rt, cmd, options, (change) => {
        let next = options.system ? change.enableSystemAssigned() : change;
        if (options.userAssigned) next = next.assignUserAssigned(options.userAssigned);
        return next;
      });
    });
}
