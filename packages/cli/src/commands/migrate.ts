import type { Command } from "commander";
import type { MigrationProgress } from "azure-vm-identity";
import { UsageError } from "../errors.js";
import { ExitCode } from "../exitCodes.js";
import { fleetInputOf } from "../fleet/groups.js";
import { nonEmpty } from "../options/parsers.js";
import { addSelectionOptions } from "../options/selection.js";
import { type VmTargetOptions, addConcurrencyOption, resolveVmTargets } from "../options/targets.js";
import { failureLines } from "../output/fleet.js";
import { type MigrationRow, migrationDryRunText, migrationJson, migrationRow, migrationSummary, migrationTable, migrationWarnings } from "../output/migration.js";
import type { CliRuntime } from "../runtime.js";
import { collectFleet, finishFleet } from "./fleet.js";

interface MigrateOptions extends VmTargetOptions {
  dryRun?: boolean;
  force?: boolean;
  upgradeInstances?: boolean;
  concurrency?: number | "adaptive";
}

/** The progress of a migration in the form the progress bar takes. */
function asFleetProgress(p: MigrationProgress): { total: number; done: number; failed: number; changed: number; unchanged: number; unknown: number } {
  return { total: p.total, done: p.done, failed: p.failed, changed: p.removed + p.planned, unchanged: p.skipped, unknown: p.unknown };
}

const HELP_AFTER =
  "\nExamples:\n" +
  "  vm-identity migrate-extension -g legacy-rg --dry-run -o table\n" +
  "  vm-identity migrate-extension -g rg1 --upgrade-instances --journal m.jsonl\n" +
  "  vm-identity migrate-extension --subscriptions Production --tag msi=legacy\n" +
  "  vm-identity migrate-extension --ids $VM $SCALE_SET --force\n" +
  '  vm-identity migrate-extension --graph-query "resources | where tags.a == 1"\n' +
  "\nWhat it does: the VMs and scale sets of the selection are inventoried (from their list pages, which show a VM's " +
  "extensions and a scale set's model, so no resource is read on its own; ids and Resource Graph rows are read one by " +
  "one). Each that carries ManagedIdentityExtensionForWindows or ManagedIdentityExtensionForLinux and keeps a managed " +
  "identity has the extension deleted, at the pace ARM's budgets allow; one with no identity left is skipped " +
  "(NoIdentity: its applications would get no token from IMDS either) unless --force. Move the applications to IMDS " +
  "first (see docs/migrate-to-imds.md). Under a Manual upgrade policy a scale set's instances keep the extension until " +
  "upgraded: --upgrade-instances upgrades those that lack the latest model; without it the result says how many.\n" +
  "\nOutput: one entry per VM or scale set that carries the extension: removed, skipped (with why), failed or unknown " +
  "(a write sent whose outcome was not seen: rerun with the same --journal), then a summary line. Exit 1 when any " +
  "failed or is unknown, 130 on Ctrl+C. --journal FILE makes the run resumable: run the same command again and what " +
  "is done is skipped, what was skipped or failed looked at again, and a scale set left halfway finished. --dry-run " +
  "prints the inventory, what would happen to each resource, and the exact requests.\n" +
  "\nPermissions: Microsoft.Compute/virtualMachines/read and virtualMachineScaleSets/read to inventory; " +
  "virtualMachines/extensions/delete, virtualMachineScaleSets/extensions/delete and (with --upgrade-instances) " +
  "virtualMachineScaleSets/manualupgrade/action to migrate (Virtual Machine Contributor, Contributor).\n";

