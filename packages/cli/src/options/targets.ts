import { type Command, InvalidArgumentError } from "commander";
import { isInvalidInputError, parseComputeResourceId, parseVmResourceId } from "azure-vm-identity";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { type SourcedId, parseIdsFile, readIdsFile } from "./idsFile.js";
import { nonEmpty } from "./parsers.js";
import type { SelectionOptions } from "./selection.js";

/**
 * A VM as the command line named it. `subscriptionId` is undefined for a VM
 * named with -g and -n: it is in the run's default subscription. A VM named
 * by resource id is in the subscription its id names.
 */
export interface VmRef {
  subscriptionId: string | undefined;
  resourceGroup: string;
  name: string;
  /** The resource id exactly as given (`--ids`, `--ids-file`), for results. */
  id?: string;
}

/** The target options as commander parsed them. */
export interface VmTargetOptions extends SelectionOptions {
  resourceGroup?: string;
  /** The VM (`-n/--name`), except in `extension` commands, where it names the extension. */
  name?: string;
  /** The VM in `extension` commands. */
  vmName?: string;
  /** `--ids`: the values given, or `true` when the option was given none. */
  ids?: string[] | true;
  idsFile?: string;
}

/**
 * VMs selected without naming each: every VM of a resource group (in the
 * run's default subscription), of subscriptions (filtered by tags and a
 * location), or of a Resource Graph query.
 */
export type CliSelection =
  | { kind: "group"; resourceGroup: string; tags?: Record<string, string>; location?: string }
  | { kind: "subscriptions"; subscriptions?: string[]; tags?: Record<string, string>; location?: string }
  | { kind: "query"; query: string; subscriptions?: string[] };

/**
 * The VMs a command is about: one (printed as one result), several named
 * (printed as an array, in the order given), or a selection the library
 * lists when the command runs (an array, in the order listed).
 */
export type VmTargets =
  | { mode: "one"; vm: VmRef }
  | { mode: "many"; vms: VmRef[]; /** Where the ids came from, e.g. `vms.txt` (for the message of an empty list). */ source?: string }
  | { mode: "select"; selection: CliSelection };

/** Which option names the VM: `-n/--name`, or `--vm-name` in `extension` commands (`az vm extension` order). */
export type VmNameOption = "name" | "vm-name";

/** How {@link resolveVmTargets} reads the options. */
export interface ResolveTargetsOptions {
  nameOption?: VmNameOption;
  /** Whether the command acts on several VMs: `-g` alone and the selection options select them. */
  several?: boolean;
  /** A Resource Graph query given to the global `--query`. */
  graphQuery?: string | undefined;
  /** Which ids `--ids` and `--ids-file` take: VMs (default), or VMs and scale sets (and their extensions). */
  ids?: IdKinds;
}

/** Which resources a command's ids may name. */
export type IdKinds = "vm" | "compute";

const VM_ID_EXAMPLE = "/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<vm>";

/** The usage text of the target options. */
export function vmTargetUsage(nameOption: VmNameOption, several: boolean): string {
  const flag = nameOption === "vm-name" ? "--vm-name VM" : "-n VM";
  return several ? `(-g RG [${flag}] | --ids ID... | --ids-file FILE | --subscriptions S... | --graph-query KQL)` : `(-g RG ${flag} | --ids ID...)`;
}

/** Collect the values of `--ids [id...]`; repeated flags accumulate. */
function collectVmIds(value: string, previous: string[] | true | undefined): string[] {
  if (value.trim() === "") throw new InvalidArgumentError("--ids must not be empty (is a shell variable unset?).");
  return [...(Array.isArray(previous) ? previous : []), value.trim()];
}

/**
 * Add `-g/--resource-group`, the VM's name option and `--ids` to a command;
 * with `several`, also `--ids-file` (commands that change or read many VMs).
 */
export function addVmTargetOptions(command: Command, options: { nameOption?: VmNameOption; idsFile?: boolean } = {}): Command {
  const nameOption = options.nameOption ?? "name";
  command
    .option(
      "-g, --resource-group <group>",
      options.idsFile ? "resource group of the VM; alone, every VM of the group" : "resource group of the VM",
      nonEmpty("--resource-group"),
    )
    .option(nameOption === "vm-name" ? "--vm-name <vm>" : "-n, --name <vm>", "name of the VM", nonEmpty(`--${nameOption}`))
    .option("--ids [id...]", "resource ids of one or more VMs, each in its own subscription (instead of -g and the name)", collectVmIds);
  if (options.idsFile) {
    command.option("--ids-file <file>", 'a file of VM resource ids, one a line ("#" starts a comment; "-" reads stdin)', nonEmpty("--ids-file"));
  }
  return command;
}

