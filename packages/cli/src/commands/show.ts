import type { Command } from "commander";
import { fromArmIdentity } from "azure-vm-identity";
import { addSelectionOptions } from "../options/selection.js";
import { type VmTargetOptions, addConcurrencyOption, addVmTargetOptions, resolveVmTargets, vmTargetUsage } from "../options/targets.js";
import { armIdentity, identitiesTable, identityTable } from "../output/identity.js";
import type { CliRuntime } from "../runtime.js";
import { emitAll, rowBase } from "./fleet.js";
import { printFleetRead, readRow, readsAsFleet, vmEntry } from "./fleetReads.js";
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
        "array of those objects, one per VM read, in the order given. A selection (-g alone, --subscriptions, --tag, " +
        "--location, --graph-query) or --shard prints one entry per VM as az vm list does: id, name, resourceGroup and " +
        "identity, read from the list pages where they carry an etag.",
    )
    .usage(`${vmTargetUsage("name", true)} [options]`)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity show -g myResourceGroup -n myVM -o table\n" +
        "  vm-identity show -g myResourceGroup -n myVM --query principalId -o tsv\n" +
        "  vm-identity show --ids $VM1 $VM2 -o table\n" +
        "  vm-identity show -g myResourceGroup -o table\n" +
        "  vm-identity show --subscriptions Production --tag env=prod --query \"[].name\"\n",
    );
  addVmTargetOptions(command, { idsFile: true });
  addSelectionOptions(command, { writes: false });
  addConcurrencyOption(command).action(async (options: VmTargetOptions & { concurrency?: number | "adaptive" }, cmd: Command) => {
    const out = rt.printer(cmd);
    const targets = await resolveVmTargets(options, rt.io, { several: true, graphQuery: rt.globals(cmd).graphQuery });
    if (readsAsFleet(targets, options.shard)) {
      await printFleetRead(rt, cmd, out, targets, options, {
        label: "show",
        // An identity plan of no change: each VM's identity from its list page (or a read), and no write.
        run: async (group, fleetOptions, emit) => {
          emitAll(await group.client.vms(group.targets).identity().plan(fleetOptions), emit, (r) =>
            r.plan ? readRow(r.resourceId, vmEntry(r.resourceId, { identity: armIdentity(r.plan.current) })) : { ...rowBase(r), json: {}, detail: "" },
          );
          return {};
        },
        table: (entries, width) =>
          identitiesTable(
            entries.map((e) => ({ name: e.name, resourceGroup: e.resourceGroup, identity: fromArmIdentity(e["identity"]) })),
            width,
          ),
      });
      return;
    }
    await printOneOrEach(rt, out, readTargets(targets), async (ref) => ({ ref, identity: await (await rt.vm(cmd, ref)).getIdentity(rt.operationOptions) }), {
      json: ({ identity }) => armIdentity(identity),
      one: ({ identity }, width) => identityTable(identity, width),
      many: (values, width) => identitiesTable(values.map(({ ref, identity }) => ({ name: ref.name, resourceGroup: ref.resourceGroup, identity })), width),
    });
  });
}
