/**
 * The two tarballs as npm would publish them, packed once from the build that
 * `npm test` has just made: what they hold, what publint and arethetypeswrong
 * find in them, and what a user gets from installing them into a new project,
 * as `npm install ./azure-vm-identity-*.tgz ./vm-identity-*.tgz` does it,
 * without the network (npm's cache, and a lockfile pinned to this
 * repository's versions: see freshProject.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedProject } from "./freshProject.js";
import { CLI_DIR, type Manifest, type Packed, ROOT, npm, pack, readManifest, runChild } from "./helpers.js";

/** The one URL scheme both package.json files and the README use for the repository. */
const REPOSITORY = "https://github.com/azure-vm-identity/azure-vm-identity";
/** The Node.js versions `.ci/run` tests, as `engines` states them. */
const ENGINES = "^20.19.0 || ^22.12.0 || ^24.0.0";

const sdk = readManifest(ROOT);
const cli = readManifest(CLI_DIR);
/** The new project: the tarballs are packed into it, then installed there. */
let project: string;
let sdkPack: Packed;
let cliPack: Packed;

/** arethetypeswrong's verdict on a tarball: its exit status and its JSON report (or what it printed instead). */
interface AttwRun {
  status: number;
  output: string;
}
const attwBin = join(dirname(createRequire(import.meta.url).resolve("@arethetypeswrong/cli/package.json")), "dist", "index.js");
async function attw(tarball: string): Promise<AttwRun> {
  try {
    return { status: 0, output: await runChild(process.execPath, [attwBin, tarball, "--profile", "strict", "--format", "json"], ROOT) };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    return { status: typeof failed.code === "number" ? failed.code : 1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** The tarballs installed into the project, as a user would (see the last describe). */
async function install(): Promise<void> {
  const registry = (await npm(["config", "get", "registry"], ROOT)).trim();
  seedProject(
    project,
    [
      { dir: ROOT, file: sdkPack.tarball },
      { dir: CLI_DIR, file: cliPack.tarball },
    ],
    registry,
  );
  await npm(["install", "--offline", "--no-audit", "--no-fund", `./${basename(sdkPack.tarball)}`, `./${basename(cliPack.tarball)}`], project);
}

/**
 * The slow child processes (arethetypeswrong on each tarball, the install,
 * then what runs in the installed project) do not depend on one another, so
 * each starts as soon as what it reads exists, and the test that checks it
 * awaits it: a failure is reported by that test.
 */
const started: Promise<unknown>[] = [];
function start<T>(child: Promise<T>): Promise<T> {
  started.push(child.catch(() => {}));
  return child;
}
let attwSdk: Promise<AttwRun>;
let attwCli: Promise<AttwRun>;
let installed: Promise<void>;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "vm-identity-user-"));
  [sdkPack, cliPack] = await Promise.all([pack(ROOT, project), pack(CLI_DIR, project)]);
  attwSdk = start(attw(sdkPack.tarball));
  attwCli = start(attw(cliPack.tarball));
  installed = start(install());
}, 60_000);

afterAll(async () => {
  await Promise.all(started);
  if (project) rmSync(project, { recursive: true, force: true });
}, 120_000);

const paths = (p: Packed): string[] => p.files.map((f) => f.path).sort();

/** Every file an exports map, main, types or bin names. */
function entryFiles(manifest: Manifest): string[] {
  const found: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === "string") found.push(value.replace(/^\.\//, ""));
    else if (value && typeof value === "object") Object.values(value).forEach(collect);
  };
  collect([manifest.main, manifest.types, manifest.exports, manifest.bin]);
  return found;
}

