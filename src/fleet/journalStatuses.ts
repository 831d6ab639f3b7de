/**
 * Reading a fleet journal without opening it for writing: what an earlier
 * run recorded for each resource. A migration reads it before its run, to
 * find again the resources that run left unfinished (a scale set whose
 * extension is gone from the model but whose instances still wait for their
 * upgrade no longer shows the extension), and a dry run reads it to show
 * what is done. The run itself opens the journal through `runFleet`.
 */
import { readFile } from "node:fs/promises";
import { InvalidInputError, describeValue } from "../core/errors.js";
import type { FleetStatus } from "./results.js";

/**
 * The status each resource (lower-cased id) last has in the journal at
 * `path`; empty when there is no such file. Throws `InvalidJournal` for a
 * file that is not a journal and `JournalMismatch` for one another fleet
 * (`operation`, `fingerprint`) wrote, before any request.
 */
export async function readJournalStatuses(path: string, operation: string, fingerprint: string): Promise<Map<string, FleetStatus>> {
  const statuses = new Map<string, FleetStatus>();
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return statuses;
    throw new InvalidInputError("InvalidJournal", `Cannot use the journal ${describeValue(path)}: it cannot be read (${(e as Error).message}).`, path);
  }
  const [first, ...lines] = text.split("\n");
  if (first === undefined || first.trim() === "") return statuses;
  let header: { journal?: unknown; operation?: unknown; fingerprint?: unknown };
  try {
    header = JSON.parse(first) as typeof header;
  } catch {
    throw new InvalidInputError("InvalidJournal", `Cannot use the journal ${describeValue(path)}: its first line is not a fleet journal's header.`, path);
  }
  if (header.operation !== operation || header.fingerprint !== fingerprint) {
    throw new InvalidInputError(
      "JournalMismatch",
      `The journal ${describeValue(path)} was written by another fleet (${String(header.operation)}, fingerprint ${String(header.fingerprint)}); this one is ${operation}, ${fingerprint}. Use a new journal file for a different change.`,
      path,
    );
  }
  for (const line of lines) {
    try {
      const entry = JSON.parse(line) as { resourceId?: unknown; status?: unknown };
      if (typeof entry.resourceId === "string" && typeof entry.status === "string") statuses.set(entry.resourceId.toLowerCase(), entry.status as FleetStatus);
    } catch {
      // An empty line, or a last line cut short by a crash: the run itself decides whether the journal is sound.
    }
  }
  return statuses;
}
