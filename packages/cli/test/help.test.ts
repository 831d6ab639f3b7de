/** Every help text of the command tree, measured: 80 columns (or the terminal's), wrapped at word boundaries only. */
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../src/program.js";
import { CliRuntime } from "../src/runtime.js";
import { displayWidth } from "../src/output/width.js";
import { memoryIo, runInProcess } from "./helpers.js";

/** The path of every command, from `[]` (the program) down, e.g. `["extension", "install"]`. */
function commandPaths(): string[][] {
  const program = buildProgram(new CliRuntime(memoryIo()));
  const paths: string[][] = [];
  const walk = (command: Command, path: string[]): void => {
    paths.push(path);
    for (const sub of command.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return paths;
}

const PATHS = commandPaths();

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== "");
}

describe("help", () => {
  it("covers the whole command tree", () => {
    expect(PATHS.map((p) => p.join(" "))).toEqual([
      "",
      "show",
      "assign",
      "remove",
      "extension",
      "extension install",
      "extension remove",
      "extension show",
      "identity",
      "identity create",
      "identity list",
      "identity show",
      "identity delete",
      "role",
      "role list",
      "role grant",
      "role revoke",
      "vmss",
      "vmss show",
      "vmss assign",
      "vmss remove",
      "vmss extension",
      "vmss extension install",
      "vmss extension remove",
      "vmss extension show",
      "migrate-extension",
      "create",
      "emulator",
      "demo",
    ]);
  });

  it.each(PATHS.map((p) => [p.join(" ") || "(the program)", p]))("%s --help fits 80 columns, wrapped at word boundaries", async (_name, path) => {
    const narrow = await runInProcess([...(path as string[]), "--help"]);
    expect(narrow.code).toBe(0);
    const long = narrow.stdout.split("\n").filter((line) => displayWidth(line) > 80);
    expect(long).toEqual([]);
    // The same words as the help laid out for a very wide terminal: no word was cut to make it fit.
    const wide = await runInProcess([...(path as string[]), "--help"], {}, { stdoutIsTTY: true, stdoutColumns: 1000 });
    expect(Math.max(...wide.stdout.split("\n").map(displayWidth))).toBeGreaterThan(80);
    expect(words(narrow.stdout)).toEqual(words(wide.stdout));
  });

  it.each(PATHS.map((p) => [p.join(" ") || "(the program)", p]))("%s --help fits a 60-column terminal", async (_name, path) => {
    const r = await runInProcess([...(path as string[]), "--help"], {}, { stdoutIsTTY: true, stdoutColumns: 60 });
    expect(r.stdout.split("\n").filter((line) => displayWidth(line) > 60)).toEqual([]);
  });

  it("keeps every example on one line", async () => {
    for (const path of PATHS) {
      const help = (await runInProcess([...path, "--help"])).stdout;
      const examples = help.split(/\nExamples?:\n/)[1]?.split("\n\n")[0] ?? "";
      for (const line of examples.split("\n").filter((l) => l.trim() !== "")) expect(line, path.join(" ")).toMatch(/^ {2}\S/);
    }
  });

  it("the help printed when no command is given fits too", async () => {
    const r = await runInProcess([]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n").filter((line) => displayWidth(line) > 80)).toEqual([]);
  });

  it("names the az conventions", async () => {
    const assign = (await runInProcess(["assign", "--help"])).stdout;
    expect(assign).toContain("--identities <identity...>");
    expect(assign).toContain("--identity-resource-group <group>");
    expect(assign).toMatch(/-o, --output <format>\s+output format/);
    expect(assign).toMatch(/\(choices: "json", "jsonc",\s+"table", "tsv", "none"\)/);
    expect(assign).toContain("--query <jmespath>");
    const extension = (await runInProcess(["extension", "install", "--help"])).stdout;
    expect(extension).toMatch(/--vm-name <vm>\s+name of the VM/);
    expect(extension).toMatch(/-n, --name <extension>\s+extension name/);
  });
});
