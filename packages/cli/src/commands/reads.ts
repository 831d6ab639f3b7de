import { ExitCode } from "../exitCodes.js";
import type { VmRef, VmTargets } from "../options/targets.js";
import type { Printer } from "../output/printer.js";
import { failureText } from "../output/fleet.js";
import type { CliRuntime } from "../runtime.js";
import { mapLimit } from "../util/mapLimit.js";

/** Reads made at once by a read of several resources. */
const READ_CONCURRENCY = 8;

/** One resource read by a command that reads several. */
export interface ReadTarget {
  /** How the resource is named in an error line, e.g. the VM's name. */
  label: string;
}

/**
 * Read several resources, a few at once, each with its own client: the
 * results that were read, in the order given. A resource that could not be
 * read is reported on stderr (`error: <label>: ...`) and sets exit code 1;
 * the others are still returned. An interruption rejects.
 */
export async function readEach<T extends ReadTarget, R>(rt: CliRuntime, targets: readonly T[], read: (target: T) => Promise<R>): Promise<{ target: T; value: R }[]> {
  const outcomes = await mapLimit(targets, READ_CONCURRENCY, async (target) => {
    try {
      return { target, value: await read(target) };
    } catch (e) {
      if (rt.io.signal.aborted) throw e;
      return { target, error: e as Error };
    }
  });
  const found: { target: T; value: R }[] = [];
  for (const outcome of outcomes) {
    if ("error" in outcome && outcome.error) {
      rt.stderr(`error: ${outcome.target.label}: ${failureText(outcome.error)}\n`);
      rt.exitCode = ExitCode.Failed;
    } else {
      found.push(outcome as { target: T; value: R });
    }
  }
  return found;
}

/** How {@link printOneOrEach} prints: the JSON of a value, and the text for people of one value or of several. */
export interface ReadPrinting<R> {
  json?: (value: R) => unknown;
  one: (value: R, width: number) => string;
  many: (values: R[], width: number) => string;
}

/**
 * Read and print the resources a read command was given: one resource is
 * printed as one result (and a failure is the command's error); several as
 * an array of those read, with {@link readEach}'s error lines for the others.
 */
export async function printOneOrEach<T extends ReadTarget, R>(
  rt: CliRuntime,
  out: Printer,
  targets: { mode: "one"; target: T } | { mode: "many"; targets: T[] },
  read: (target: T) => Promise<R>,
  printing: ReadPrinting<R>,
): Promise<void> {
  const json = printing.json ?? ((value: R): unknown => value);
  if (targets.mode === "one") {
    const value = await read(targets.target);
    out.result(json(value), (_json, width) => printing.one(value, width));
    return;
  }
  const values = (await readEach(rt, targets.targets, read)).map((r) => r.value);
  out.result(values.map(json), (_json, width) => printing.many(values, width));
}

/** VM targets in the form {@link printOneOrEach} takes, each labelled by the VM's name. */
export function readTargets(targets: Exclude<VmTargets, { mode: "select" }>): { mode: "one"; target: VmRef & ReadTarget } | { mode: "many"; targets: (VmRef & ReadTarget)[] } {
  return targets.mode === "one"
    ? { mode: "one", target: { ...targets.vm, label: targets.vm.name } }
    : { mode: "many", targets: targets.vms.map((vm) => ({ ...vm, label: vm.name })) };
}
