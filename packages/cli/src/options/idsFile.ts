import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";

/** One id and where it came from, for error messages. */
export interface SourcedId {
  id: string;
  /** e.g. `vms.txt line 3`. */
  where: string;
}

/**
 * The ids in the text of an ids file: one a line; blank lines and everything
 * after a `#` are ignored (no VM or resource group name may contain `#`).
 * A file with no id is an empty selection (the command says so and exits 0).
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
  return ids;
}

/** Read an ids file, or standard input for `-`; a missing or unreadable file is a usage error. */
export async function readIdsFile(file: string, io: CliIo): Promise<string> {
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
