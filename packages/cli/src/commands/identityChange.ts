import type { Command } from "commander";
import type { IdentityPlan } from "azure-vm-identity";
import { type IdentitySelection, dependsOnResourceGroup, identityIdsFor } from "../options/identities.js";
import { type VmTargetOptions, resolveVmTargets } from "../options/targets.js";
import type { FleetDryRunRow, FleetRow } from "../output/fleet.js";
import { armIdentity, identityChangeJson, identityResultTable, identitySummary } from "../output/identity.js";
import type { Printer } from "../output/printer.js";
import { type DryRunReport, formatDryRun } from "../output/requests.js";
import type { CliRuntime } from "../runtime.js";
import { rowBase, runFleetCommand } from "./fleet.js";

/** Options shared by `assign` and `remove` besides the identities. */
export interface IdentityChangeOptions extends VmTargetOptions {
  dryRun?: boolean;
  /** `--concurrency`, for several VMs. */
  concurrency?: number | "adaptive";
}

/** The fluent change set both `vm.identity()` and `fleet.identity()` offer. */
export interface ChangeSet<B> {
  enableSystemAssigned(): B;
  disableSystemAssigned(): B;
  assignUserAssigned(ids: readonly string[]): B;
  removeUserAssigned(ids: readonly string[]): B;
  removeAll(): B;
}

/** Adds the changes asked for on the command line to a change set, given the user-assigned ids resolved for its VMs. */
export type BuildChange = <B extends ChangeSet<B>>(start: B, userAssignedIds: string[]) => B;

/** The preamble of a dry run: the identity now and after. */
function preambleOf(plan: IdentityPlan): string {
  return `Identity now: ${identitySummary(plan.current)}; after: ${identitySummary(plan.desired)}. `;
}

/** The dry-run report of an identity change on one VM: its identity now and after (in ARM's shape), and the PATCH, if any. */
function identityDryRunReport(plan: IdentityPlan): DryRunReport {
  return {
    dryRun: true,
    current: armIdentity(plan.current),
    desired: armIdentity(plan.desired),
    requests: plan.request ? [plan.request] : [],
  };
}

/** Print a dry run of an identity change: the current and desired identity and the PATCH, if any. */
export function printIdentityPlan(out: Printer, plan: IdentityPlan): void {
  const report = identityDryRunReport(plan);
  out.result(report, () => formatDryRun(report.requests, preambleOf(plan)));
}

/**
 * Run an identity change on the target VM or VMs: with `--dry-run` only read
 * and print the PATCH; otherwise apply it and print the result. Bare
 * identity names become ids in each VM's subscription and resource group (or
 * `--identity-resource-group`) without a request. On several VMs the
 * library's fleet runs it, one fleet per subscription, at ARM's pace.
 */
export async function runIdentityChange(
  rt: CliRuntime,
  command: Command,
  options: IdentityChangeOptions,
  selection: IdentitySelection,
  build: BuildChange,
): Promise<void> {
  const out = rt.printer(command);
  const targets = await resolveVmTargets(options, rt.io);
  if (targets.mode === "many") {
    await runFleetCommand(rt, command, out, {
      label: command.name(),
      vms: targets.vms,
      dryRun: options.dryRun === true,
      concurrency: options.concurrency,
      ...(dependsOnResourceGroup(selection) ? { groupKey: (vm) => vm.resourceGroup } : {}),
      run: async (group, fleetOptions) => {
        const change = build(group.client.vms(group.ids).identity(), identityIdsFor(selection, group.vms[0]!));
        if (options.dryRun) {
          const results = await change.plan(fleetOptions);
          const rows = results.map((r): FleetDryRunRow => {
            const report = r.plan ? identityDryRunReport(r.plan) : undefined;
            return { ...rowBase(r), json: report ?? {}, detail: "", preamble: r.plan ? preambleOf(r.plan) : "", requests: report?.requests ?? [] };
          });
          return { rows };
        }
        const results = await change.apply(fleetOptions);
        const rows = results.map(
          (r): FleetRow => ({
            ...rowBase(r),
            json: { ...(r.identity ? { identity: armIdentity(r.identity) } : {}), ...(r.attempts !== undefined ? { attempts: r.attempts } : {}) },
            detail: r.identity ? identitySummary(r.identity) : "-",
          }),
        );
        return { rows, stats: results.stats };
      },
    });
    return;
  }
  const vm = await rt.vm(command, targets.vm);
  const change = build(vm.identity(), identityIdsFor(selection, vm));
  const op = rt.operationOptions;
  if (options.dryRun) {
    printIdentityPlan(out, await change.plan(op));
    return;
  }
  const result = await change.apply(op);
  out.result(identityChangeJson(result), (_json, width) => identityResultTable(result, width));
}
