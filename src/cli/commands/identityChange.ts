import type { Command } from "commander";
import { type IdentityChangeBuilder, type IdentityPlan, parseUserAssignedIdentityId } from "../../index.js";
import type { VmTargetOptions } from "../options/targets.js";
import { identityResultTable, identitySummary } from "../output/identity.js";
import type { Printer } from "../output/printer.js";
import { type DryRunReport, formatDryRun } from "../output/requests.js";
import type { CliRuntime } from "../runtime.js";

/** Options shared by `assign` and `remove`. */
export interface IdentityChangeOptions extends VmTargetOptions {
  system?: boolean;
  userAssigned?: string[];
  dryRun?: boolean;
}

/** Check user-assigned identity ids before any request (a bad one is a usage error). */
export function checkIdentityIds(ids: readonly string[] | undefined): void {
  for (const id of ids ?? []) parseUserAssignedIdentityId(id);
}

/** Print a dry run of an identity change: the current and desired identity and the PATCH, if any. */
export function printIdentityPlan(out: Printer, plan: IdentityPlan): void {
  const report: DryRunReport = {
    dryRun: true,
    current: plan.current,
    desired: plan.desired,
    requests: plan.request ? [plan.request] : [],
  };
  out.result(report, () =>
    formatDryRun(report.requests, `Identity now: ${identitySummary(plan.current)}; after: ${identitySummary(plan.desired)}. `),
  );
}

/**
 * Run an identity change on the target VM: with `--dry-run` only read and
 * print the PATCH; otherwise apply it and print the result.
 */
export async function runIdentityChange(
  rt: CliRuntime,
  command: Command,
  options: IdentityChangeOptions,
  build: (start: IdentityChangeBuilder) => IdentityChangeBuilder,
): Promise<void> {
  checkIdentityIds(options.userAssigned);
  const { vm, out, options: op } = await rt.vmSession(command, options);
  const change = build(vm.identity());
  if (options.dryRun) {
    printIdentityPlan(out, await change.plan(op));
    return;
  }
  out.result(await change.apply(op), identityResultTable);
}
