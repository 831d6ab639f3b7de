/** Shared by the packaging tests: the repository's two packages and npm, run as a child process. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** The repository root, which is also the SDK package's folder. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The command's package folder. */
export const CLI_DIR = join(ROOT, "packages", "cli");

/** The fields of a package.json these tests read. */
export interface Manifest {
  name: string;
  version: string;
  main?: string;
  types?: string;
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  files?: string[];
  engines?: { node?: string };
  repository?: { type: string; url: string; directory?: string };
  homepage?: string;
  bugs?: { url: string };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** Reads the package.json in `dir`. */
export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
}

/**
 * Runs `file` in `cwd` with no input and resolves with its standard output
 * (trimmed only if `trim`); rejects with its output when it exits non-zero.
 * Asynchronous, so that independent child processes can run at once.
 */
export async function runChild(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const child = promisify(execFile)(file, args, { cwd, encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 });
  child.child.stdin?.end();
  try {
    return (await child).stdout;
  } catch (error) {
    const failed = error as Error & { stdout?: string; stderr?: string };
    failed.message = `${failed.message}\n${failed.stdout ?? ""}${failed.stderr ?? ""}`;
    throw failed;
  }
}

/** Runs npm in `cwd` and resolves with its standard output; rejects with npm's output when it exits non-zero. */
export function npm(args: string[], cwd: string): Promise<string> {
  return runChild("npm", args, cwd, { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" });
}

/** One file of a packed tarball, as `npm pack --json` lists it. */
export interface PackedFile {
  path: string;
  size: number;
  mode: number;
}

/** What `npm pack --json` reports for one package. */
export interface Packed {
  name: string;
  version: string;
  /** Absolute path of the written tarball. */
  tarball: string;
  /** Compressed size in bytes. */
  size: number;
  unpackedSize: number;
  files: PackedFile[];
}

/**
 * Packs the package in `dir` into `destination` exactly as `npm publish`
 * would, from the existing build: lifecycle scripts are skipped, so packing
 * never rebuilds (or cleans) dist/ under tests that are reading it.
 */
export async function pack(dir: string, destination: string): Promise<Packed> {
  const out = await npm(["pack", "--json", "--ignore-scripts", "--pack-destination", destination], dir);
  const [report] = JSON.parse(out) as (Omit<Packed, "tarball"> & { filename: string })[];
  if (!report) throw new Error(`npm pack in ${dir} reported nothing`);
  return { ...report, tarball: join(destination, report.filename) };
}
