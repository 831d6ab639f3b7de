import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { runChild } from "./helpers.js";

// `npm test` builds dist/ first; these load it the way a user's project would,
// through the package's own name and exports map.
const run = (file: string, args: string[]): Promise<string> => runChild(file, args, process.cwd());
const node = async (args: string[]): Promise<string> => (await run(process.execPath, args)).trim();

const cli = JSON.parse(readFileSync("packages/cli/package.json", "utf8"));

/**
 * A child's script: load the SDK (`load`) and make a client; make the
 * process's first call a long-running one (its poller is returned before
 * anything is loaded); then fail a call. Prints what was loaded when
 * (`loaded`), the poller before and after it ended, and the error's class.
 */
const LAZY_PIPELINE = (load: string, loaded: string, restError: string): string =>
  `${load} const loaded = () => ${loaded}; ` +
  "const arm = await startFakeArm({ autoCompleteAfterMs: 0 }); arm.addVm({ resourceGroup: 'rg', name: 'vm', location: 'westus', osType: 'Linux' }); " +
  "const client = new m.VmIdentityClient(arm.credential, arm.subscriptionId, { endpoint: arm.endpoint, updateIntervalInMs: 0 }); const before = loaded(); " +
  "const poller = client.vm('rg', 'vm').identity().enableSystemAssigned().beginApply(); const started = [poller.isDone, poller.operationState]; const done = await poller; const afterLro = loaded(); " +
  "const e = await client.vm('rg', 'missing').getIdentity().catch((x) => x); await arm.close(); " +
  `console.log([before, afterLro].join(" / "), JSON.stringify(started), done.changed, done.identity.type, poller.isDone, e instanceof ${restError}, m.isRestError(e), e.statusCode, e.code);`;
/** In ESM: whether node:https is loaded (the pipeline's HTTP client opens it; nothing else here does, on Node 20, 22 and 24). */
const HTTPS_LOADED = `process.moduleLoadList.includes("NativeModule https") ? "https" : "-"`;
/** In CommonJS: which of the lazily loaded packages are in require's cache. */
const CJS_LOADED = `["core-rest-pipeline", "core-lro"].filter((p) => Object.keys(require.cache).some((k) => k.includes("/@azure/" + p + "/"))).join("+") || "-"`;

/**
 * The child processes the tests below read, all started at once (none
 * depends on another, and each mostly waits for Node to start), each awaited
 * by its test, which fails with the process's error if it failed.
 */
const children = {
  require: () => node(["-e", "const m = require('azure-vm-identity'); const t = require('azure-vm-identity/testing'); console.log(typeof m.VmIdentityClient, typeof m.planIdentityChange, typeof t.startFakeArm)"]),
  import: () => node(["--input-type=module", "-e", "const m = await import('azure-vm-identity'); const t = await import('azure-vm-identity/testing'); console.log(typeof m.VmIdentityClient, typeof m.isRestError, typeof t.startFakeArm)"]),
  sameClass: () => node(["-e", "const { InvalidInputError, VmIdentityClient } = require('azure-vm-identity'); try { new VmIdentityClient({ getToken: async () => null }, 'nope'); } catch (e) { console.log(e instanceof InvalidInputError, e.code); }"]),
  // Importing the SDK and making a client load no HTTP stack (@azure/core-rest-pipeline opens node:https and
  // node:zlib); the first call loads the pipeline the user's own imports get, so its errors are that RestError.
  lazyEsm: () => node(["--input-type=module", "-e", LAZY_PIPELINE("const m = await import('azure-vm-identity'); const { startFakeArm } = await import('azure-vm-identity/testing');", HTTPS_LOADED, "(await import('@azure/core-rest-pipeline')).RestError")]),
  lazyCjs: () => node(["-e", `(async () => { ${LAZY_PIPELINE("const m = require('azure-vm-identity'); const { startFakeArm } = require('azure-vm-identity/testing');", CJS_LOADED, "require('@azure/core-rest-pipeline').RestError")} })()`]),
  packageBin: () => node([`packages/cli/${cli.bin["vm-identity"]}`, "--version"]),
  linkedBin: () => node(["node_modules/.bin/vm-identity", "--version"]),
  demo: () => run("npx", ["--offline", "vm-identity", "demo"]),
};
let started: { [K in keyof typeof children]: Promise<string> };
beforeAll(() => {
  started = Object.fromEntries(
    Object.entries(children).map(([name, start]) => {
      const child = start();
      child.catch(() => {}); // awaited (and so reported) by its test
      return [name, child];
    }),
  ) as typeof started;
});

describe("the built package", () => {
  it("loads with require()", async () => {
    const out = await started.require;
    expect(out).toBe("function function function");
  });

  it("loads with import", async () => {
    const out = await started.import;
    expect(out).toBe("function function function");
  });

  it("loads @azure/core-rest-pipeline and @azure/core-lro at the first call, not on import; a first begin* returns its poller at once; the RestError is the one the user imports (ESM and CommonJS)", async () => {
    // Before: the emulator (node:http) and the client are up, and neither package is loaded.
    const rest = "[false,null] true SystemAssigned true true true 404 ResourceNotFound";
    expect(await started.lazyEsm).toBe(`- / https ${rest}`);
    expect(await started.lazyCjs).toBe(`- / core-rest-pipeline+core-lro ${rest}`);
  });

  it("exposes the same class to both module systems' consumers of one install", async () => {
    const out = await started.sameClass;
    expect(out).toBe("true InvalidSubscriptionId");
  });

  it("declares types for every entry and module system", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    for (const entry of [".", "./testing"]) {
      expect(pkg.exports[entry].import.types).toMatch(/\.d\.ts$/);
      expect(pkg.exports[entry].require.types).toMatch(/\.d\.cts$/);
      for (const file of [pkg.exports[entry].import.types, pkg.exports[entry].require.types, pkg.exports[entry].import.default, pkg.exports[entry].require.default]) {
        expect(() => readFileSync(file)).not.toThrow();
      }
    }
    expect(pkg.sideEffects).toBe(false);
  });

  it("runs the command from its own package's bin, which the workspace links", async () => {
    expect(cli.name).toBe("vm-identity");
    expect(await started.packageBin).toBe(cli.version);
    expect(await started.linkedBin).toBe(cli.version);
  });

  it("starts the walkthrough with `npx vm-identity demo` from the repository root, as the README says", async () => {
    const out = await started.demo;
    expect(out).toMatch(/^Step 1 of (\d+): [\s\S]*^Step \1 of \1: /m);
    expect(out).toMatch(/^Done: \d+ steps, \d+ ARM writes/m);
  });

  it("keeps the command's dependencies out of the library's", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    expect(pkg.bin).toBeUndefined();
    for (const name of Object.keys(pkg.dependencies)) expect(name).toMatch(/^@azure\/(core-|logger|abort-controller)/);
  });

  it("bundles no dependency into the command: the library and @azure/logger are the user's own copies", () => {
    const bundle = readFileSync("packages/cli/dist/main.js", "utf8");
    expect(bundle).not.toMatch(/node_modules\//);
    expect(bundle).toMatch(/from "azure-vm-identity"/);
  });
});