describe("what the tarballs hold", () => {
  it("the SDK: its build without source maps, its docs, README, CHANGELOG, LICENSE", () => {
    const files = paths(sdkPack);
    for (const file of files) expect(file).toMatch(/^(dist\/.+\.(js|cjs|d\.ts|d\.cts)|docs\/[\w-]+\.md|README\.md|CHANGELOG\.md|LICENSE|package\.json)$/);
    for (const file of ["README.md", "CHANGELOG.md", "LICENSE", "package.json"]) expect(files).toContain(file);
    for (const file of entryFiles(sdk)) expect(files).toContain(file);
  });

  it("the command: its bin, README and LICENSE", () => {
    const files = paths(cliPack);
    for (const file of files) expect(file).toMatch(/^(dist\/[\w-]+\.js|README\.md|LICENSE|package\.json)$/);
    for (const file of ["README.md", "LICENSE", "package.json", ...entryFiles(cli)]) expect(files).toContain(file);
    const binPath = (cli.bin?.["vm-identity"] ?? "").replace(/^\.\//, "");
    const bin = cliPack.files.find((f) => f.path === binPath);
    expect(bin?.mode.toString(8)).toBe("755");
    expect(readFileSync(join(CLI_DIR, binPath), "utf8")).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(readFileSync(join(CLI_DIR, "LICENSE"), "utf8")).toBe(readFileSync(join(ROOT, "LICENSE"), "utf8"));
  });

  it("no source map, source, test or benchmark in either", () => {
    for (const file of [...paths(sdkPack), ...paths(cliPack)]) {
      expect(file).not.toMatch(/\.map$/);
      expect(file).not.toMatch(/^(src|test|bench|review|packages)\//);
      if (!/\.d\.c?ts$/.test(file)) expect(file).not.toMatch(/\.[cm]?tsx?$/);
    }
    for (const file of ["dist/index.js", "dist/index.cjs", "dist/testing/index.js", "dist/testing/index.cjs"]) {
      expect(readFileSync(join(ROOT, file), "utf8")).not.toMatch(/sourceMappingURL/);
    }
  });

  it("every docs/ page the README names is in the SDK's tarball, so the README's references hold in node_modules", () => {
    const named = [...new Set(readFileSync(join(ROOT, "README.md"), "utf8").match(/docs\/[\w-]+\.md/g) ?? [])];
    expect(named.length).toBeGreaterThan(0);
    for (const doc of named) expect(paths(sdkPack)).toContain(doc);
  });

  it("the command's README links to the repository by absolute URL (its tarball has no docs/)", () => {
    const readme = readFileSync(join(CLI_DIR, "README.md"), "utf8");
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1] ?? "");
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link, link).toMatch(new RegExp(`^(${REPOSITORY.replace(/[.]/g, "\\.")}[/#]|#)`));
  });
});

describe("package.json metadata", () => {
  it("repository, homepage and bugs: one URL scheme in both packages and the README", () => {
    for (const manifest of [sdk, cli]) {
      expect(manifest.repository).toMatchObject({ type: "git", url: `git+${REPOSITORY}.git` });
      expect(manifest.bugs).toEqual({ url: `${REPOSITORY}/issues` });
    }
    expect(sdk.homepage).toBe(`${REPOSITORY}#readme`);
    expect(cli.repository?.directory).toBe("packages/cli");
    expect(cli.homepage).toBe(`${REPOSITORY}/tree/main/packages/cli#readme`);
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain(REPOSITORY);
  });

  it("engines: the Node.js majors CI runs the suite on, the same in both packages", () => {
    expect(sdk.engines).toEqual({ node: ENGINES });
    expect(cli.engines).toEqual({ node: ENGINES });
    const run = readFileSync(join(ROOT, ".ci", "run"), "utf8");
    const extra = /^majors=\(([\d ]+)\)$/m.exec(run)?.[1]?.split(" ");
    const stated = ENGINES.split("||").map((range) => /\^(\d+)\./.exec(range)?.[1]);
    // Node 20 is the machine's own; .ci/run installs the others.
    expect(stated).toEqual(["20", ...(extra ?? [])]);
  });
});

