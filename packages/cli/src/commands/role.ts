import type { Command } from "commander";
import {
  type GrantedRoleAssignment,
  type IdentityHandle,
  type RawArmRequest,
  type RoleRevocation,
  type UserAssignedIdentityHandle,
  isInvalidInputError,
  parseUserAssignedIdentityId,
  parseVmResourceId,
  parseVmssResourceId,
} from "azure-vm-identity";
import { UsageError } from "../errors.js";
import { nonEmpty } from "../options/parsers.js";
import { type RoleOptions, addRoleScopeOptions, readRoleScopePairs } from "../options/roles.js";
import { resourceTypeOf } from "../options/targets.js";
import type { Printer } from "../output/printer.js";
import { formatDryRun } from "../output/requests.js";
import { roleAssignmentJson, roleAssignmentsTable } from "../output/roles.js";
import type { CliRuntime } from "../runtime.js";
import { printIdentityPlan } from "./identityChange.js";

/** How `role` commands name the principal: a VM's or scale set's system identity, or a user-assigned identity. */
interface RoleTargetOptions {
  resourceGroup?: string;
  vmName?: string;
  vmssName?: string;
  identity?: string;
  ids?: string[] | true;
}

/** The principal a `role` command acts on, with the library's handle. */
type RoleTarget =
  | { kind: "VM" | "scale set"; name: string; handle: IdentityHandle }
  | { kind: "identity"; name: string; handle: UserAssignedIdentityHandle };

/** A resource named on the command line, before its client is made. */
interface NamedTarget {
  kind: RoleTarget["kind"];
  subscriptionId: string | undefined;
  resourceGroup: string;
  name: string;
}

const TARGET_USAGE = "(-g RG --vm-name VM | -g RG --vmss-name SS | --identity NAME|ID [-g RG] | --ids ID)";

const ID_FORMS =
  "a VM (.../providers/Microsoft.Compute/virtualMachines/<vm>), a scale set (.../virtualMachineScaleSets/<name>) or a " +
  "user-assigned identity (.../providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>)";

/** The target of an `--ids` value: whichever of a VM, a scale set or a user-assigned identity it names. */
function targetOfId(id: string): NamedTarget {
  const parsers = [
    ["VM", parseVmResourceId],
    ["scale set", parseVmssResourceId],
    ["identity", parseUserAssignedIdentityId],
  ] as const;
  for (const [kind, parse] of parsers) {
    try {
      return { kind, ...parse(id) };
    } catch (e) {
      if (!isInvalidInputError(e)) throw e;
    }
  }
  const type = resourceTypeOf(id);
  throw new UsageError(`--ids ${JSON.stringify(id)} is ${type ? `a ${type}` : "not a resource id"}: expected the id of ${ID_FORMS}.`);
}

/** Resolve which principal a `role` command is about; every mistake is a usage error before any request. */
function namedTarget(options: RoleTargetOptions): NamedTarget {
  const given = [
    ...(options.ids !== undefined ? ["--ids"] : []),
    ...(options.vmName !== undefined ? ["--vm-name"] : []),
    ...(options.vmssName !== undefined ? ["--vmss-name"] : []),
    ...(options.identity !== undefined ? ["--identity"] : []),
  ];
  if (given.length === 0) {
    throw new UsageError(`No principal given: pass -g <group> --vm-name <vm> (its system identity), -g <group> --vmss-name <scale set>, --identity <name or id> [-g <group>], or --ids <id>.`);
  }
  if (given.length > 1) throw new UsageError(`${given.join(" and ")} each name a principal: give one of them.`);
  if (options.ids === true) throw new UsageError("--ids was given no id (is a shell variable empty?).");
  if (options.ids !== undefined) {
    if (options.ids.length > 1) throw new UsageError(`--ids names one principal here, and was given ${options.ids.length} ids: run the command once for each.`);
    if (options.resourceGroup !== undefined) throw new UsageError("--ids names its resource group itself: leave out -g.");
    return targetOfId(options.ids[0]!);
  }
  const id = options.identity;
  if (id !== undefined && id.startsWith("/")) {
    if (options.resourceGroup !== undefined) throw new UsageError("--identity with a resource id names its resource group itself: leave out -g.");
    try {
      return { kind: "identity", ...parseUserAssignedIdentityId(id) };
    } catch (e) {
      if (isInvalidInputError(e)) throw new UsageError(`--identity: ${e.message} [${e.code}]`);
      throw e;
    }
  }
  const [kind, name, flag] = id !== undefined ? (["identity", id, "--identity"] as const) : options.vmName !== undefined ? (["VM", options.vmName, "--vm-name"] as const) : (["scale set", options.vmssName!, "--vmss-name"] as const);
  if (options.resourceGroup === undefined) throw new UsageError(`${flag} ${name}: pass its resource group with -g/--resource-group <group>${kind === "identity" ? ", or give the identity's resource id" : ""}.`);
  return { kind, subscriptionId: undefined, resourceGroup: options.resourceGroup, name };
}

/** One --role and the --scope of the same position. */
type RolePair = { role: string; scope: string };