/** The kind of resource an id names, e.g. `Microsoft.ManagedIdentity/userAssignedIdentities`. */
export function resourceTypeOf(id: string): string | undefined {
  const match = /\/providers\/([^/]+\/[^/]+)\/[^/]+\/?$/i.exec(id);
  return match?.[1];
}

const COMPUTE_ID_EXAMPLE = "/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<vm> (or .../virtualMachineScaleSets/<name>)";

/**
 * Parse one VM resource id given on the command line (with `kinds`
 * `compute`, a VM's or scale set's, or one of their extensions'); a
 * mistake is a usage error that says what was expected, with an example.
 */
export function parseVmId(value: string, where: string, kinds: IdKinds = "vm"): VmRef {
  const what = kinds === "vm" ? "a VM resource id" : "a VM or scale set resource id";
  if (!value.startsWith("/")) {
    const looksLikeName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value);
    throw new UsageError(
      `${where} ${JSON.stringify(value)} is not ${what}: expected a full id such as ${kinds === "vm" ? VM_ID_EXAMPLE : COMPUTE_ID_EXAMPLE}` +
        (looksLikeName && kinds === "vm" ? `. To name the VM ${value} by name, pass -g <group> and its name instead.` : "."),
    );
  }
  try {
    const parsed = kinds === "vm" ? parseVmResourceId(value) : parseComputeResourceId(value);
    // An extension's id names its VM or scale set: the run reports that resource, by its own id.
    const id = kinds === "compute" && /\/extensions\/[^/]+$/i.test(value) ? value.replace(/\/extensions\/[^/]+$/i, "") : value;
    return { subscriptionId: parsed.subscriptionId, resourceGroup: parsed.resourceGroup, name: parsed.name, id };
  } catch (e) {
    if (!isInvalidInputError(e)) throw e;
    const type = resourceTypeOf(value);
    const allowed = kinds === "vm" ? ["microsoft.compute/virtualmachines"] : ["microsoft.compute/virtualmachines", "microsoft.compute/virtualmachinescalesets"];
    const other = type && !allowed.includes(type.toLowerCase()) ? ` (it names a ${type}, not ${kinds === "vm" ? "a VM" : "a VM or scale set"})` : "";
    throw new UsageError(`${where}${other}: ${e.message} [${e.code}]`);
  }
}

function nameFlagOf(nameOption: VmNameOption): string {
  return nameOption === "vm-name" ? "--vm-name" : "-n/--name";
}

/** The VM named by -g and the name option, or a usage error saying what is missing. */
function namedVm(options: VmTargetOptions, nameOption: VmNameOption, several: boolean): VmRef {
  const name = nameOption === "vm-name" ? options.vmName : options.name;
  const flag = nameFlagOf(nameOption);
  if (name !== undefined && name.startsWith("/")) {
    throw new UsageError(`${flag} takes a VM name, not a resource id: pass ${JSON.stringify(name)} to --ids instead.`);
  }
  if (options.resourceGroup !== undefined && name !== undefined) {
    return { subscriptionId: undefined, resourceGroup: options.resourceGroup, name };
  }
  if (options.resourceGroup !== undefined) throw new UsageError(`Missing the VM name: pass ${flag} <vm>.`);
  if (name !== undefined) throw new UsageError("Missing the resource group: pass -g/--resource-group <group>.");
  throw new UsageError(
    `No VM given: pass -g/--resource-group <group> and ${flag} <vm>, or --ids <VM resource id...>` +
      (several ? "; or select several: -g <group> alone, --subscriptions, --tag, --graph-query." : "."),
  );
}

/** The selection options given, by their flags. */
function selectionFlags(options: VmTargetOptions, graphQuery: string | undefined): string[] {
  return [
    ...(options.subscriptions !== undefined ? ["--subscriptions"] : []),
    ...(options.tag !== undefined ? ["--tag"] : []),
    ...(options.location !== undefined ? ["--location"] : []),
    ...(graphQuery !== undefined ? ["--graph-query"] : []),
  ];
}

