import { type Command, InvalidArgumentError } from "commander";
import type { VmHandle, VmIdentityClient } from "azure-vm-identity";
import { UsageError } from "../errors.js";
import { collectVmIds, nonEmpty } from "./parsers.js";

/** How the VM was named on the command line. */
export type VmTarget =
  | { kind: "name"; resourceGroup: string; name: string }
  | { kind: "id"; id: string; subscriptionId: string | undefined };

/** The target options as commander parsed them (`vmName` in `extension` commands, where `--name` names the extension). */
export interface VmTargetOptions {
  resourceGroup?: string;
  name?: string;
  vmName?: string;
  /** One id, or (on commands that take several VMs) the list given to `--ids`. */
  ids?: string | string[];
  /** `--ids-file`, on commands that take several VMs. */
  idsFile?: string;
}

/** The usage text of the target options. */
export const VM_TARGET_USAGE = "(-g RG -n VM | --ids VM_ID)";

/** The usage text of the target options of commands that take several VMs. */
export const VM_TARGETS_USAGE = "(-g RG -n VM | --ids VM_ID... | --ids-file FILE)";

/**
 * Add `-g/--resource-group`, `-n/--name` and `--ids` to a command. In the
 * `extension` commands `--name` names the extension, so the VM is
 * `-n/--vm-name` there.
 */
export function addVmTargetOptions(command: Command, nameOption: "name" | "vm-name" = "name"): Command {
  return command
    .option("-g, --resource-group <group>", "resource group of the VM", nonEmpty("--resource-group"))
    .option(`-n, --${nameOption} <vm>`, "name of the VM", nonEmpty(`--${nameOption}`))
    .option("--ids <id>", "full resource id of the VM (instead of -g and -n)", nonEmpty("--ids"));
}

/**
 * Add the target options of a command that can work on several VMs:
 * `-g`/`-n` for one, `--ids <id...>` for one or more, `--ids-file <file>` for
 * a list, and `--concurrency` for how many at once.
 */
export function addVmTargetsOptions(command: Command, nameOption: "name" | "vm-name" = "name"): Command {
  return command
    .option("-g, --resource-group <group>", "resource group of the VM", nonEmpty("--resource-group"))
    .option(`-n, --${nameOption} <vm>`, "name of the VM", nonEmpty(`--${nameOption}`))
    .option("--ids <id...>", "full resource ids of one or more VMs (instead of -g and -n)", collectVmIds)
    .option("--ids-file <file>", 'a file of VM resource ids, one a line ("#" starts a comment; "-" reads stdin)', nonEmpty("--ids-file"))
    .option(
      "--concurrency <n|adaptive>",
      "with several VMs: how many at once; adaptive (default) paces writes to ARM's throttle",
      parseConcurrency,
    );
}

/** The subscription in a resource id, if it names one. */
function subscriptionOfId(id: string): string | undefined {
  const match = /^\/subscriptions\/([^/]+)\//i.exec(id);
  return match?.[1];
}

/** Parse `--concurrency`: `adaptive` or a positive integer. */
export function parseConcurrency(value: string): number | "adaptive" {
  if (value.toLowerCase() === "adaptive") return "adaptive";
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected "adaptive" or a positive integer, got "${value}".`);
  return n;
}

/**
 * Resolve which VM the command is about, or throw a usage error that says
 * how to name one.
 */
export function resolveVmTarget(options: VmTargetOptions, nameOption: "name" | "vm-name" = "name"): VmTarget {
  const name = nameOption === "vm-name" ? options.vmName : options.name;
  const { resourceGroup, ids } = options;
  const nameFlag = nameOption === "vm-name" ? "-n/--vm-name" : "-n/--name";
  if (ids !== undefined) {
    if (resourceGroup !== undefined || name !== undefined) {
      throw new UsageError(`Name the VM either with --ids or with -g and ${nameFlag}, not both.`);
    }
    const id = typeof ids === "string" ? ids : ids[0];
    if (id === undefined || (typeof ids !== "string" && ids.length !== 1)) {
      throw new UsageError("Expected one VM id for --ids here.");
    }
    return { kind: "id", id, subscriptionId: subscriptionOfId(id) };
  }
  if (resourceGroup !== undefined && name !== undefined) return { kind: "name", resourceGroup, name };
  const hint =
    nameOption === "vm-name" && options.name !== undefined
      ? ` (here --name is the extension's name; name the VM with -n or --vm-name)`
      : "";
  if (resourceGroup !== undefined) throw new UsageError(`Missing the VM name: pass ${nameFlag} <vm>${hint}.`);
  if (name !== undefined) throw new UsageError(`Missing the resource group: pass -g/--resource-group <group>.`);
  throw new UsageError(`No VM given: pass -g/--resource-group <group> and ${nameFlag} <vm>, or --ids <VM resource id>${hint}.`);
}

/** The client's handle on the target VM (validated: a bad name throws `InvalidInputError`). */
export function vmHandle(client: VmIdentityClient, target: VmTarget): VmHandle {
  return target.kind === "id" ? client.vm(target.id) : client.vm(target.resourceGroup, target.name);
}
