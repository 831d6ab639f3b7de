import type { Command } from "commander";
import type { FleetIdentityOutcome, FleetResult, IdentityPlan } from "azure-vm-identity";
import { UsageError } from "../errors.js";
import { type SharedScope, fleetInputOf } from "../fleet/groups.js";
import { type IdentitySelection, dependsOnResourceGroup, identityIdsFor } from "../options/identities.js";
import { type VmTargetOptions, type VmTargets, resolveVmTargets } from "../options/targets.js";
import type { FleetDryRunRow, FleetRow } from "../output/fleet.js";
import { armIdentity, identityChangeJson, identityResultTable, identitySummary } from "../output/identity.js";
import type { Printer } from "../output/printer.js";
import { type DryRunReport, formatDryRun } from "../output/requests.js";
import type { CliRuntime } from "../runtime.js";
import { FROM_JOURNAL, emitAll, rowBase, runFleetCommand } from "./fleet.js";
import { noteAccepted } from "./noWait.js";

/** Options shared by `assign` and `remove` besides the identities. */
export interface IdentityChangeOptions extends VmTargetOptions {
  dryRun?: boolean;
  /** `--no-wait`: return once the write is accepted. */
  wait?: boolean;
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

/** Where the VMs of one fleet must be for bare identity names to mean the same identities. */
function sharedScopeOf(selection: IdentitySelection): SharedScope {
  if (selection.names.length === 0) return "none";
  return dependsOnResourceGroup(selection) ? "resourceGroup" : "subscription";
}

/** `--no-wait` is for one VM's write, and a dry run writes nothing. */
export function checkNoWait(options: { wait?: boolean; dryRun?: boolean }, targets: VmTargets): boolean {
  if (options.wait !== false) return false;
  if (options.dryRun) throw new UsageError("--no-wait and --dry-run: a dry run sends no write to wait for; leave out one of them.");
  if (targets.mode !== "one") {
    throw new UsageError(
      "--no-wait returns once one VM's write is accepted; a run on several VMs reads their outcomes in bulk (a list sweep costs " +
        "one request a page), and --journal makes it resumable: leave out --no-wait, or name one VM.",
    );
  }
  return true;
}

/** A fleet result of an identity change as a row. */
function changeRow(r: FleetResult<FleetIdentityOutcome>): FleetRow {
  if (r.fromJournal) return { ...rowBase(r), ...FROM_JOURNAL, json: { ...FROM_JOURNAL.json } };
  return {
    ...rowBase(r),
    json: { ...(r.identity ? { identity: armIdentity(r.identity) } : {}), ...(r.attempts !== undefined ? { attempts: r.attempts } : {}) },
    detail: r.identity ? identitySummary(r.identity) : "-",
  };
}

/** A fleet result of an identity plan as a dry-run row. */
function planRow(r: FleetResult<{ plan: IdentityPlan }>): FleetDryRunRow {
  const report = r.plan ? identityDryRunReport(r.plan) : undefined;
  return { ...rowBase(r), json: report ?? {}, detail: "", preamble: r.plan ? preambleOf(r.plan) : "", requests: report?.requests ?? [] };
}

/**
 * Run an identity change on the target VM or VMs: with `--dry-run` only read
 * and print the PATCH; with `--no-wait` return once the PATCH is accepted;
 * otherwise apply it and print the result. Bare identity names become ids
 * in each VM's subscription and resource group (or
 * `--identity-resource-group`) without a request. On several VMs the
 * library's fleet runs it at ARM's pace, streamed.
 */
export async function runIdentityChange(
  rt: CliRuntime,
  command: Command,
  options: IdentityChangeOptions,
  selection: IdentitySelection,
  build: BuildChange,
): Promise<void> {
  const out = rt.printer(command);
  const targets = await resolveVmTargets(options, rt.io, { several: true, graphQuery: rt.globals(command).graphQuery });
  const noWait = checkNoWait(options, targets);
  if (targets.mode !== "one") {
    await runFleetCommand(rt, command, out, {
      label: command.name(),
      input: fleetInputOf(targets),
      dryRun: options.dryRun === true,
      concurrency: options.concurrency,
      journal: options.journal,
      shard: options.shard,
      shared: sharedScopeOf(selection),
      run: async (group, fleetOptions, emit) => {
        const change = build(group.client.vms(group.targets).identity(), identityIdsFor(selection, group.scope));
        if (options.dryRun) {
          emitAll(await change.plan(fleetOptions), emit, planRow);
          return {};
        }
        const stream = change.results(fleetOptions);
        for (;;) {
          const next = await stream.next();
          if (next.done) return { stats: next.value };
          emit(changeRow(next.value), next.value.index);
        }
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
  if (noWait) {
    const poller = change.beginApply(op);
    await poller.submitted();
    // core-lro's state carries the status URL in `config` (its restorable state), which the public type leaves out.
    const state = poller.operationState as { config?: { operationLocation?: string } } | undefined;
    noteAccepted(rt, `VM ${vm.name}`, state?.config?.operationLocation);
    return;
  }
  const result = await change.apply(op);
  out.result(identityChangeJson(result), (_json, width) => identityResultTable(result, width));
}
