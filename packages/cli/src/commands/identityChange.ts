import type { Command } from "commander";
import type { FleetIdentityOutcome, FleetResult, IdentityChangeBuilder, IdentityPlan, IdentityResult, RoleAssignmentsOnDisable, RoleGrant } from "azure-vm-identity";
import { UsageError } from "../errors.js";
import { type SharedScope, fleetInputOf } from "../fleet/groups.js";
import { type IdentitySelection, identityIdsFor } from "../options/identities.js";
import { type RoleOptions, type RolePair, grantsFor } from "../options/roles.js";
import { type VmTargetOptions, type VmTargets, resolveVmTargets } from "../options/targets.js";
import type { FleetDryRunRow, FleetRow } from "../output/fleet.js";
import { armIdentity, identityChangeJson, identityResultTable, identitySummary } from "../output/identity.js";
import type { Printer } from "../output/printer.js";
import { type DryRunReport, formatDryRun } from "../output/requests.js";
import { accessCell, accessJson, deletedLines, grantedLines, orphanWarning, plannedAccessText, roleAssignmentJson } from "../output/roles.js";
import type { CliRuntime } from "../runtime.js";
import { FROM_JOURNAL, emitAll, rowBase, runFleetCommand } from "./fleet.js";
import { noteAccepted } from "./noWait.js";

/** Options shared by `assign` and `remove` besides the identities. */
export interface IdentityChangeOptions extends VmTargetOptions, RoleOptions {
  dryRun?: boolean;
  /** `--no-wait`: return once the write is accepted. */
  wait?: boolean;
  /** `--concurrency`, for several VMs. */
  concurrency?: number | "adaptive";
  /** `--delete-role-assignments` (remove): delete a disabled system identity's role assignments first. */
  deleteRoleAssignments?: boolean;
}

/** What a disable asks of the role assignments of the system identity it disables. */
export interface DisableOptions {
  roleAssignments?: RoleAssignmentsOnDisable;
}

/** The fluent change set both `vm.identity()` (or `vmss.identity()`) and `fleet.identity()` offer. */
export interface ChangeSet<B> {
  enableSystemAssigned(): B;
  disableSystemAssigned(options?: DisableOptions): B;
  assignUserAssigned(ids: readonly string[]): B;
  removeUserAssigned(ids: readonly string[]): B;
  removeAll(options?: DisableOptions): B;
  grant(grant: RoleGrant): B;
}

/** Adds the changes asked for on the command line to a change set, given the user-assigned ids resolved for its VMs. */
export type BuildChange = <B extends ChangeSet<B>>(start: B, userAssignedIds: string[]) => B;

/** What an identity change command asks for: the identities, the roles to grant, and how to build the change. */
export interface ChangeRequest {
  selection: IdentitySelection;
  /** `--role`/`--scope` pairs (assign), each with who gets it. */
  pairs: readonly RolePair[];
  build: BuildChange;
  /** Whether the change may disable a system identity keeping its role assignments (remove without `--delete-role-assignments`). */
  keepsOrphans: boolean;
}

/** The change of a request for resources in `scope`: its identity changes, then its grants. */
function changeFor<B extends ChangeSet<B>>(start: B, request: ChangeRequest, scope: { subscriptionId: string; resourceGroup?: string | undefined }): B {
  let change = request.build(start, identityIdsFor(request.selection, scope));
  for (const grant of grantsFor(request.pairs, request.selection.resourceGroup, scope)) change = change.grant(grant);
  return change;
}

/** The preamble of a dry run: the identity now and after, then what becomes of role assignments. */
function preambleOf(plan: IdentityPlan): string {
  return `Identity now: ${identitySummary(plan.current)}; after: ${identitySummary(plan.desired)}. ${plannedAccessText(plan)}`;
}

/**
 * The dry-run report of an identity change on one resource: its identity
 * now and after (in ARM's shape), every write in order (role assignment
 * DELETEs, the PATCH, role assignment PUTs) and what becomes of role assignments.
 */
function identityDryRunReport(plan: IdentityPlan): DryRunReport {
  return {
    dryRun: true,
    current: armIdentity(plan.current),
    desired: armIdentity(plan.desired),
    requests: plan.requests,
    ...(plan.roleAssignments ? { roleAssignments: plan.roleAssignments } : {}),
    ...(plan.orphanedRoleAssignments ? { orphanedRoleAssignments: plan.orphanedRoleAssignments.map(roleAssignmentJson) } : {}),
    ...(plan.deletedRoleAssignments ? { deletedRoleAssignments: plan.deletedRoleAssignments.map(roleAssignmentJson) } : {}),
  };
}

/** Print a dry run of an identity change: the current and desired identity and the PATCH, if any. */
export function printIdentityPlan(out: Printer, plan: IdentityPlan): void {
  const report = identityDryRunReport(plan);
  out.result(report, () => formatDryRun(report.requests, preambleOf(plan)));
}

/** Where the VMs of one fleet must be for bare identity names (in --identities or --role-identity) to mean the same identities. */
function sharedScopeOf(request: ChangeRequest): SharedScope {
  const names = request.selection.names.length > 0 || request.pairs.some((p) => p.holder.kind === "name");
  if (!names) return "none";
  return request.selection.resourceGroup === undefined ? "resourceGroup" : "subscription";
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
    json: { ...(r.identity ? { identity: armIdentity(r.identity) } : {}), ...(r.attempts !== undefined ? { attempts: r.attempts } : {}), ...accessJson(r) },
    detail: r.identity ? identitySummary(r.identity) + accessCell(r) : "-",
  };
}

