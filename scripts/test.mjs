#!/usr/bin/env node
/**
 * `npm test`: build, type-check and run every test, with the steps that do not
 * depend on each other running at the same time, and a non-zero exit if any
 * step fails.
 *
 *   node scripts/test.mjs          the build, then the type-check and vitest at
 *                                  once
 *   node scripts/test.mjs --built  the type-check and vitest at once, on the
 *                                  build already in dist/ (`npm run test:built`)
 *   node scripts/test.mjs -- ARGS  ARGS go to `vitest run` (a file filter, say)
 *
 * Both need the build: vitest's test/package and the command's child-process
 * tests run dist/, and tsc checks the command's sources against the
 * library's built declarations (the workspace links the package), so it must
 * not read them while tsup rewrites them. The type-check's output is held
 * back and printed whole when it ends, so it never interleaves with vitest's;
 * each step's wall time is printed with its result.
 *
 * The build is skipped when scripts/buildStamp.mjs finds dist/ made from the
 * sources as they are (and unchanged since): `npm ci` has just built, say.
 *
 * The type-check is incremental, its state in node_modules/.cache/tsc: the
 * first run (a fresh clone) checks every file, later runs only what changed
 * and what depends on it, with the same errors reported.
 */
import { spawn } from "node:child_process";

const built = process.argv.includes("--built");
/** Any other argument goes to vitest (`npm test -- test/unit` runs those files after the build and beside the type-check). */
const vitestArgs = process.argv.slice(2).filter((arg) => arg !== "--built" && arg !== "--");
const npmCli = process.env.npm_execpath;

/**
 * Runs `command args`; resolves with its exit code. `quiet`: output held back
 * and printed when it ends. `expectFailure`: a question, whose non-zero exit
 * is an answer ("no"), not a failure.
 */
function step(name, command, args, { quiet, expectFailure = false }) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit", env: process.env });
    const chunks = [];
    if (quiet) {
      child.stdout.on("data", (c) => chunks.push(c));
      child.stderr.on("data", (c) => chunks.push(c));
    }
    const done = (code) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const output = Buffer.concat(chunks).toString("utf8").trimEnd();
      if (output && (quiet || code !== 0)) process.stdout.write(`${output}\n`);
      const verdict = expectFailure ? (code === 0 ? "yes" : "no") : code === 0 ? "ok" : `FAILED (exit ${code})`;
      process.stdout.write(`[test] ${name}: ${verdict} in ${seconds} s\n`);
      resolve(code);
    };
    child.on("error", (error) => {
      chunks.push(Buffer.from(String(error)));
      done(1);
    });
    child.on("close", (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

/** `npm run <script>` through the npm that runs this script, or the one in PATH. */
const npmRun = (script) => (npmCli ? [process.execPath, [npmCli, "run", "--silent", script]] : ["npm", ["run", "--silent", script]]);
const bin = (name) => [process.execPath, [new URL(`../node_modules/${name}`, import.meta.url).pathname]];

const [tscNode, [tscPath]] = bin("typescript/bin/tsc");
const [vitestNode, [vitestPath]] = bin("vitest/vitest.mjs");

const started = performance.now();
/** The build, if dist/ is not current; its exit code (0 when skipped). */
async function build() {
  const current = (await step("build up to date? (scripts/buildStamp.mjs --check)", process.execPath, [new URL("buildStamp.mjs", import.meta.url).pathname, "--check"], { quiet: true, expectFailure: true })) === 0;
  if (current) return 0;
  const [command, args] = npmRun("build");
  return step("build", command, args, { quiet: true });
}
const buildCode = built ? 0 : await build();
if (buildCode !== 0) {
  process.stdout.write(`[test] FAILED in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  process.exit(1);
}
// Incremental: tsc keeps what it learned in node_modules/.cache (outside git, so a fresh clone starts with
// none and checks everything) and next time re-checks only the files that changed and those they affect.
const tsBuildInfo = new URL("../node_modules/.cache/tsc/tsconfig.tsbuildinfo", import.meta.url).pathname;
const codes = await Promise.all([
  step("type-check (tsc --noEmit --incremental)", tscNode, [tscPath, "--noEmit", "--incremental", "--tsBuildInfoFile", tsBuildInfo], { quiet: true }),
  step("vitest run", vitestNode, [vitestPath, "run", ...vitestArgs], { quiet: false }),
]);
const failed = codes.some((code) => code !== 0);
process.stdout.write(`[test] ${failed ? "FAILED" : "all steps passed"} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
process.exit(failed ? 1 : 0);
