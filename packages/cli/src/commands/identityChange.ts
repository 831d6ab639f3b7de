import type { Command } from "commander";
import { type IdentityPlan, parseUserAssignedIdentityId } from "azure-vm-identity";
import { resolveVmTargets } from "../options/fleetTargets.js";
import type { VmTargetOptions } from "../options/targets.js";
import type { FleetDryRunRow, FleetRow } from "../output/fleet.js";
import { identityResultTable, identitySummary } from "../output/identity.js";
import type { Printer } from "../output/printer.js";
import { type DryRunReport, formatDryRun } from "../output/requests.js";
import type { CliRuntime } from "../runtime.js";
import { rowBase, runFleetCommand } from "./fleet.js";

/** Options shared by `assign` and `remove`. */
export interface IdentityChangeOptions extends VmTargetOptions {
  system?: boolean;
  userAssigned?: string[];
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

/** Adds the changes asked for on the command line to a change set, for one VM or several alike. */
export type BuildChange = <B extends ChangeSet<B>>(start: B) => B;

/** Check user-assigned identity ids before any request (a bad one is a usage error). */
export function checkIdentityIds(ids: readonly string[] | undefined): void {
  for (const id of ids ?? []) parseUserAssignedIdentityId(id);
}

/** Print a dry run of an identity change: the current and desired identity and the PATCH, if any. */
export function printIdentityPlan(out: Printer, plan: IdentityPlan): void {
  const report = identityDryRunReport(plan);
  out.result(report, () =>
    formatDryRun(report.requests, `Identity now: ${identitySummary(plan.current)}; after: ${identitySummary(plan.desired)}. `),
  );
}

/** The dry-run report of an identity change on one VM: its identity now and after, and the PATCH, if any. */
function identityDryRunReport(plan: IdentityPlan): DryRunReport {
  return {
    dryRun: true,
    current: plan.current,
    desired: plan.desired,
    requests: plan.request ? [plan.request] : [],
  };
}

/**
 * Run an identity change on the target VM or VMs: with `--dry-run` only read
 * and print the PATCH; otherwise apply it and print the result. On several
 * VMs the library's fleet runs it, at ARM's pace.
 */
export async function runIdentityChange(
  rt: CliRuntime,
  command: Command,
  options: IdentityChangeOptions,
  build: BuildChange,
): Promise<void> {
  checkIdentityIds(options.userAssigned);
  const targets = await resolveVmTargets(options, rt.io);
  if (targets.mode === "fleet") {
    const session = await rt.fleetSession(command, targets.ids, targets.subscriptionId);
    const change = build(session.fleet.identity());
    await runFleetCommand(rt, session, {
      label: command.name(),
      total: session.fleet.resourceIds.length,
      dryRun: options.dryRun === true,
      concurrency: options.concurrency,
      run: async (fleetOptions) => {
        if (options.dryRun) {
          const results = await change.plan(fleetOptions);
          const rows = results.map((r): FleetDryRunRow => {
            const report = r.plan ? identityDryRunReport(r.plan) : undefined;
            return {
              ...rowBase(r),
              json: report ?? {},
              detail: "",
              preamble: r.plan ? `Identity now: ${identitySummary(r.plan.current)}; after: ${identitySummary(r.plan.desired)}. ` : "",
              requests: report?.requests ?? [],
            };
          });
          return { rows };
        }
        const results = await change.apply(fleetOptions);
        const rows = results.map(
          (r): FleetRow => ({
            ...rowBase(r),
            json: { identity: r.identity, attempts: r.attempts },
            detail: r.identity ? identitySummary(r.identity) : "-",
          }),
        );
        return { rows, stats: results.stats };
      },
    });
    return;
  }
  const { vm, out, options: op } = await rt.vmSessionFor(command, targets.target);
  const change = build(vm.identity());
  if (options.dryRun) {
    printIdentityPlan(out, await change.plan(op));
    return;
  }
  out.result(await change.apply(op), identityResultTable);
}
