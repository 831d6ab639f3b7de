import type { AccessOutcome, GrantedRoleAssignment, IdentityPlan, PlannedRoleAssignment, RoleAssignmentInfo } from "azure-vm-identity";
import { builtInRoleName, roleLabel } from "../roles/builtInRoles.js";
import { formatTable } from "./table.js";

/**
 * A role assignment as `az role assignment list` prints one (the fields the
 * library reads, in key order): `roleDefinitionName` is the built-in role's
 * name, or null for a role the command cannot name without a request.
 */
export function roleAssignmentJson(a: RoleAssignmentInfo): Record<string, unknown> {
  return {
    id: a.id,
    name: a.name,
    principalId: a.principalId,
    principalType: a.principalType ?? null,
    roleDefinitionId: a.roleDefinitionId,
    roleDefinitionName: builtInRoleName(a.roleDefinitionId) ?? null,
    scope: a.scope,
    type: "Microsoft.Authorization/roleAssignments",
  };
}

/** Role assignments for people, as `az role assignment list -o table` heads them: principal, role, scope. */
export function roleAssignmentsTable(list: readonly RoleAssignmentInfo[], width: number): string {
  if (list.length === 0) return "No role assignment found.\n";
  return formatTable(
    ["Principal", "Role", "Scope"],
    list.map((a) => [a.principalId, roleLabel(a.roleDefinitionId), a.scope]),
    { width, rule: true, keep: [0] },
  );
}

/** The role assignment fields of an identity change's JSON: those granted, orphaned or deleted (each only when the change had any). */
export function accessJson(outcome: AccessOutcome): Record<string, unknown> {
  return {
    ...(outcome.roleAssignments ? { roleAssignments: outcome.roleAssignments } : {}),
    ...(outcome.orphanedRoleAssignments ? { orphanedRoleAssignments: outcome.orphanedRoleAssignments.map(roleAssignmentJson) } : {}),
    ...(outcome.deletedRoleAssignments ? { deletedRoleAssignments: outcome.deletedRoleAssignments.map(roleAssignmentJson) } : {}),
  };
}

/** `Reader at /subscriptions/.../resourceGroups/data`. */
function roleAt(role: string, scope: string): string {
  return `${role} at ${scope}`;
}

/** The identity a grant went to, for people: `the system identity` or the user-assigned identity's name. */
function holderLabel(identity: string): string {
  return identity === "system" ? "the system identity" : identity.slice(identity.lastIndexOf("/") + 1);
}

/** One line per grant of an identity change, e.g. `  Reader at /subscriptions/... to the system identity: created`. */
export function grantedLines(granted: readonly GrantedRoleAssignment[]): string {
  if (granted.length === 0) return "";
  return (
    "\nRole assignments:\n" +
    granted.map((g) => `  ${roleAt(g.role, g.scope)} to ${holderLabel(g.identity)}: ${g.created ? "created" : "already granted"}\n`).join("")
  );
}

/** What a dry run says of its grants and of the assignments a disable would orphan or delete, before its requests. */
export function plannedAccessText(plan: Pick<IdentityPlan, "roleAssignments" | "orphanedRoleAssignments" | "deletedRoleAssignments">): string {
  const parts: string[] = [];
  const planned: readonly PlannedRoleAssignment[] = plan.roleAssignments ?? [];
  for (const p of planned) {
    const what = p.action === "exists" ? "already granted" : p.action === "pending" ? "granted once the identity exists" : "granted";
    parts.push(`${roleAt(p.role, p.scope)} to ${holderLabel(p.identity)}: ${what}.`);
  }
  if (plan.orphanedRoleAssignments?.length) parts.push(orphanSentence(plan.orphanedRoleAssignments));
  if (plan.deletedRoleAssignments?.length) parts.push(`The system identity's role assignments would be deleted first: ${assignmentList(plan.deletedRoleAssignments)}.`);
  return parts.length > 0 ? parts.join(" ") + " " : "";
}

/** `Reader at /sub/...; 4633458b-... at /sub/...`. */
function assignmentList(list: readonly RoleAssignmentInfo[]): string {
  return list.map((a) => roleAt(roleLabel(a.roleDefinitionId), a.scope)).join("; ");
}

/** A dry run's sentence on the role assignments a disable would orphan. */
function orphanSentence(list: readonly RoleAssignmentInfo[]): string {
  const n = list.length;
  const subject = n === 1 ? "The system identity's role assignment" : `The system identity's ${n} role assignments`;
  return `${subject} would be left orphaned (ARM keeps ${n === 1 ? "it" : "them"} for a principal that no longer exists): ${assignmentList(list)}.`;
}

/**
 * The warning after a disable that kept the system identity's role
 * assignments (ARM's behaviour): one line naming the resource, then each
 * assignment by role and scope, then how to avoid it. Undefined when there
 * were none.
 */
export function orphanWarning(what: string, orphans: readonly RoleAssignmentInfo[] | undefined): string | undefined {
  if (!orphans || orphans.length === 0) return undefined;
  const n = orphans.length;
  return (
    `warning: disabling the system identity of ${what} left ${n === 1 ? "this role assignment" : `these ${n} role assignments`} orphaned ` +
    `(ARM keeps ${n === 1 ? "it" : "them"} for a principal that no longer exists):\n` +
    orphans.map((a) => `  ${roleAt(roleLabel(a.roleDefinitionId), a.scope)} (${a.id})\n`).join("") +
    `Delete ${n === 1 ? "it" : "them"} with "az role assignment delete --ids <id>"; next time pass --delete-role-assignments to delete ` +
    `${n === 1 ? "it" : "them"} before the identity is disabled.\n`
  );
}

/** The deletions of `--delete-role-assignments`, for people. */
export function deletedLines(deleted: readonly RoleAssignmentInfo[] | undefined): string {
  if (!deleted || deleted.length === 0) return "";
  return "\nRole assignments deleted before the system identity was disabled:\n" + deleted.map((a) => `  ${roleAt(roleLabel(a.roleDefinitionId), a.scope)}\n`).join("");
}

/** A short cell for a fleet table: `+2 roles`, `2 orphaned`, ...; "" when none. */
export function accessCell(outcome: AccessOutcome): string {
  const parts = [
    ...((outcome.roleAssignments ?? []).length > 0 ? [`${outcome.roleAssignments!.filter((g) => g.created).length}/${outcome.roleAssignments!.length} roles granted`] : []),
    ...((outcome.orphanedRoleAssignments ?? []).length > 0 ? [`${outcome.orphanedRoleAssignments!.length} orphaned`] : []),
    ...((outcome.deletedRoleAssignments ?? []).length > 0 ? [`${outcome.deletedRoleAssignments!.length} deleted`] : []),
  ];
  return parts.length > 0 ? `; ${parts.join(", ")}` : "";
}