/** `vm-identity migrate-extension`: remove the deprecated MSI extension from a fleet of VMs and scale sets. */
export function registerMigrate(program: Command, rt: CliRuntime): void {
  const command = program
    .command("migrate-extension")
    .summary("remove the deprecated MSI extension from VMs and scale sets")
    .description(
      "Move a fleet off the deprecated MSI extension: find the VMs and scale sets of a selection that carry it, say which " +
        "identities each holds, and remove it from each that keeps an identity (the Instance Metadata Service serves the " +
        "same tokens without it). Removing the extension removes no identity and no role assignment.",
    )
    .usage("(-g RG | --ids ID... | --ids-file FILE | --subscriptions S... | --graph-query KQL) [--dry-run] [--force] [--upgrade-instances] [options]")
    .addHelpText("after", HELP_AFTER);
  command
    .option("-g, --resource-group <group>", "every VM and scale set of this resource group", nonEmpty("--resource-group"))
    .option("--ids [id...]", "resource ids of VMs and scale sets (or of their extensions), each in its own subscription", (value: string, previous: string[] | true | undefined) => [
      ...(Array.isArray(previous) ? previous : []),
      nonEmpty("--ids")(value).trim(),
    ])
    .option("--ids-file <file>", 'a file of VM and scale set resource ids, one a line ("#" starts a comment; "-" reads stdin)', nonEmpty("--ids-file"));
  addSelectionOptions(command, { writes: true, what: "VM and scale set" });
  addConcurrencyOption(command)
    .option("--dry-run", "inventory and print what would be done and the exact requests, without sending any write")
    .option("--force", "remove the extension even where no managed identity is left (its applications lose their tokens)")
    .option("--upgrade-instances", "under a Manual upgrade policy, upgrade the scale set instances that lack the latest model")
    .action(async (options: MigrateOptions, cmd: Command) => {
      const out = rt.printer(cmd);
      const graphQuery = rt.globals(cmd).graphQuery;
      const given =
        options.resourceGroup !== undefined || options.ids !== undefined || options.idsFile !== undefined || options.subscriptions !== undefined ||
        options.tag !== undefined || options.location !== undefined || options.graphQuery !== undefined || graphQuery !== undefined;
      if (!given) {
        throw new UsageError(
          "No selection given: pass -g <group>, --ids <id...>, --ids-file <file>, --subscriptions <name or id...> (with --tag, --location) or --graph-query <kql>.",
        );
      }
      const targets = await resolveVmTargets(options, rt.io, { several: true, graphQuery, ids: "compute" });
      const input = fleetInputOf(targets.mode === "one" ? { mode: "many", vms: [targets.vm] } : targets);
      const dryRun = options.dryRun === true;
      const counts = { inventoried: 0, withoutExtension: 0, instancesUpgraded: 0 };
      const run = await collectFleet<MigrationRow>(rt, cmd, {
        label: "migrate-extension",
        input,
        dryRun,
        concurrency: options.concurrency,
        journal: options.journal,
        shard: options.shard,
        run: async (group, fleetOptions, emit) => {
          const { onProgress, ...rest } = fleetOptions;
          const report = await group.client.migrateFromMsiExtension(group.targets, {
            ...rest,
            ...(onProgress ? { onProgress: (p: MigrationProgress) => onProgress(asFleetProgress(p)) } : {}),
            dryRun,
            force: options.force === true,
            upgradeInstances: options.upgradeInstances === true,
          });
          counts.inventoried += report.stats.inventoried;
          counts.withoutExtension += report.stats.withoutExtension;
          counts.instancesUpgraded += report.stats.instancesUpgraded;
          for (const result of report) emit(migrationRow(result), result.index);
          return { stats: report.stats.fleet };
        },
      });
      const rows = run.rows;
      if (rows.length === 0 && !run.aborted) {
        const message = `Nothing to migrate: none of the ${counts.inventoried} VMs and scale sets looked at carries the MSI extension.\n`;
        if (out.forPeople) out.text(message);
        else {
          out.result([], () => "");
          rt.stderr(message);
        }
        finishFleet(rt, run);
        return;
      }
      const summary = migrationSummary(rows, {
        dryRun,
        counts,
        ...(run.figures ? { stats: run.figures } : {}),
        ...(options.shard !== undefined ? { shard: options.shard } : {}),
      });
      out.result(migrationJson(rows), (_value, width) => (dryRun ? migrationDryRunText(rows, counts) : migrationTable(rows, width)));
      if (out.forPeople) out.text(`\n${summary}`);
      else rt.stderr(summary);
      if (!dryRun) for (const warning of migrationWarnings(rows)) rt.note(warning);
      if (!out.wholeJson) rt.stderr(failureLines(rows));
      finishFleet(rt, run);
      if (!run.aborted && rows.some((r) => r.status === "failed" || r.status === "unknown")) rt.exitCode = ExitCode.Failed;
    });
}