/** The printer, the --role/--scope pairs (at least one) and the principal of a grant or revoke. */
async function roleCall(
  rt: CliRuntime,
  cmd: Command,
  options: RoleTargetOptions & RoleOptions,
  verb: "grant" | "revoke",
): Promise<{ out: Printer; pairs: RolePair[]; target: RoleTarget }> {
  const out = rt.printer(cmd);
  const pairs = readRoleScopePairs(options);
  if (pairs.length === 0) throw new UsageError(`Nothing to ${verb}: pass --role <role> --scope <scope> (repeatable in pairs).`);
  return { out, pairs, target: await roleTarget(rt, cmd, options) };
}

/** A dry run: the requests each pair's plan would send, in order. */
async function printPlanned(out: Printer, pairs: readonly RolePair[], plan: (pair: RolePair) => Promise<RawArmRequest[]>): Promise<void> {
  const requests: RawArmRequest[] = [];
  for (const pair of pairs) requests.push(...(await plan(pair)));
  out.result({ dryRun: true, requests }, () => formatDryRun(requests));
}

/** The library's handle on the principal's resource, in its subscription (a bad name is the library's coded error, before any request). */
async function roleTarget(rt: CliRuntime, command: Command, options: RoleTargetOptions): Promise<RoleTarget> {
  const target = namedTarget(options);
  const client = await rt.client(command, target.subscriptionId ?? (await rt.defaultSubscription(command)));
  if (target.kind === "identity") return { kind: "identity", name: target.name, handle: client.userAssignedIdentity(target.resourceGroup, target.name) };
  const handle = target.kind === "VM" ? client.vm(target.resourceGroup, target.name) : client.vmss(target.resourceGroup, target.name);
  return { kind: target.kind, name: target.name, handle };
}

/** `the system identity of VM vm1` / `identity app-identity`. */
function principalLabel(target: RoleTarget): string {
  return target.kind === "identity" ? `identity ${target.name}` : `the system identity of ${target.kind} ${target.name}`;
}

/** Add the target options of a `role` command. */
function addRoleTargetOptions(command: Command): Command {
  return command
    .option("-g, --resource-group <group>", "resource group of the VM, scale set or identity", nonEmpty("--resource-group"))
    .option("--vm-name <vm>", "a VM: its system-assigned identity", nonEmpty("--vm-name"))
    .option("--vmss-name <name>", "a scale set: its system-assigned identity", nonEmpty("--vmss-name"))
    .option("--identity <name-or-id>", "a user-assigned identity, by name (with -g) or resource id", nonEmpty("--identity"))
    .option("--ids [id...]", "the resource id of a VM, scale set or user-assigned identity (instead of -g and a name)", (value: string, previous: string[] | true | undefined) => [
      ...(Array.isArray(previous) ? previous : []),
      nonEmpty("--ids")(value).trim(),
    ]);
}

/** A grant for people: `Granted Reader at /subscriptions/... to identity app.` */
function grantedText(target: RoleTarget, granted: readonly GrantedRoleAssignment[]): string {
  return granted.map((g) => `${g.created ? "Granted" : "Already granted:"} ${g.role} at ${g.scope} to ${principalLabel(target)}.\n`).join("");
}

/** One revocation as the command prints it. */
interface RevokeEntry extends RoleRevocation {
  role: string;
  scope: string;
}

function revokedText(target: RoleTarget, entries: readonly RevokeEntry[]): string {
  return entries
    .map((e) => (e.revoked ? `Revoked ${e.role} at ${e.scope} from ${principalLabel(target)}.\n` : `${principalLabel(target)} holds no ${e.role} at ${e.scope}: nothing to revoke.\n`))
    .map((line) => line.charAt(0).toUpperCase() + line.slice(1))
    .join("");
}

const PERMISSIONS =
  "\nPermissions: list needs Microsoft.Authorization/roleAssignments/read (Reader); grant needs " +
  "Microsoft.Authorization/roleAssignments/write at the scope, revoke Microsoft.Authorization/roleAssignments/delete " +
  "(both in Owner, User Access Administrator and Role Based Access Control Administrator, not in Contributor); a role " +
  "given by name also needs Microsoft.Authorization/roleDefinitions/read at the scope (Reader). Reading the VM, scale " +
  "set or identity needs its read permission.\n";

