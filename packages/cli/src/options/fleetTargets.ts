import { readFile } from "node:fs/promises";
import { isInvalidInputError, parseVmResourceId } from "azure-vm-identity";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { type VmTarget, type VmTargetOptions, resolveVmTarget } from "./targets.js";

/**
 * The VMs a command that takes several is about: one (named with -g/-n or a
 * single `--ids`, printed exactly as the one-VM commands always have), or a
 * fleet (several `--ids`, or `--ids-file` whatever its length, so a script
 * reading a file always gets an array).
 */
export type VmTargets =
  | { mode: "one"; target: VmTarget }
  | {
      mode: "fleet";
      /** The ids as given, validated; duplicates are dropped by the library. */
      ids: string[];
      /** The subscription they are all in. */
      subscriptionId: string;
    };

/** One id and where it came from, for error messages. */
interface SourcedId {
  id: string;
  /** e.g. `vms.txt line 3` or `--ids value 2`. */
  where: string;
}

/** Validate every id as a VM resource id, and that they share one subscription; a bad one is a usage error that says where it is. */
function checkIds(ids: readonly SourcedId[]): { ids: string[]; subscriptionId: string } {
  let first: { subscriptionId: string; where: string } | undefined;
  for (const { id, where } of ids) {
    let subscriptionId: string;
    try {
      subscriptionId = parseVmResourceId(id).subscriptionId;
    } catch (e) {
      if (isInvalidInputError(e)) throw new UsageError(`${where}: ${e.message} [${e.code}]`);
      throw e;
    }
    if (!first) first = { subscriptionId, where };
    else if (first.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase()) {
      throw new UsageError(
        `The VMs are in more than one subscription (${first.subscriptionId} at ${first.where}, ${subscriptionId} at ${where}): run the command once per subscription.`,
      );
    }
  }
  if (!first) throw new UsageError("No VM ids given.");
  return { ids: ids.map((s) => s.id), subscriptionId: first.subscriptionId };
}

/**
 * The ids in the text of an ids file: one a line; blank lines and everything
 * after a `#` are ignored (no VM or resource group name may contain `#`).
 */
export function parseIdsFile(text: string, name: string): SourcedId[] {
  const ids: SourcedId[] = [];
  text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .forEach((line, i) => {
      const id = line.replace(/#.*$/, "").trim();
      if (id !== "") ids.push({ id, where: `${name} line ${i + 1}` });
    });
  if (ids.length === 0) throw new UsageError(`No VM ids in ${name}: expected one VM resource id a line.`);
  return ids;
}

async function readIdsFile(file: string, io: CliIo): Promise<string> {
  if (file === "-") {
    if (!io.readStdin) throw new UsageError("--ids-file -: there is no standard input to read.");
    return io.readStdin();
  }
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (e as Error).message;
    throw new UsageError(`Cannot read --ids-file ${file}: ${reason}.`);
  }
}

/**
 * Resolve the targets of `assign`, `remove` and `extension install|remove`.
 * Every mistake (conflicting options, a missing or unreadable file, a bad id,
 * ids in several subscriptions) is a usage error raised before any request.
 */
export async function resolveVmTargets(
  options: VmTargetOptions,
  io: CliIo,
  nameOption: "name" | "vm-name" = "name",
): Promise<VmTargets> {
  const name = nameOption === "vm-name" ? options.vmName : options.name;
  const nameFlag = nameOption === "vm-name" ? "-n/--vm-name" : "-n/--name";
  const named = options.resourceGroup !== undefined || name !== undefined;
  const ids = typeof options.ids === "string" ? [options.ids] : options.ids;
  if (options.idsFile !== undefined) {
    if (ids !== undefined) throw new UsageError("Name the VMs either with --ids or with --ids-file, not both.");
    if (named) throw new UsageError(`Name the VMs either with --ids-file or with -g and ${nameFlag}, not both.`);
    const where = options.idsFile === "-" ? "stdin" : options.idsFile;
    return { mode: "fleet", ...checkIds(parseIdsFile(await readIdsFile(options.idsFile, io), where)) };
  }
  if (ids !== undefined && ids.length > 1) {
    if (named) throw new UsageError(`Name the VMs either with --ids or with -g and ${nameFlag}, not both.`);
    return { mode: "fleet", ...checkIds(ids.map((id, i) => ({ id, where: `--ids value ${i + 1}` }))) };
  }
  if (ids === undefined && !named) {
    const hint = nameOption === "vm-name" && options.name !== undefined ? " (here --name is the extension's name; name the VM with -n or --vm-name)" : "";
    throw new UsageError(
      `No VM given: pass -g/--resource-group <group> and ${nameFlag} <vm>, --ids <VM resource id...> or --ids-file <file>${hint}.`,
    );
  }
  return { mode: "one", target: resolveVmTarget(options, nameOption) };
}
