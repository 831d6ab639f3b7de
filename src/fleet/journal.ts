/**
 * A fleet's journal: a JSON-lines file that makes a long run resumable. Its
 * first line says which fleet wrote it (the operation and a fingerprint of
 * what it does); each further line is one VM's outcome, appended as the VM
 * finishes. A rerun with the same journal skips the VMs it shows done and
 * works on the rest again (a VM whose outcome was unknown is read first and
 * found done if its write had landed). A journal another fleet wrote, or one
 * that is not a journal, is refused before any request.
 */
import { createHash } from "node:crypto";
import { type FileHandle, open, readFile } from "node:fs/promises";
import { InvalidInputError, describeValue } from "../core/errors.js";
import type { FleetStatus } from "./results.js";

const KIND = "azure-vm-identity fleet journal";

/** What a journal's first line holds. */
interface JournalHeader {
  journal: typeof KIND;
  version: 1;
  operation: string;
  fingerprint: string;
  createdAt: string;
}

/** One VM's line. */
interface JournalLine {
  resourceId: string;
  status: FleetStatus;
  at: string;
  code?: string;
}

/** Opens the journal to append to it; a folder that does not exist or a file that cannot be written is `InvalidJournal`. */
async function openForAppend(path: string): Promise<FileHandle> {
  try {
    return await open(path, "a");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw invalid(path, code === "ENOENT" ? "its folder does not exist" : `it cannot be written (${(e as Error).message})`);
  }
}

/** An open journal. */
export interface Journal {
  /** The status a previous run recorded for a VM (lower-cased id), if any. */
  previous(key: string): FleetStatus | undefined;
  /** Record one VM's outcome (appended at once). */
  record(resourceId: string, status: FleetStatus, code?: string): Promise<void>;
  close(): Promise<void>;
}

/** A fingerprint of what a fleet does: two runs with the same one may share a journal. */
export function fleetFingerprint(operation: string, work: unknown): string {
  return createHash("sha256").update(JSON.stringify([operation, work])).digest("hex").slice(0, 32);
}

function invalid(path: string, why: string): InvalidInputError {
  return new InvalidInputError("InvalidJournal", `Cannot use the journal ${describeValue(path)}: ${why}.`, path);
}

/**
 * Open (or create) the journal at `path` for the fleet `operation` with
 * `fingerprint`. Throws `InvalidJournal` (unreadable, not a journal) or
 * `JournalMismatch` (written by another fleet) before anything is sent.
 */
export async function openJournal(path: string, operation: string, fingerprint: string): Promise<Journal> {
  if (typeof path !== "string" || path === "") throw invalid(String(path), "expected a file path");
  const previous = new Map<string, FleetStatus>();
  let text: string | undefined;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw invalid(path, `it cannot be read (${(e as Error).message})`);
  }
  let handle: FileHandle;
  if (text !== undefined && text.trim() !== "") {
    const lines = text.split("\n");
    let header: JournalHeader;
    try {
      header = JSON.parse(lines[0]!) as JournalHeader;
    } catch {
      throw invalid(path, "its first line is not a fleet journal's header");
    }
    if (header?.journal !== KIND || header.version !== 1) throw invalid(path, "it is not a fleet journal");
    if (header.operation !== operation || header.fingerprint !== fingerprint) {
      throw new InvalidInputError(
        "JournalMismatch",
        `The journal ${describeValue(path)} was written by another fleet (${header.operation}, fingerprint ${header.fingerprint}); this one is ${operation}, ${fingerprint}. Use a new journal file for a different change.`,
        path,
      );
    }
    lines.slice(1).forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        const entry = JSON.parse(line) as JournalLine;
        if (typeof entry.resourceId === "string" && typeof entry.status === "string") previous.set(entry.resourceId.toLowerCase(), entry.status);
      } catch {
        // A last line cut short by a crash is the only line allowed to be torn.
        if (i !== lines.length - 2) throw invalid(path, `line ${i + 2} is not JSON`);
      }
    });
    handle = await openForAppend(path);
    // A torn last line ends here, so the next line starts afresh.
    if (!text.endsWith("\n")) await handle.write("\n");
  } else {
    handle = await openForAppend(path);
    const header: JournalHeader = { journal: KIND, version: 1, operation, fingerprint, createdAt: new Date().toISOString() };
    await handle.write(`${JSON.stringify(header)}\n`);
  }
  let writing: Promise<unknown> = Promise.resolve();
  return {
    previous: (key) => previous.get(key),
    record(resourceId, status, code) {
      const line: JournalLine = { resourceId, status, at: new Date().toISOString(), ...(code ? { code } : {}) };
      writing = writing.then(() => handle.write(`${JSON.stringify(line)}\n`));
      return writing.then(() => undefined);
    },
    async close() {
      await writing.catch(() => undefined);
      await handle.close();
    },
  };
}
