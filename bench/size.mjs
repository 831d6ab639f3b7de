// Size: (1) the bundle of a minimal "enable the system identity" script
// (esbuild: bundle, platform node, ESM, minify) and its gzip; (2) the installed
// size: the package plus the closure of its runtime dependencies, resolved from
// package-lock.json as npm lays them out, in apparent bytes of every file.
import { existsSync, lstatSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const fixture = (name) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

async function bundle(entry) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  return { bytes: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

function bytesUnder(path) {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const entry of readdirSync(path)) {
    // Nested node_modules are other packages: counted when they are in the closure.
    if (entry === "node_modules") continue;
    total += bytesUnder(join(path, entry));
  }
  return total;
}

/**
 * Lock-file keys of `names` and of everything they depend on, each resolved as
 * node does from the package that needs it (its own node_modules, then up).
 * Optional dependencies count only when installed.
 */
function closure(lock, names, from = "", seen = new Set()) {
  for (const name of names) {
    let key;
    for (let base = from; ; ) {
      const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
      if (lock.packages[candidate]) {
        key = candidate;
        break;
      }
      if (!base) break;
      const at = base.lastIndexOf("/node_modules/");
      base = at < 0 ? "" : base.slice(0, at);
    }
    if (!key) throw new Error(`${name} (needed by ${from || "the root"}) is not in package-lock.json`);
    if (seen.has(key) || !existsSync(join(ROOT, key))) continue;
    seen.add(key);
    const pkg = lock.packages[key];
    closure(lock, [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})], key, seen);
  }
  return seen;
}

function installedBytes(keys) {
  let bytes = 0;
  for (const key of keys) bytes += bytesUnder(join(ROOT, key));
  return bytes;
}

export async function run() {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
  // Ours as npm would install it: package.json plus its "files".
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const ownBytes = ["package.json", ...manifest.files].reduce((sum, f) => sum + bytesUnder(join(ROOT, f)), 0);
  const ours = closure(lock, Object.keys(lock.packages[""].dependencies ?? {}));
  const peer = closure(lock, ["@azure/arm-compute"]);
  // Context, not compared: what a peer user installs to authenticate (its README
  // has them add @azure/identity). The command line tool's dependencies are its
  // own package's (packages/cli), so they are in neither closure.
  const peerWithIdentity = closure(lock, ["@azure/arm-compute", "@azure/identity"]);
  return {
    bundle: { ours: await bundle(fixture("enable-ours.mjs")), peer: await bundle(fixture("enable-peer.mjs")) },
    installed: {
      ours: { bytes: ownBytes + installedBytes(ours), packages: 1 + ours.size },
      peer: { bytes: installedBytes(peer), packages: peer.size },
      peerWithIdentity: { bytes: installedBytes(peerWithIdentity), packages: peerWithIdentity.size },
    },
  };
}
