import type { Command } from "commander";
import { addIdentityOptions, readIdentitySelection, type IdentityOptions } from "../options/identities.js";
import { addGrantOptions, readRolePairs } from "../options/roles.js";
import { addSelectionOptions } from "../options/selection.js";
import { addConcurrencyOption, addVmTargetOptions, vmTargetUsage } from "../options/targets.js";
import type { CliRuntime } from "../runtime.js";
import { type BuildChange, type ChangeSet, type IdentityChangeOptions, runIdentityChange } from "./identityChange.js";
import type { IdentitySelection } from "../options/identities.js";

/** What `assign` asks of a change set: the system identity and/or the user-assigned ones. */
export function assignChange(selection: IdentitySelection): BuildChange {
  return <B extends ChangeSet<B>>(change: B, ids: string[]): B => {
    const next = selection.system ? change.enableSystemAssigned() : change;
    return ids.length > 0 ? next.assignUserAssigned(ids) : next;
  };
}

/** The help text of `--role`/`--scope` on `assign` (VMs and scale sets). */
export function rolesHelp(kind: "VM" | "scale set"): string {
  return (
    `\nRoles: --role ROLE --scope SCOPE grants ROLE (a name such as Reader, a role definition GUID or id) at SCOPE (a ` +
    "subscription, resource group or resource id) in the same call, once the identity write is done, under a name derived " +
    "from the scope, principal and role (granting again finds it). Repeat the pair for more roles. The roles go to the " +
    `system identity when the command enables it (as with az), else to the one user-assigned identity it assigns; ` +
    `--role-identity [system]|NAME|ID says it instead. Granting needs Microsoft.Authorization/roleAssignments/write at ` +
    `the scope (Owner, User Access Administrator). --dry-run shows the role assignment PUTs, with the principal of an ` +
    `identity the ${kind} does not have yet shown as pending.\n`
  );
}

/** `vm-identity assign`: enable the system identity and/or attach user-assigned ones. */
export function registerAssign(program: Command, rt: CliRuntime): void {
  const command = program
    .command("assign")
    .summary("enable the system-assigned identity and/or attach user-assigned ones")
    .description(
      "Enable the system-assigned identity and/or attach user-assigned identities, with one PATCH of the VM's identity, " +
        "conditional on its etag so that a concurrent change is never undone. With no identity named, the system-assigned " +
        "identity is enabled (as with az vm identity assign). Identities named by name are looked up in the VM's resource " +
        "group, or in --identity-resource-group, without a request. Replaces Update-AzureRmVM -AssignIdentity:$SystemAssigned " +
        "and -IdentityType UserAssigned -IdentityID.",
    )
    .usage(`${vmTargetUsage("name", true)} [--identities ID...] [--role ROLE --scope SCOPE...] [--dry-run | --no-wait] [options]`)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity assign -g myResourceGroup -n myVM\n" +
        "  vm-identity assign -g myResourceGroup -n myVM --identities myIdentity\n" +
        "  vm-identity assign -g myResourceGroup -n myVM --identities [system] $ID\n" +
        "  vm-identity assign -g myResourceGroup -n myVM --dry-run\n" +
        "  vm-identity assign -g myRG -n myVM --query systemAssignedIdentity -o tsv\n" +
        "  vm-identity assign -g myResourceGroup -n myVM --no-wait\n" +
        "  vm-identity assign --ids $VM1 $VM2 $VM3 -o table\n" +
        '  az vm list --query "[].id" -o tsv | vm-identity assign --ids-file -\n' +
        "  vm-identity assign -g web --identities $ID --journal web.jsonl\n" +
        "  vm-identity assign --subscriptions Production Staging --tag env=prod\n" +
        "  vm-identity assign --graph-query \"resources | where tags.team == 'data'\"\n" +
        "  vm-identity assign --subscriptions Production --shard 1/4 --journal 1.jsonl\n" +
        "  vm-identity assign -g myRG -n myVM --role Reader --scope $RG_ID\n" +
        "\nWith several VMs (several --ids, --ids-file, -g without -n, --subscriptions, --tag, --location, --graph-query), " +
        "in one or more subscriptions, the VMs are changed at once, each subscription at the pace ARM allows it; the output " +
        "is one result per VM and the exit code is 1 when any VM failed or its outcome is unknown. --journal FILE makes " +
        "the run resumable: run the same command again and the VMs done are skipped. --shard K/N does the Kth of N " +
        "shares, so that N machines can share one selection.\n" +
        rolesHelp("VM"),
    );
  addVmTargetOptions(command, { idsFile: true });
  addSelectionOptions(command, { writes: true });
  addIdentityOptions(command, "assign");
  addGrantOptions(command);
  addConcurrencyOption(command)
    .option("--dry-run", "read the VM and print the request that would be sent, without sending it")
    .option("--no-wait", "return once the PATCH is accepted, without waiting for it to finish (one VM)")
    .action(async (options: IdentityChangeOptions & IdentityOptions, cmd: Command) => {
      const selection = readIdentitySelection(options);
      const pairs = readRolePairs(options, selection);
      await runIdentityChange(rt, cmd, options, { selection, pairs, build: assignChange(selection), keepsOrphans: false });
    });
}