/** A fleet result of an identity plan as a dry-run row. */
function planRow(r: FleetResult<{ plan: IdentityPlan }>): FleetDryRunRow {
  const report = r.plan ? identityDryRunReport(r.plan) : undefined;
  return { ...rowBase(r), json: report ?? {}, detail: "", preamble: r.plan ? preambleOf(r.plan) : "", requests: report?.requests ?? [] };
}

/** `--no-wait` stops after the identity write is accepted: grants come after it, and orphans are reported only by a finished call. */
function checkNoWaitAccess(rt: CliRuntime, noWait: boolean, request: ChangeRequest): void {
  if (!noWait) return;
  if (request.pairs.length > 0) {
    throw new UsageError("--no-wait and --role: the roles are granted once the identity write is done, which --no-wait does not wait for; leave out one of them.");
  }
  if (request.keepsOrphans) {
    rt.note(
      "note: --no-wait: role assignments the system identity holds, if any, are kept (orphaned) and not listed here; " +
        'list them first with "vm-identity role list", or pass --delete-role-assignments.\n',
    );
  }
}

/** A VM or scale set whose identities one command changes. */
export interface IdentityResource {
  identity(): IdentityChangeBuilder;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

/** An identity change's result as JSON: az's fields, the identity read back, and what became of role assignments. */
function resultJson(result: IdentityResult): Record<string, unknown> {
  return { ...identityChangeJson(result), ...accessJson(result) };
}

/** An identity change's result for people: the identity, the grants and the deletions. */
function resultTable(result: IdentityResult, width: number, kind: string): string {
  return identityResultTable(result, width, kind) + grantedLines(result.roleAssignments ?? []) + deletedLines(result.deletedRoleAssignments);
}

/**
 * Run an identity change on one VM or scale set (`kind`):
 * with `--dry-run` only read and print every write; with `--no-wait` return
 * once the PATCH is accepted; otherwise apply it, print the result, and
 * warn on stderr of role assignments a disable left orphaned.
 */
export async function runOneIdentityChange(
  rt: CliRuntime,
  out: Printer,
  resource: IdentityResource,
  kind: "VM" | "scale set",
  request: ChangeRequest,
  how: { dryRun: boolean; noWait: boolean },
): Promise<void> {
  const label = `${kind} ${resource.name}`;
  const change = changeFor(resource.identity(), request, resource);
  const op = rt.operationOptions;
  if (how.dryRun) {
    printIdentityPlan(out, await change.plan(op));
    return;
  }
  checkNoWaitAccess(rt, how.noWait, request);
  if (how.noWait) {
    const poller = change.beginApply(op);
    await poller.submitted();
    // core-lro's state carries the status URL in `config` (its restorable state), which the public type leaves out.
    const state = poller.operationState as { config?: { operationLocation?: string } } | undefined;
    noteAccepted(rt, label, state?.config?.operationLocation);
    return;
  }
  const result = await change.apply(op);
  out.result(resultJson(result), (_json, width) => resultTable(result, width, kind));
  const warning = orphanWarning(label, result.orphanedRoleAssignments);
  if (warning) rt.note(warning);
}

/**
 * Run an identity change on the target VM or VMs (see
 * {@link runOneIdentityChange}). Bare identity names become ids in each VM's
 * subscription and resource group (or `--identity-resource-group`) without
 * a request. On several VMs the library's fleet runs it at ARM's pace,
 * streamed; role assignments a disable left orphaned are named on stderr
 * after the results, VM by VM.
 */
export async function runIdentityChange(rt: CliRuntime, command: Command, options: IdentityChangeOptions, request: ChangeRequest): Promise<void> {
  const out = rt.printer(command);
  const targets = await resolveVmTargets(options, rt.io, { several: true, graphQuery: rt.globals(command).graphQuery });
  const noWait = checkNoWait(options, targets);
  if (targets.mode !== "one") {
    const warnings: string[] = [];
    try {
      await runFleetCommand(rt, command, out, {
        label: command.name(),
        input: fleetInputOf(targets),
        dryRun: options.dryRun === true,
        concurrency: options.concurrency,
        journal: options.journal,
        shard: options.shard,
        shared: sharedScopeOf(request),
        run: async (group, fleetOptions, emit) => {
          const change = changeFor(group.client.vms(group.targets).identity(), request, group.scope);
          if (options.dryRun) {
            emitAll(await change.plan(fleetOptions), emit, planRow);
            return {};
          }
          const stream = change.results(fleetOptions);
          for (;;) {
            const next = await stream.next();
            if (next.done) return { stats: next.value };
            const warning = orphanWarning(next.value.resourceId.slice(next.value.resourceId.lastIndexOf("/") + 1), next.value.orphanedRoleAssignments);
            if (warning) warnings.push(warning);
            emit(changeRow(next.value), next.value.index);
          }
        },
      });
    } finally {
      for (const warning of warnings) rt.note(warning);
    }
    return;
  }
  const vm = await rt.vm(command, targets.vm);
  await runOneIdentityChange(rt, out, vm, "VM", request, { dryRun: options.dryRun === true, noWait });
}
