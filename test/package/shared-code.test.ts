/**
 * One copy of each piece of code in what is published: the SDK's two entries
 * share what both use (the build splits it into a chunk both import), and the
 * command carries none of the SDK's code (it imports the package). Measured
 * on the build itself: a top-level statement of one file that appears again,
 * token for token, in another file of the same format is a copy.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { CLI_DIR, ROOT } from "./helpers.js";

/** Shorter statements (`exports.x = x;`, one-line constants) say nothing about copied code. */
const MIN_LENGTH = 40;

/** Between the command and the SDK, a statement shorter than this (a one-line helper) is not a bundled copy. */
const COMMAND_MIN_LENGTH = 160;

/**
 * Code the emulator's source defines again rather than importing it from the
 * library (src/testing/identitySemantics.ts repeats two helpers of
 * src/core/identity.ts; src/testing/guid.ts repeats the GUID pattern that
 * src/core/validation.ts keeps to itself). They are copies in the source, not
 * made by the build; the test fails when they stop being copies, so the list shrinks.
 */
const SOURCE_COPIES = ["GUID", "hasSystemAssigned", "hasUserAssigned"];

/** Every file under `dir` ending in `ext`, relative to `dir`. */
const filesIn = (dir: string, ext: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(ext))
    .sort();

/**
 * The top-level statements of a built file, keyed by their text with the
 * numeric suffixes esbuild adds to renamed identifiers removed; module glue
 * (imports, exports, `require` bindings, esbuild's own `__helpers`) left out.
 */
function statements(file: string): Map<string, string> {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const found = new Map<string, string>();
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isExportAssignment(statement)) continue;
    const text = statement.getText(source).replace(/([A-Za-z_$])\d+\b/g, "$1");
    if (text.length < MIN_LENGTH || /^(var|function|const|let) __/.test(text) || /^(exports\.|module\.exports|Object\.defineProperty\(exports|var [\w$]+ = require\()/.test(text)) continue;
    const name = /^(?:var|let|const|function|class|async function)\s+([\w$]+)/.exec(text)?.[1] ?? text.slice(0, 60);
    found.set(text, name);
  }
  return found;
}

/** Names of statements that appear in more than one of `files`, with where. */
function copies(files: string[], label: (file: string) => string): Map<string, string[]> {
  const seen = new Map<string, { name: string; files: string[] }>();
  for (const file of files) {
    for (const [text, name] of statements(file)) {
      const entry = seen.get(text) ?? { name, files: [] };
      entry.files.push(label(file));
      seen.set(text, entry);
    }
  }
  const out = new Map<string, string[]>();
  for (const { name, files: where } of seen.values()) if (where.length > 1) out.set(name, where);
  return out;
}

describe("one copy of each piece of code", () => {
  const dist = join(ROOT, "dist");

  for (const ext of [".js", ".cjs"]) {
    it(`the SDK's ${ext} files (both entries and their shared chunks) repeat nothing but the known source copies`, () => {
      const files = filesIn(dist, ext);
      expect(files).toEqual(expect.arrayContaining([`index${ext}`, `testing/index${ext}`]));
      const found = copies(
        files.map((f) => join(dist, f)),
        (f) => f.slice(dist.length + 1),
      );
      const unexpected = [...found].filter(([name]) => !SOURCE_COPIES.includes(name)).map(([name, where]) => `${name} in ${where.join(", ")}`);
      expect(unexpected, "code shipped more than once: a module both entries use must end up in a shared chunk").toEqual([]);
      expect([...found.keys()].sort(), "a listed source copy is gone: remove it from SOURCE_COPIES").toEqual([...SOURCE_COPIES].sort());
    });
  }

  it("the command holds none of the SDK's code: it imports the package", () => {
    // A small helper both happen to write alike (a type guard, a regular expression) is no copy of the SDK.
    const sizeable = ([text]: [string, string]): boolean => text.length >= COMMAND_MIN_LENGTH;
    const sdk = new Set(filesIn(dist, ".js").flatMap((f) => [...statements(join(dist, f)).keys()]));
    const command = filesIn(join(CLI_DIR, "dist"), ".js").flatMap((f) => [...statements(join(CLI_DIR, "dist", f))].filter(sizeable));
    expect(command.length).toBeGreaterThan(0);
    expect(command.filter(([text]) => sdk.has(text)).map(([, name]) => name)).toEqual([]);
  });
});
