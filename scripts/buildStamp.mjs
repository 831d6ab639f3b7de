#!/usr/bin/env node
/**
 * What the last build was made from and what it wrote, so that `npm test`
 * can skip a build that would write the same files again.
 *
 *   node scripts/buildStamp.mjs --begin  notes the inputs (the first step of
 *                                        `npm run build`), so that a source
 *                                        changed during the build counts as new
 *   node scripts/buildStamp.mjs          records the build just made from them
 *                                        (the last step of `npm run build`)
 *   node scripts/buildStamp.mjs --check  exits 0 if the build in dist/ is
 *                                        current, 1 if it must be made
 *
 * The stamp, in node_modules/.cache (outside git: a fresh clone has none
 * until `npm ci` builds), holds one hash of every input of the build (the
 * sources of both packages, their package.json and tsup configs,
 * tsconfig.json and package-lock.json, which pins the build tools) and one
 * of every file the build wrote (dist/ of both packages). The build is
 * current only if both match: a changed source, a changed tool version, or a
 * file in dist/ changed or removed by anything else (`npm run api` runs tsup
 * alone) means a new build.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const STAMP = join(ROOT, "node_modules", ".cache", "build", "stamp.json");
const BEGUN = join(ROOT, "node_modules", ".cache", "build", "inputs.json");
const INPUTS = ["src", "packages/cli/src", "package.json", "packages/cli/package.json", "tsup.config.ts", "packages/cli/tsup.config.ts", "tsconfig.json", "package-lock.json"];
const OUTPUTS = ["dist", "packages/cli/dist"];

/** Every file at or under each path (relative to the root), sorted; a missing path is named as missing. */
function files(paths) {
  const found = [];
  const visit = (path) => {
    const full = join(ROOT, path);
    if (!existsSync(full)) return found.push(`${path} (missing)`);
    if (statSync(full).isDirectory()) for (const name of readdirSync(full)) visit(join(path, name));
    else found.push(path);
  };
  paths.forEach(visit);
  return found.sort();
}

/** One hash of the names and contents of the files at or under `paths`. */
function hashOf(paths) {
  const hash = createHash("sha256");
  for (const file of files(paths)) {
    hash.update(`${relative(ROOT, join(ROOT, file))}\0`);
    if (!file.endsWith(" (missing)")) hash.update(readFileSync(join(ROOT, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

if (process.argv.includes("--check")) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, "utf8"));
  } catch {
    process.exit(1);
  }
  process.exit(stamp.inputs === hashOf(INPUTS) && stamp.outputs === hashOf(OUTPUTS) ? 0 : 1);
} else if (process.argv.includes("--begin")) {
  mkdirSync(dirname(BEGUN), { recursive: true });
  rmSync(STAMP, { force: true });
  writeFileSync(BEGUN, `${JSON.stringify({ inputs: hashOf(INPUTS) })}\n`);
} else {
  const { inputs } = JSON.parse(readFileSync(BEGUN, "utf8"));
  writeFileSync(STAMP, `${JSON.stringify({ inputs, outputs: hashOf(OUTPUTS) }, null, 2)}\n`);
  rmSync(BEGUN);
}
