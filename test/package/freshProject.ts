/**
 * A new, empty npm project that installs the packed tarballs from npm's cache
 * alone. npm cannot resolve a version range offline (the cache holds package
 * tarballs, not the registry's version lists), so the project gets a
 * lockfile first: the part of this repository's package-lock.json that the
 * two packages' own dependencies reach, which `npm ci` has just put in the
 * cache. The install is then exactly what a user's would be for those
 * versions, without the network. Each entry names its tarball's registry URL
 * (this repository's lockfile leaves it out), so that npm takes the tarball
 * from the cache instead of asking the registry where it is.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { ROOT, readManifest } from "./helpers.js";

/** One entry of a v3 lockfile's `packages` map. */
interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  license?: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [field: string]: unknown;
}

/** A packed workspace package: its folder in this repository and the tarball's path. */
export interface Tarball {
  dir: string;
  file: string;
}

/** The folder whose node_modules a lockfile location's dependencies are looked up in first, then its parents'. */
const parentOf = (location: string): string | undefined => {
  if (location === "") return undefined;
  const nested = location.lastIndexOf("/node_modules/");
  return nested >= 0 ? location.slice(0, nested) : "";
};

/** Where the registry serves a package's tarball: `<registry>/<name>/-/<name without scope>-<version>.tgz`. */
const tarballUrl = (registry: string, location: string, version: string): string => {
  const name = location.slice(location.lastIndexOf("node_modules/") + "node_modules/".length);
  return `${registry.replace(/\/?$/, "/")}${name}/-/${name.split("/").pop()}-${version}.tgz`;
};

/**
 * Writes package.json (empty) and package-lock.json into `dir` for a project
 * that will install `tarballs` (copied into `dir` beforehand), with the
 * registry dependencies pinned as this repository's lockfile pins them;
 * `registry` is npm's configured registry URL.
 */
export function seedProject(dir: string, tarballs: Tarball[], registry: string): void {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const repo = lock.packages;
  const manifests = tarballs.map((t) => ({ ...t, manifest: readManifest(t.dir) }));
  const names = new Set(manifests.map((t) => t.manifest.name));
  // Where each workspace package sits in the repository: "" for the root, "packages/cli" for the command.
  const origin = (name: string): string => {
    const link = repo[`node_modules/${name}`];
    if (!link?.link || link.resolved === undefined) throw new Error(`${name} is not a workspace package of this repository`);
    return link.resolved;
  };
  // Moves a location under a workspace folder to the same place under node_modules/<name>.
  const relocate = (location: string): string => {
    for (const name of names) {
      const from = origin(name);
      if (from !== "" && location.startsWith(`${from}/`)) return `node_modules/${name}/${location.slice(from.length + 1)}`;
    }
    return location;
  };
  const resolve = (from: string, dependency: string): string | undefined => {
    for (let at: string | undefined = from; at !== undefined; at = parentOf(at)) {
      const candidate = `${at === "" ? "" : `${at}/`}node_modules/${dependency}`;
      if (repo[candidate]) return candidate;
    }
    return undefined;
  };

  const packages: Record<string, LockEntry> = {};
  const visit = (from: string, entry: LockEntry): void => {
    const required = { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies };
    for (const dependency of Object.keys(required)) {
      if (names.has(dependency)) continue;
      const location = resolve(from, dependency);
      if (location === undefined) {
        if (entry.dependencies?.[dependency]) throw new Error(`package-lock.json has no ${dependency} for ${from || "the root"}`);
        continue; // an optional or peer dependency that is not installed
      }
      const target = relocate(location);
      if (packages[target]) continue;
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = repo[location] as LockEntry;
      packages[target] = { ...kept, resolved: kept.resolved ?? tarballUrl(registry, location, kept.version ?? "") };
      visit(location, kept);
    }
  };

  const dependencies: Record<string, string> = {};
  for (const { file, manifest } of manifests) {
    const spec = `file:${basename(file)}`;
    dependencies[manifest.name] = spec;
    // The packed package.json, not the lockfile's copy of it: the tarball is what gets installed.
    packages[`node_modules/${manifest.name}`] = {
      version: manifest.version,
      resolved: spec,
      integrity: `sha512-${createHash("sha512").update(readFileSync(file)).digest("base64")}`,
      dependencies: manifest.dependencies,
      ...(manifest.bin ? { bin: manifest.bin } : {}),
      ...(manifest.engines ? { engines: manifest.engines } : {}),
    };
    visit(origin(manifest.name), { dependencies: manifest.dependencies });
  }

  const name = basename(dir).toLowerCase().replace(/[^a-z0-9-]/g, "-");
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name, private: true }, null, 2)}\n`);
  writeFileSync(join(dir, "package-lock.json"), `${JSON.stringify({ name, lockfileVersion: 3, requires: true, packages: { "": { name, dependencies }, ...packages } }, null, 2)}\n`);
}
