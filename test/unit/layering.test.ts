import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/** Every `.ts` file under `dir`. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** What each file imports (static and dynamic), as written. */
function imports(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1]!);
}

/** The layers, lowest first: each may import only the ones before it (and src/*.ts leaves). */
const LAYERS = ["core", "http", "operations", "fleet", "client"] as const;

function layerOf(file: string): string | undefined {
  const [top, next] = relative("src", file).split("/");
  return next === undefined ? undefined : top;
}

function importedLayer(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return layerOf(join(from, "..", specifier));
}

describe("the layers of the source tree", () => {
  it("no import runs back up: core < http < operations < fleet < client", () => {
    const upward: string[] = [];
    for (const file of files("src")) {
      const layer = layerOf(file);
      const rank = LAYERS.indexOf(layer as (typeof LAYERS)[number]);
      if (rank < 0) continue;
      for (const specifier of imports(file)) {
        const target = importedLayer(file, specifier);
        const targetRank = LAYERS.indexOf(target as (typeof LAYERS)[number]);
        if (targetRank > rank) upward.push(`${file} imports ${specifier}`);
        if (target === "testing") upward.push(`${file} imports the emulator: ${specifier}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("the pure core imports no @azure package and no Node I/O", () => {
    const offending = files("src/core").flatMap((file) =>
      imports(file)
        .filter((s) => s.startsWith("@azure/") || s.startsWith("node:") || !s.startsWith("."))
        .map((s) => `${file} imports ${s}`),
    );
    expect(offending).toEqual([]);
  });

  it("the emulator is a client of the library's core only, and the command of the published package only", () => {
    const emulator = files("src/testing").flatMap((file) =>
      imports(file)
        .filter((s) => s.startsWith(".") && ["http", "operations", "fleet", "client"].includes(importedLayer(file, s) ?? ""))
        .map((s) => `${file} imports ${s}`),
    );
    expect(emulator).toEqual([]);
    const command = files("packages/cli/src").flatMap((file) =>
      imports(file)
        .filter((s) => s.startsWith(".") && relative("packages/cli/src", join(file, "..", s)).startsWith(".."))
        .map((s) => `${file} imports ${s}`),
    );
    expect(command).toEqual([]);
  });
});
