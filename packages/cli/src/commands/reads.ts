import { ExitCode } from "../exitCodes.js";
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