describe("publint", () => {
  for (const which of ["azure-vm-identity", "vm-identity"] as const) {
    it(`finds nothing in ${which}'s tarball, suggestions included`, async () => {
      const packed = which === "vm-identity" ? cliPack : sdkPack;
      const data = readFileSync(packed.tarball);
      const { messages, pkg } = await publint({ pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer }, strict: true, level: "suggestion" });
      expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false })}`)).toEqual([]);
    });
  }
});

describe("arethetypeswrong (profile strict: node10, node16 from CJS and ESM, bundler)", () => {
  interface Resolution {
    resolution?: { fileName: string; isTypeScript: boolean };
  }
  interface AttwReport {
    analysis: { types: unknown; entrypoints?: Record<string, { resolutions: Record<string, Resolution> }> };
    problems?: unknown;
  }

  it("the SDK: no problem, and every entry resolves to the right flavour of types in every mode", async () => {
    const { status, output } = await attwSdk;
    expect(status, output).toBe(0);
    const report = JSON.parse(output) as AttwReport;
    expect(report.problems ?? {}).toEqual({});
    const expected: Record<string, Record<string, RegExp>> = {
      ".": { node10: /\/dist\/index\.d\.ts$/, "node16-cjs": /\/dist\/index\.d\.cts$/, "node16-esm": /\/dist\/index\.d\.ts$/, bundler: /\/dist\/index\.d\.ts$/ },
      "./testing": { node10: /\/dist\/testing\/index\.d\.ts$/, "node16-cjs": /\/dist\/testing\/index\.d\.cts$/, "node16-esm": /\/dist\/testing\/index\.d\.ts$/, bundler: /\/dist\/testing\/index\.d\.ts$/ },
    };
    for (const [entry, modes] of Object.entries(expected)) {
      const resolutions = report.analysis.entrypoints?.[entry]?.resolutions ?? {};
      for (const [mode, file] of Object.entries(modes)) {
        expect(resolutions[mode]?.resolution?.isTypeScript, `${entry} under ${mode}`).toBe(true);
        expect(resolutions[mode]?.resolution?.fileName, `${entry} under ${mode}`).toMatch(file);
      }
    }
    // Every subpath the exports map offers was analysed (package.json aside).
    expect(Object.keys(report.analysis.entrypoints ?? {}).sort()).toEqual(Object.keys(sdk.exports ?? {}).sort());
  });

  it("the SDK's declarations import only the SDK's dependencies and Node's own modules, which a user has", () => {
    const allowed = new Set([...Object.keys(sdk.dependencies ?? {}), ...builtinModules]);
    const declarations = paths(sdkPack).filter((f) => /\.d\.c?ts$/.test(f));
    expect(declarations.length).toBeGreaterThanOrEqual(4);
    for (const file of declarations) {
      const text = readFileSync(join(ROOT, file), "utf8");
      const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|reference types=)["']([^"']+)["']/g)].map((m) => m[1] ?? "");
      for (const specifier of specifiers.filter((s) => !s.startsWith("."))) {
        const pkg = specifier.replace(/^node:/, "").split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
        expect(allowed.has(pkg), `${file} imports ${specifier}, which is not a dependency of ${sdk.name}`).toBe(true);
      }
    }
  });

  it("the command: nothing to import and so no types to check; its one entry is the bin", async () => {
    const { status, output } = await attwCli;
    expect(status, output).toBe(0);
    expect((JSON.parse(output) as AttwReport).analysis.types).toBe(false);
    expect(cli.main ?? cli.exports ?? cli.types).toBeUndefined();
    expect(Object.keys(cli.bin ?? {})).toEqual(["vm-identity"]);
  });
});

const run = async (file: string, args: string[]): Promise<string> => (await runChild(file, args, project, { ...process.env, npm_config_update_notifier: "false" })).trim();

/**
 * The packages an install of `name` brings, found as Node finds them: each
 * dependency in the nearest node_modules folder up from its dependent.
 */
function dependencyTree(name: string): Set<string> {
  const found = new Set<string>();
  const locate = (dependency: string, from: string): string | undefined => {
    for (let dir = from; dir.startsWith(project); dir = dirname(dir)) {
      const candidate = join(dir, "node_modules", dependency);
      if (existsSync(join(candidate, "package.json"))) return candidate;
    }
    return undefined;
  };
  const visit = (dir: string): void => {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
    for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies })) {
      const at = locate(dependency, dir);
      if (!at || found.has(at)) continue;
      found.add(at);
      visit(at);
    }
  };
  visit(join(project, "node_modules", name));
  return new Set([...found].map((dir) => readManifest(dir).name));
}

/**
 * Writes a user's code into the installed project (an ES module, a CommonJS
 * module, a file for bundler resolution) and starts tsc on it, under node16
 * and under bundler resolution: each resolves with tsc's output, "" when clean.
 */
function typeCheckUserCode(): Promise<string>[] {
  const use = [
    "const arm = await startFakeArm();",
    "const client = new VmIdentityClient(arm.credential, arm.subscriptionId, { endpoint: arm.endpoint });",
    "const identity: VmIdentity = await client.vm(\"rg\", \"vm1\").getIdentity();",
    "console.log(identity.type, planIdentityChange(identity, [{ op: \"enableSystemAssigned\" }]).patch);",
    "await arm.close();",
  ].join("\n");
  writeFileSync(join(project, "esm.mts"), `import { VmIdentityClient, planIdentityChange, type VmIdentity } from "azure-vm-identity";\nimport { startFakeArm } from "azure-vm-identity/testing";\n${use}\n`);
  writeFileSync(join(project, "bundler.ts"), `import { VmIdentityClient, planIdentityChange, type VmIdentity } from "azure-vm-identity";\nimport { startFakeArm } from "azure-vm-identity/testing";\n${use}\nexport {};\n`);
  writeFileSync(
    join(project, "cjs.cts"),
    'import sdk = require("azure-vm-identity");\nimport testing = require("azure-vm-identity/testing");\nconst identity: sdk.VmIdentity = { type: "None", userAssigned: [] };\nconst client: sdk.VmIdentityClient | undefined = undefined;\nvoid client;\nvoid testing.startFakeArm;\nconsole.log(sdk.planIdentityChange(identity, [{ op: "removeAll" }]).desired.type);\n',
  );
  const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
  // Node's types come from this repository; everything else from the project's node_modules. Declaration
  // files are not checked here (that doubles the time, mostly on @types/node); the arethetypeswrong group checks what ours import.
  const common = ["--noEmit", "--strict", "--skipLibCheck", "--target", "es2022", "--types", "node", "--typeRoots", join(ROOT, "node_modules", "@types")];
  const check = (args: string[]): Promise<string> =>
    start(
      run(process.execPath, [tsc, ...common, ...args]).catch((error: Error) => {
        throw new Error(`tsc ${args.join(" ")}\n${error.message}`);
      }),
    );
  return [check(["--module", "node16", "--moduleResolution", "node16", "esm.mts", "cjs.cts"]), check(["--module", "esnext", "--moduleResolution", "bundler", "bundler.ts"])];
}

describe("the packed SDK and command, installed in a new project without the network", () => {
  /** What the tests below check, run in the installed project all at once. */
  let npxVersion: Promise<string>;
  let loadedWithRequire: Promise<string>;
  let loadedWithImport: Promise<string>;
  let typeChecks: Promise<string>[];

  beforeAll(async () => {
    await installed;
    npxVersion = start(run("npx", ["--offline", "vm-identity", "--version"]));
    loadedWithRequire = start(run(process.execPath, ["-e", "const m = require('azure-vm-identity'); const t = require('azure-vm-identity/testing'); console.log(typeof m.VmIdentityClient, typeof t.startFakeArm)"]));
    loadedWithImport = start(run(process.execPath, ["--input-type=module", "-e", "const m = await import('azure-vm-identity'); const t = await import('azure-vm-identity/testing'); console.log(typeof m.VmIdentityClient, typeof t.startFakeArm)"]));
    typeChecks = typeCheckUserCode();
  }, 120_000);

  it("runs `npx vm-identity --version` offline", async () => {
    expect(await npxVersion).toBe(cli.version);
  });

  it("loads both SDK entries with require() and with import", async () => {
    expect(await loadedWithRequire).toBe("function function");
    expect(await loadedWithImport).toBe("function function");
  });

  it("type-checks a user's code under node16 (ESM and CommonJS files) and bundler resolution", async () => {
    for (const check of typeChecks) expect(await check).toBe("");
  });

  it("the SDK brings only its own dependencies; the command's come with the command", () => {
    const withSdk = dependencyTree(sdk.name);
    const withCli = dependencyTree(cli.name);
    const commandOnly = ["@azure/identity", "@azure/msal-node", "commander", "cli-progress"];
    for (const name of commandOnly) {
      expect(withSdk.has(name), `${name} must not come with the SDK`).toBe(false);
      expect(withCli.has(name), `${name} comes with the command`).toBe(true);
    }
    for (const name of Object.keys(sdk.dependencies ?? {})) {
      expect(name).toMatch(/^@azure\/(core-[a-z-]+|logger|abort-controller)$/);
      expect(withSdk.has(name)).toBe(true);
    }
    // Everything else the SDK brings is what those packages need.
    expect([...withSdk].filter((name) => name.startsWith("@azure/")).every((name) => /^@azure\/(core-[a-z-]+|logger|abort-controller)$/.test(name))).toBe(true);
    expect(withCli.has(sdk.name)).toBe(true);
    // One copy of the SDK: the command uses the project's, not one of its own.
    expect(existsSync(join(project, "node_modules", cli.name, "node_modules", sdk.name))).toBe(false);
  });
});
