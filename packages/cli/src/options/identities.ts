import type { Command } from "commander";
import { isInvalidInputError, parseUserAssignedIdentityId, userAssignedIdentityResourceId } from "azure-vm-identity";
import { UsageError } from "../errors.js";
import { collectList, nonEmpty } from "./parsers.js";
import { resourceTypeOf } from "./targets.js";

/** The identity options of `assign` and `remove`, as commander parsed them. */
export interface IdentityOptions {
  /** `--identities`: `[system]`, identity names and identity resource ids. */
  identities?: string[];
  /** `--system`: the same as `--identities [system]`. */
  system?: boolean;
  /** `--user-assigned`: the same as `--identities <name-or-id...>`. */
  userAssigned?: string[];
  /** Where bare identity names are, instead of the VM's resource group. */
  identityResourceGroup?: string;
}

/** The identities a command acts on, validated, before they are resolved against a VM. */
export interface IdentitySelection {
  system: boolean;
  /** Full user-assigned identity ids, as given. */
  ids: string[];
  /** Bare user-assigned identity names. */
  names: string[];
  /** `--identity-resource-group`, if given. */
  resourceGroup: string | undefined;
}

/** The keyword for the system-assigned identity, as the Azure CLI spells it. */
export const SYSTEM_KEYWORD = "[system]";

const UAI_ID_EXAMPLE = "/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>";
const SOME_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";

/** Add `--identities`, its aliases `--system` / `--user-assigned`, and `--identity-resource-group`. */
export function addIdentityOptions(command: Command, verb: "assign" | "remove" | "give the VM"): Command {
  return command
    .option(
      "--identities <identity...>",
      `identities to ${verb}: ${SYSTEM_KEYWORD} for the system-assigned one, user-assigned ones by name or resource id` +
        (verb === "give the VM" ? "" : ` (default: ${SYSTEM_KEYWORD})`),
      collectList("[system], an identity name or an identity resource id"),
    )
    .option("--system", `the same as --identities ${SYSTEM_KEYWORD}`)
    .option("--user-assigned <identity...>", "the same as --identities <name-or-id...>", collectList("an identity name or resource id"))
    .option(
      "--identity-resource-group <group>",
      "resource group of the identities named by name (default: the VM's)",
      nonEmpty("--identity-resource-group"),
    );
}

function invalid(value: string, why: string): UsageError {
  return new UsageError(
    `Invalid --identities value ${JSON.stringify(value)}: ${why}. Expected ${SYSTEM_KEYWORD}, the name of a user-assigned identity ` +
      `(e.g. myIdentity, found in the VM's resource group or in --identity-resource-group) or its resource id, ${UAI_ID_EXAMPLE}.`,
  );
}

/** Why an identity id was refused, in a few words: the kind of resource it names instead, else the library's reason. */
function whyNotAnIdentityId(value: string, error: Error & { code: string }): string {
  const type = resourceTypeOf(value);
  if (type && type.toLowerCase() !== "microsoft.managedidentity/userassignedidentities") return `it names a ${type}, not a user-assigned identity`;
  const reason = /^[^:]*: (.*?)(?:; expected \/subscriptions\/.*)?$/.exec(error.message)?.[1] ?? error.message;
  return `${reason.replace(/\.$/, "")} [${error.code}]`;
}

/** Check an identity name without a request (the name rules of ARM). */
function checkName(name: string): void {
  try {
    parseUserAssignedIdentityId(userAssignedIdentityResourceId({ subscriptionId: SOME_SUBSCRIPTION, resourceGroup: "rg", name }));
  } catch (e) {
    if (isInvalidInputError(e)) throw invalid(name, "not a valid identity name");
    throw e;
  }
}

/** Check `--identity-resource-group` without a request. */
function checkResourceGroup(resourceGroup: string): void {
  try {
    parseUserAssignedIdentityId(userAssignedIdentityResourceId({ subscriptionId: SOME_SUBSCRIPTION, resourceGroup, name: "identity" }));
  } catch (e) {
    if (isInvalidInputError(e)) throw new UsageError(`Invalid --identity-resource-group ${JSON.stringify(resourceGroup)}: not a valid resource group name.`);
    throw e;
  }
}

/**
 * Read the identity options. `[system]` (any casing) and `--system` name the
 * system-assigned identity; a value starting with `/` is a user-assigned
 * identity's resource id; anything else is an identity's name. With none of
 * them the system-assigned identity is meant (as with `az vm identity`),
 * unless `defaultToSystem` is false.
 * Every value is checked now, before any request.
 */
export function readIdentitySelection(options: IdentityOptions, { defaultToSystem = true }: { defaultToSystem?: boolean } = {}): IdentitySelection {
  const values = [...(options.identities ?? []), ...(options.userAssigned ?? [])];
  const selection: IdentitySelection = { system: options.system === true, ids: [], names: [], resourceGroup: options.identityResourceGroup };
  if (selection.resourceGroup !== undefined) checkResourceGroup(selection.resourceGroup);
  for (const value of values) {
    if (value.toLowerCase() === SYSTEM_KEYWORD) {
      selection.system = true;
    } else if (value.startsWith("/")) {
      try {
        parseUserAssignedIdentityId(value);
      } catch (e) {
        if (isInvalidInputError(e)) throw invalid(value, whyNotAnIdentityId(value, e));
        throw e;
      }
      selection.ids.push(value);
    } else {
      checkName(value);
      selection.names.push(value);
    }
  }
  if (defaultToSystem && !selection.system && selection.ids.length === 0 && selection.names.length === 0) selection.system = true;
  return selection;
}

/**
 * The full ids of the user-assigned identities of a selection for one VM:
 * bare names become ids in the VM's subscription and in
 * `--identity-resource-group`, else in the VM's resource group. No request.
 */
export function identityIdsFor(selection: IdentitySelection, vm: { subscriptionId: string; resourceGroup?: string | undefined }): string[] {
  const resourceGroup = selection.resourceGroup ?? vm.resourceGroup;
  if (resourceGroup === undefined && selection.names.length > 0) {
    throw new Error(`identityIdsFor: the resource group of ${selection.names.join(", ")} is unknown (a fleet over several groups was given identity names).`);
  }
  if (resourceGroup === undefined) return [...selection.ids];
  return [
    ...selection.ids,
    ...selection.names.map((name) => userAssignedIdentityResourceId({ subscriptionId: vm.subscriptionId, resourceGroup, name })),
  ];
}

/** Whether the identities of a selection depend on the VM's resource group (bare names without --identity-resource-group). */
export function dependsOnResourceGroup(selection: IdentitySelection): boolean {
  return selection.names.length > 0 && selection.resourceGroup === undefined;
}