/** A selection by the selection options (and `-g` alone), or undefined when none is given. */
function selectionOf(options: VmTargetOptions, graphQuery: string | undefined, name: string | undefined, flag: string): CliSelection | undefined {
  const filters = { ...(options.tag ? { tags: options.tag } : {}), ...(options.location !== undefined ? { location: options.location } : {}) };
  if (graphQuery !== undefined) {
    if (options.resourceGroup !== undefined || name !== undefined) {
      throw new UsageError(
        `--graph-query selects the VMs itself: put the resource group in the query (| where resourceGroup =~ '${options.resourceGroup ?? "<group>"}') instead of -g/${flag}.`,
      );
    }
    if (options.tag !== undefined || options.location !== undefined) {
      throw new UsageError("--tag and --location filter a listed selection (-g, --subscriptions); put the filter in the query instead, e.g. | where tags.env == 'prod' and location =~ 'westeurope'.");
    }
    return { kind: "query", query: graphQuery, ...(options.subscriptions ? { subscriptions: options.subscriptions } : {}) };
  }
  if (options.resourceGroup !== undefined && name === undefined) {
    if (options.subscriptions !== undefined) {
      throw new UsageError("-g selects the VMs of a resource group in one subscription: name that subscription with --subscription <name or id>, not --subscriptions.");
    }
    return { kind: "group", resourceGroup: options.resourceGroup, ...filters };
  }
  if (options.subscriptions === undefined && options.tag === undefined && options.location === undefined) return undefined;
  if (name !== undefined) {
    throw new UsageError(`${flag} names one VM, and ${selectionFlags(options, undefined).join(", ")} select several: leave out ${flag}, or the selection options.`);
  }
  return { kind: "subscriptions", ...(options.subscriptions ? { subscriptions: options.subscriptions } : {}), ...filters };
}

/**
 * Resolve which VM or VMs a command is about. Every mistake (conflicting
 * options, an unreadable file, a value that is not a VM resource id) is a
 * usage error raised before any request. One `--ids` value is one VM;
 * several, or any `--ids-file`, are several; on commands that act on
 * several VMs, `-g` without a VM name and the selection options
 * (`--subscriptions`, `--tag`, `--location`, a Resource Graph query) select
 * them, and `--journal` or `--shard` make even one VM a run on several.
 * An `--ids-file` that holds no id is an empty list (not an error).
 */
export async function resolveVmTargets(options: VmTargetOptions, io: CliIo, how: ResolveTargetsOptions = {}): Promise<VmTargets> {
  const nameOption = how.nameOption ?? "name";
  const several = how.several === true;
  const graphQuery = options.graphQuery ?? how.graphQuery;
  if (options.graphQuery !== undefined && how.graphQuery !== undefined) {
    throw new UsageError("Two Resource Graph queries: pass the query to --graph-query or to --query, not both.");
  }
  const name = nameOption === "vm-name" ? options.vmName : options.name;
  const named = options.resourceGroup !== undefined || name !== undefined;
  const flag = nameFlagOf(nameOption);
  const selecting = selectionFlags(options, graphQuery);
  const targets = await (async (): Promise<VmTargets> => {
    if (options.idsFile !== undefined || options.ids !== undefined) {
      if (selecting.length > 0) {
        throw new UsageError(`${selecting.join(", ")} select VMs by themselves: they cannot be combined with --ids or --ids-file (filter the list before it is given).`);
      }
    }
    if (options.idsFile !== undefined) {
      if (options.ids !== undefined) throw new UsageError("Name the VMs either with --ids or with --ids-file, not both.");
      if (named) throw new UsageError(`Name the VMs either with --ids-file or with -g and ${flag}, not both.`);
      const where = options.idsFile === "-" ? "stdin" : options.idsFile;
      const ids: SourcedId[] = parseIdsFile(await readIdsFile(options.idsFile, io), where);
      return { mode: "many", vms: ids.map(({ id, where: at }) => parseVmId(id, at, how.ids)), source: where };
    }
    if (options.ids === true) {
      throw new UsageError(
        "The selection is empty: --ids was given no VM id (was it given the output of a command that found none, such as an empty $(az vm list ...)?).",
      );
    }
    if (options.ids !== undefined) {
      if (named) throw new UsageError(`Name the VM either with --ids or with -g and ${flag}, not both.`);
      const ids = options.ids;
      const vms = ids.map((id, i) => parseVmId(id, ids.length > 1 ? `--ids value ${i + 1}` : "--ids", how.ids));
      return vms.length === 1 ? { mode: "one", vm: vms[0]! } : { mode: "many", vms };
    }
    const selection = several ? selectionOf(options, graphQuery, name, flag) : undefined;
    if (selection) return { mode: "select", selection };
    return { mode: "one", vm: namedVm(options, nameOption, several) };
  })();
  // A journal or a shard is about a run on several VMs, even when it names one.
  if (targets.mode === "one" && (options.journal !== undefined || options.shard !== undefined)) return { mode: "many", vms: [targets.vm] };
  return targets;
}

/** Parse `--concurrency`: `adaptive` or a positive integer. */
export function parseConcurrency(value: string): number | "adaptive" {
  if (value.toLowerCase() === "adaptive") return "adaptive";
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected "adaptive" or a positive integer, got "${value}".`);
  return n;
}

/** Add `--concurrency` to a command that changes several VMs. */
export function addConcurrencyOption(command: Command): Command {
  return command.option(
    "--concurrency <n|adaptive>",
    "with several VMs: how many at once; adaptive (default) paces writes to ARM's throttle",
    parseConcurrency,
  );
}
