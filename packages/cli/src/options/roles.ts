import type { Command } from "commander";
import { type RoleGrant, isInvalidInputError, parseRole, parseRoleScope, parseUserAssignedIdentityId, userAssignedIdentityResourceId } from "azure-vm-identity";
import { UsageError } from "../errors.js";
import { type IdentitySelection, SYSTEM_KEYWORD, readIdentitySelection } from "./identities.js";
import { nonEmpty } from "./parsers.js";

/** `--role`, `--scope` and `--role-identity` as commander parsed them (each repeatable, in order). */
export interface RoleOptions {
  role?: string[];
  scope?: string[];
  roleIdentity?: string[];
}

/** Who gets a role: the system identity, or a user-assigned one by id or by a bare name (resolved where the VM is). */
export type GrantHolder = { kind: "system" } | { kind: "id"; id: string } | { kind: "name"; name: string };

/** One `--role`/`--scope` pair, checked, and who gets it. */
export interface RolePair {
  role: string;
  scope: string;
  holder: GrantHolder;
}

/** Collect every value of a repeatable option, in order. */
function collectEach(what: string): (value: string, previous: string[] | undefined) => string[] {
  const check = nonEmpty(what);
  return (value, previous) => [...(previous ?? []), check(value)];
}

/** Add `--role` and `--scope` (repeatable pairs, as `az` spells them). */
export function addRoleScopeOptions(command: Command, roleHelp: string): Command {
  return command
    .option("--role <role>", roleHelp, collectEach("--role"))
    .option("--scope <scope>", "where the --role of the same position applies: a subscription, resource group or resource id", collectEach("--scope"));
}

/** Add `--role`, `--scope` and `--role-identity` to `assign`. */
export function addGrantOptions(command: Command): Command {
  return addRoleScopeOptions(command, "a role to grant (name, role definition GUID or id), with a --scope; repeatable in pairs")
    .option(
      "--role-identity <identity>",
      `who gets the roles: ${SYSTEM_KEYWORD}, or a user-assigned identity's name or id (default: see the roles section below); once for every pair, or once per pair`,
      collectEach("--role-identity"),
    );
}

/** Check one `--role` value (name, GUID or role definition id) before any request. */
function checkRole(value: string): void {
  try {
    parseRole(value);
  } catch (e) {
    if (isInvalidInputError(e)) throw new UsageError(`--role: ${e.message} [${e.code}]`);
    throw e;
  }
}

/** Check one `--scope` value; returns it as the library will use it (no trailing slash). */
function checkScope(value: string): string {
  try {
    return parseRoleScope(value).scope;
  } catch (e) {
    if (isInvalidInputError(e)) throw new UsageError(`--scope: ${e.message} [${e.code}]`);
    throw e;
  }
}

/**
 * The `--role`/`--scope` pairs, checked before any request: the Nth
 * `--role` goes with the Nth `--scope`; a role without a scope (or the
 * reverse) is a usage error. Unlike `az`, no role is assumed for a lone
 * `--scope`.
 */
export function readRoleScopePairs(options: RoleOptions): { role: string; scope: string }[] {
  const roles = options.role ?? [];
  const scopes = options.scope ?? [];
  if (roles.length !== scopes.length) {
    const [more, fewer, n, m] = roles.length > scopes.length ? ["--role", "--scope", roles.length, scopes.length] : ["--scope", "--role", scopes.length, roles.length];
    throw new UsageError(
      `${n} ${more} and ${m} ${fewer}: each --role needs a --scope and each --scope a --role, in pairs (the Nth --role goes with the Nth --scope), ` +
        'e.g. --role Reader --scope /subscriptions/<GUID>/resourceGroups/<group>. Unlike az, no role is assumed for a --scope.',
    );
  }
  return roles.map((role, i) => {
    checkRole(role);
    return { role, scope: checkScope(scopes[i]!) };
  });
}

/** One `--role-identity` value: `[system]`, an identity id, or a bare name (checked as `--identities` checks it). */
function holderOf(value: string): GrantHolder {
  const one = readIdentitySelection({ identities: [value] }, { defaultToSystem: false });
  if (one.system) return { kind: "system" };
  if (one.ids.length > 0) return { kind: "id", id: one.ids[0]! };
  return { kind: "name", name: one.names[0]! };
}

/**
 * Who gets the roles of an identity change when `--role-identity` is not
 * given: the system identity when the change enables it (named, or by
 * default, as `az vm identity assign --role` grants to it); else the one
 * user-assigned identity the change assigns. Several user-assigned ones and
 * no system identity leave it open: a usage error asks for `--role-identity`.
 */
function defaultHolder(selection: IdentitySelection): GrantHolder {
  if (selection.system) return { kind: "system" };
  const named: GrantHolder[] = [...selection.ids.map((id) => ({ kind: "id", id }) as const), ...selection.names.map((name) => ({ kind: "name", name }) as const)];
  if (named.length === 1) return named[0]!;
  throw new UsageError(
    `--role: this command assigns ${named.length} user-assigned identities and no system identity, so which one gets the roles is open: ` +
      `say it with --role-identity <name or id> (once for every pair, or once per pair), or ${SYSTEM_KEYWORD}.`,
  );
}

/**
 * The role grants of `assign`: each `--role`/`--scope` pair with who gets
 * it (`--role-identity`, once for all pairs or once per pair; else the
 * default of {@link defaultHolder}). Checked before any request.
 */
export function readRolePairs(options: RoleOptions, selection: IdentitySelection): RolePair[] {
  const pairs = readRoleScopePairs(options);
  const holders = (options.roleIdentity ?? []).map(holderOf);
  if (pairs.length === 0) {
    if (holders.length > 0) throw new UsageError("--role-identity says who gets the --role/--scope pairs, and none is given.");
    return [];
  }
  if (holders.length > 1 && holders.length !== pairs.length) {
    throw new UsageError(`${holders.length} --role-identity for ${pairs.length} --role/--scope pairs: give one for every pair, or one per pair.`);
  }
  const fallback = holders.length === 0 ? defaultHolder(selection) : undefined;
  return pairs.map((pair, i) => ({ ...pair, holder: holders.length === 0 ? fallback! : holders[holders.length === 1 ? 0 : i]! }));
}

/** Whether who gets a role depends on where the VM is (a bare identity name without `--identity-resource-group`). */
export function grantsDependOnResourceGroup(pairs: readonly RolePair[], identityResourceGroup: string | undefined): boolean {
  return identityResourceGroup === undefined && pairs.some((p) => p.holder.kind === "name");
}

/** Whether any grant names an identity by a bare name. */
export function grantsUseNames(pairs: readonly RolePair[]): boolean {
  return pairs.some((p) => p.holder.kind === "name");
}

/**
 * The library's grants for one VM: bare identity names become ids in the
 * VM's subscription and `--identity-resource-group`, else the VM's
 * resource group. No request.
 */
export function grantsFor(pairs: readonly RolePair[], identityResourceGroup: string | undefined, vm: { subscriptionId: string; resourceGroup?: string | undefined }): RoleGrant[] {
  return pairs.map(({ role, scope, holder }) => {
    if (holder.kind === "system") return { role, scope };
    if (holder.kind === "id") return { role, scope, identity: holder.id };
    const resourceGroup = identityResourceGroup ?? vm.resourceGroup;
    if (resourceGroup === undefined) throw new Error(`grantsFor: the resource group of identity ${holder.name} is unknown.`);
    const identity = userAssignedIdentityResourceId({ subscriptionId: vm.subscriptionId, resourceGroup, name: holder.name });
    parseUserAssignedIdentityId(identity);
    return { role, scope, identity };
  });
}
