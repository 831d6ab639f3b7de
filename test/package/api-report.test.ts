/**
 * The committed API reports in review/ against the surface that the built
 * declaration files (dist/) publish, one report per entry of the exports map.
 * `npm run api` rewrites the reports; this test only compares.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CompilerState, ConsoleMessageId, Extractor, ExtractorConfig, ExtractorLogLevel, type ExtractorMessage } from "@microsoft/api-extractor";
import { describe, expect, it } from "vitest";
import { ROOT, readManifest } from "./helpers.js";

const sdk = readManifest(ROOT);

/** Each entry of the exports map that has types, with the declaration file it publishes for `import`. */
const entries = Object.entries(sdk.exports ?? {}).flatMap(([subpath, target]) => {
  const types = (target as { import?: { types?: string } }).import?.types;
  return types ? [{ subpath, types }] : [];
});

/** The api-extractor configuration of an entry: api-extractor.json for ".", api-extractor.<name>.json for "./<name>". */
const configFileOf = (subpath: string): string => (subpath === "." ? "api-extractor.json" : `api-extractor.${subpath.slice(2).replaceAll("/", "-")}.json`);

/** The lines only one of two reports has, marked - (committed) and + (built): enough to see what changed. */
function changedLines(committed: string, built: string): string {
  const before = new Set(committed.split("\n"));
  const after = new Set(built.split("\n"));
  return [...[...before].filter((l) => !after.has(l)).map((l) => `- ${l}`), ...[...after].filter((l) => !before.has(l)).map((l) => `+ ${l}`)].join("\n");
}

/**
 * One TypeScript program over every entry's declarations, shared by the
 * entries' api-extractor runs instead of one program each (the configurations
 * differ only in their entry file): made by the first run that needs it.
 */
let compilerState: CompilerState | undefined;
function sharedCompilerState(): CompilerState {
  const [first, ...others] = entries.map(({ subpath }) => ExtractorConfig.loadFileAndPrepare(join(ROOT, configFileOf(subpath))));
  if (!first) throw new Error("the exports map has no entry with types");
  compilerState ??= CompilerState.create(first, { additionalEntryPoints: others.map((config) => config.mainEntryPointFilePath) });
  return compilerState;
}

/** Messages that decide whether the report is current; reported through `apiReportChanged` instead. */
const REPORT_STATE = new Set<string>([ConsoleMessageId.ApiReportNotCopied, ConsoleMessageId.ApiReportDiff, ConsoleMessageId.ApiReportUnchanged, ConsoleMessageId.ApiReportCreated]);

describe("API reports (review/*.api.md)", () => {
  it("covers every entry of the exports map, each with its own configuration that `npm run api` runs", () => {
    expect(entries.map((e) => e.subpath)).toEqual(expect.arrayContaining([".", "./testing"]));
    for (const { subpath, types } of entries) {
      const file = configFileOf(subpath);
      expect(existsSync(join(ROOT, file)), `${subpath} needs ${file}`).toBe(true);
      const config = ExtractorConfig.loadFileAndPrepare(join(ROOT, file));
      expect(config.mainEntryPointFilePath, `${file} must read the types that ${subpath} publishes`).toBe(join(ROOT, types));
      expect(config.reportFolder).toBe(join(ROOT, "review"));
      expect(sdk.scripts?.api, `npm run api must run ${file}`).toContain(`api-extractor run --local -c ${file}`);
    }
  });

  for (const { subpath } of entries) {
    const entry = subpath === "." ? sdk.name : `${sdk.name}/${subpath.slice(2)}`;
    it(`matches the built surface of ${entry}`, () => {
      const config = ExtractorConfig.loadFileAndPrepare(join(ROOT, configFileOf(subpath)));
      const fileName = config.reportConfigs[0]?.fileName ?? "";
      const report = join("review", fileName);
      const problems: string[] = [];
      const result = Extractor.invoke(config, {
        localBuild: false,
        compilerState: sharedCompilerState(),
        messageCallback: (message: ExtractorMessage) => {
          message.handled = true;
          if (REPORT_STATE.has(message.messageId)) return;
          if (message.logLevel === ExtractorLogLevel.Error || message.logLevel === ExtractorLogLevel.Warning) {
            problems.push(`${message.messageId}: ${message.text}${message.sourceFilePath ? ` (${message.sourceFilePath}:${message.sourceFileLine})` : ""}`);
          }
        },
      });
      expect(problems, "api-extractor reported problems in the built declarations").toEqual([]);
      const committed = join(ROOT, report);
      const changes = result.apiReportChanged && existsSync(committed) ? changedLines(readFileSync(committed, "utf8"), readFileSync(join(config.reportTempFolder, fileName), "utf8")) : "";
      expect(
        result.apiReportChanged,
        `The public API of ${entry} differs from ${report}. If the change is intended, run \`npm run api\` and commit ${report} with it.\n${changes}\n`,
      ).toBe(false);
      expect(result.succeeded).toBe(true);
    });
  }
});