/** `vm-identity role list|grant|revoke`: the role assignments of one principal. */
export function registerRole(program: Command, rt: CliRuntime): void {
  const role = program
    .command("role")
    .summary("list, grant or revoke the roles of a managed identity")
    .description(
      "The role assignments of one managed identity's principal: a VM's (or scale set's) system-assigned identity, or a " +
        "user-assigned identity. Roles are given by name (Reader), role definition GUID or role definition id; scopes are " +
        "subscription, resource group or resource ids. Both are checked before any request.",
    );

  const list = role
    .command("list")
    .summary("list the role assignments of a managed identity")
    .description(
      "List the role assignments the principal holds in the subscription of its VM, scale set or identity (at, above and " +
        "below every scope), as az role assignment list prints them: -o json with id, name, principalId, principalType, " +
        "roleDefinitionId, roleDefinitionName (for built-in roles; null for others), scope and type; -o table the principal, " +
        "role and scope. A VM without a system identity lists none. One read of the resource, then the list, page by page.",
    )
    .usage(`${TARGET_USAGE} [options]`)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity role list -g myResourceGroup --vm-name myVM -o table\n" +
        "  vm-identity role list --identity myIdentity -g myResourceGroup\n" +
        '  vm-identity role list --ids $VM_ID --query "[].scope" -o tsv\n' +
        PERMISSIONS,
    );
  addRoleTargetOptions(list).action(async (options: RoleTargetOptions, cmd: Command) => {
    const out = rt.printer(cmd);
    const target = await roleTarget(rt, cmd, options);
    const found = await target.handle.roleAssignments(rt.operationOptions);
    out.result(found.map(roleAssignmentJson), (_json, width) => roleAssignmentsTable(found, width));
  });

  const grant = role
    .command("grant")
    .summary("grant roles to a managed identity")
    .description(
      "Grant roles to the principal: each --role at the --scope of the same position. The assignment's name is derived " +
        "from the scope, the principal and the role, so granting again finds it and writes nothing (created: false). A VM's " +
        "or scale set's system identity must be enabled (vm-identity assign); its grants are one call, one correlation id. " +
        "A principal made moments ago is retried while the directory replicates it. Prints the assignments, each with " +
        "created true or false. --dry-run reads and prints the PUTs without sending them.",
    )
    .usage(`${TARGET_USAGE} --role ROLE --scope SCOPE... [--dry-run] [options]`)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity role grant -g myRG --vm-name myVM --role Reader --scope $RG_ID\n" +
        "  vm-identity role grant --ids $ID --role 'Key Vault Secrets User' --scope $KV\n" +
        "  vm-identity role grant --ids $VM --role Reader --scope $S --dry-run\n" +
        PERMISSIONS,
    );
  addRoleScopeOptions(addRoleTargetOptions(grant), "a role to grant: name, role definition GUID or id (repeatable, each with a --scope)")
    .option("--dry-run", "read and print the role assignment PUTs, without sending them")
    .action(async (options: RoleTargetOptions & RoleOptions & { dryRun?: boolean }, cmd: Command) => {
      const { out, pairs, target } = await roleCall(rt, cmd, options, "grant");
      if (target.kind === "identity") {
        const handle = target.handle;
        if (options.dryRun) return printPlanned(out, pairs, (pair) => handle.planGrant(pair, rt.operationOptions));
        const granted: GrantedRoleAssignment[] = [];
        for (const pair of pairs) granted.push(await target.handle.grant(pair, rt.operationOptions));
        out.result(granted, () => grantedText(target, granted));
        return;
      }
      let change = target.handle.identity();
      for (const pair of pairs) change = change.grant(pair);
      if (options.dryRun) {
        printIdentityPlan(out, await change.plan(rt.operationOptions));
        return;
      }
      const granted = (await change.apply(rt.operationOptions)).roleAssignments ?? [];
      out.result(granted, () => grantedText(target, granted));
    });

  const revoke = role
    .command("revoke")
    .summary("revoke roles from a managed identity")
    .description(
      "Revoke roles from the principal: for each --role and --scope of the same position, the assignment it holds for " +
        "that role at exactly that scope (found by the name a grant gives it, else in its list) is deleted. One it does " +
        "not hold is not an error: revoked false. Prints one entry per pair: role, scope, revoked and the assignment deleted.",
    )
    .usage(`${TARGET_USAGE} --role ROLE --scope SCOPE... [--dry-run] [options]`)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity role revoke -g myRG --vm-name myVM --role Reader --scope $RG_ID\n" +
        "  vm-identity role revoke --identity $ID --role Reader --scope $S --dry-run\n" +
        "  vm-identity role revoke --identity $ID --role Reader --scope $S -o table\n" +
        PERMISSIONS,
    );
  addRoleScopeOptions(addRoleTargetOptions(revoke), "a role to revoke: name, role definition GUID or id (repeatable, each with a --scope)")
    .option("--dry-run", "read and print the role assignment DELETEs, without sending them")
    .action(async (options: RoleTargetOptions & RoleOptions & { dryRun?: boolean }, cmd: Command) => {
      const { out, pairs, target } = await roleCall(rt, cmd, options, "revoke");
      if (options.dryRun) return printPlanned(out, pairs, (pair) => target.handle.planRevoke(pair, rt.operationOptions));
      const entries: RevokeEntry[] = [];
      for (const pair of pairs) {
        const outcome = await target.handle.revoke(pair, rt.operationOptions);
        entries.push({ ...pair, revoked: outcome.revoked, ...(outcome.roleAssignment ? { roleAssignment: outcome.roleAssignment } : {}) });
      }
      out.result(
        entries.map((e) => ({ role: e.role, scope: e.scope, revoked: e.revoked, roleAssignment: e.roleAssignment ? roleAssignmentJson(e.roleAssignment) : null })),
        () => revokedText(target, entries),
      );
    });
}
