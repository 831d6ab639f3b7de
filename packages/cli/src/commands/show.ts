import type { Command } from "commander";
import { type VmTargetOptions, addVmTargetOptions, resolveVmTargets, vmTargetUsage } from "../options/targets.js";
import { armIdentity, identitiesTable, identityTable } from "../output/identity.js";
import type { CliRuntime } from "../runtime.js";
import { printOneOrEach, readTargets } from "./reads.js";

/** `vm-identity show`: the managed identities of one VM or several. */
export function registerShow(program: Command, rt: CliRuntime): void {
  const command = program
    .command("show")
    .summary("show the managed identities of one VM or several")
    .description(
      "Show the managed identities of a VM. -o json prints ARM's own identity object, as az vm identity show does " +
        "(type, principalId and tenantId of the system-assigned identity, userAssignedIdentities keyed by resource id), " +
        "so scripts written for az work unchanged. Several --ids (each in its own subscription) or --ids-file print an " +
        "array, one entry per VM read.",
    )
    .usage(`${vmTargetUsage("name", true)} [options]`)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity show -g myResourceGroup -n myVM -o table\n" +
        "  vm-identity show -g myResourceGroup -n myVM --query principalId -o tsv\n" +
        "  vm-identity show --ids $VM1 $VM2 -o table\n",
    );
  addVmTargetOptions(command, { idsFile: true }).action(async (options: VmTargetOptions, cmd: Command) => {
    const out = rt.printer(cmd);
    const targets = await resolveVmTargets(options, rt.io);
    await printOneOrEach(rt, out, readTargets(targets), async (ref) => ({ ref, identity: await (await rt.vm(cmd, ref)).getIdentity(rt.operationOptions) }), {
      json: ({ identity }) => armIdentity(identity),
      one: ({ identity }, width) => identityTable(identity, width),
      many: (values, width) => identitiesTable(values.map(({ ref, identity }) => ({ name: ref.name, resourceGroup: ref.resourceGroup, identity })), width),
    });
  });
}
