/** `run(argv, io)` in-process: parsing, usage errors and their exit codes, and the runtime's cleanup. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AzureLogger, getLogLevel } from "@azure/logger";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SDK_VERSION } from "azure-vm-identity";
import { ExitCode, run } from "../src/program.js";
import { CHINA, type Fixture, RG, memoryIo, profileDir, profileJson, runInProcess, startFixture, vmId, writesOf } from "./helpers.js";

const SUB = "11111111-1111-4111-8111-111111111111";
// A loopback port nothing listens on: a test that reached the network would fail with 1, not 2.
const OFFLINE = ["--subscription", SUB, "--endpoint", "http://127.0.0.1:9", "--access-token", "offline-token-value"];

function expectUsage(result: { code: number; stdout: string; stderr: string }, message: RegExp, usage: string): void {
  expect(result.code).toBe(ExitCode.Usage);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).toContain(`Usage: ${usage}`);
  expect(result.stdout).toBe("");
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe("help and version", () => {
  it("prints help on --help with exit 0", async () => {
    const r = await runInProcess(["--help"]);
    expect(r.code).toBe(0);
    for (const name of ["show", "assign", "remove", "extension", "identity", "create", "emulator", "demo"]) {
      expect(r.stdout).toMatch(new RegExp(`\\n  ${name}\\b`));
    }
  });

  it("prints a subcommand's help with its global options", async () => {
    const r = await runInProcess(["extension", "install", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: vm-identity extension install|set (-g RG [--vm-name VM] | --ids ID... |");
    expect(r.stdout).toContain("--dry-run");
    expect(r.stdout).toContain("--access-token <token>");
  });

  it("prints the version", async () => {
    const r = await runInProcess(["--version"]);
    expect(r).toMatchObject({ code: 0, stdout: `${SDK_VERSION}\n` });
  });

  it("exits 2 with the help when no command is given", async () => {
    const r = await runInProcess([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Usage: vm-identity <command> [options]");
  });
});

describe("usage errors exit 2 with the usage line, before any request", () => {
  it("unknown command, with a suggestion", async () => {
    expectUsage(await runInProcess(["shwo"]), /unknown command 'shwo'[\s\S]*Did you mean show\?/, "vm-identity <command>");
  });

  it("unknown option", async () => {
    expectUsage(await runInProcess(["show", "--frob", ...OFFLINE]), /unknown option '--frob'/, "vm-identity show");
  });

  it("excess arguments", async () => {
    expectUsage(await runInProcess(["show", "myvm", ...OFFLINE]), /too many arguments/, "vm-identity show");
  });

  it("missing target", async () => {
    expectUsage(await runInProcess(["show", ...OFFLINE]), /No VM given: pass -g\/--resource-group/, "vm-identity show (-g RG [-n VM] | --ids ID... | --ids-file FILE |");
  });

  it("half a target", async () => {
    expectUsage(await runInProcess(["create", "-g", "rg", "--definition", "vm.json", ...OFFLINE]), /Missing the VM name/, "vm-identity create");
    expectUsage(await runInProcess(["assign", "-n", "vm", "--system", ...OFFLINE]), /Missing the resource group/, "vm-identity assign");
  });

  it("both -g/-n and --ids", async () => {
    const id = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm`;
    expectUsage(await runInProcess(["show", "-g", "rg", "-n", "vm", "--ids", id, ...OFFLINE]), /not both/, "vm-identity show");
  });

  it("no subscription anywhere", async () => {
    expectUsage(
      await runInProcess(["show", "-g", "rg", "-n", "vm", "--access-token", "tok-12345678"]),
      /No subscription: pass --subscription <name or id>, set AZURE_SUBSCRIPTION_ID, or sign in with "az login" \(there is no .*azureProfile.json/,
      "vm-identity show",
    );
  });

  it("a bad VM name (InvalidInputError)", async () => {
    expectUsage(await runInProcess(["show", "-g", "rg", "-n", "bad name!", ...OFFLINE]), /Invalid virtual machine name "bad name!".*\[InvalidVmName\]/, "vm-identity show");
  });

  it("a subscription that is neither an id nor a name the Azure CLI knows", async () => {
    const r = await runInProcess(["show", "-g", "rg", "-n", "vm", "--subscription", "not-a-guid", "--access-token", "tok-12345678"]);
    expectUsage(r, /Unknown subscription --subscription "not-a-guid": it is not a subscription id/, "vm-identity show");
  });

  it("plain http to a non-loopback endpoint", async () => {
    const r = await runInProcess(["show", "-g", "rg", "-n", "vm", "--subscription", SUB, "--endpoint", "http://example.com", "--access-token", "tok-12345678"]);
    expectUsage(r, /\[InvalidEndpoint\]/, "vm-identity show");
  });

  it("the AZURE_SUBSCRIPTION_ID default is checked too", async () => {
    const r = await runInProcess(["show", "-g", "rg", "-n", "vm", "--access-token", "tok-12345678"], { AZURE_SUBSCRIPTION_ID: "nope" });
    expectUsage(r, /Unknown subscription AZURE_SUBSCRIPTION_ID "nope"/, "vm-identity show");
  });

  it.each([
    [["--identities", "/subscriptions/x/resourceGroups/rg"], /Invalid --identities value "\/subscriptions\/x\/resourceGroups\/rg": .*\[InvalidUserAssignedIdentityId\]/],
    [["--user-assigned", "not an id"], /Invalid --identities value "not an id": not a valid identity name/],
    [["--identities", "app", "--identity-resource-group", "a/b"], /Invalid --identity-resource-group "a\/b"/],
  ])("assign %j", async (extra, message) => {
    expectUsage(await runInProcess(["assign", "-g", "rg", "-n", "vm", ...extra, ...OFFLINE]), message, "vm-identity assign");
  });

  it("remove --all with --system", async () => {
    expectUsage(await runInProcess(["remove", "-g", "rg", "-n", "vm", "--all", "--system", ...OFFLINE]), /'--all' cannot be used with option '--system'/, "vm-identity remove");
  });

  it("remove --all with --identities", async () => {
    expectUsage(await runInProcess(["remove", "-g", "rg", "-n", "vm", "--all", "--identities", "x", ...OFFLINE]), /'--all' cannot be used with option '--identities/, "vm-identity remove");
  });

  it.each([
    [["--port", "70000"], /option '--port <port>' argument '70000' is invalid/],
    [["--port", "abc"], /argument 'abc' is invalid/],
    [["--os", "Mac"], /expected Windows or Linux/],
  ])("extension install %j", async (extra, message) => {
    expectUsage(await runInProcess(["extension", "install", "-g", "rg", "--vm-name", "vm", ...extra, ...OFFLINE]), message, "vm-identity extension install");
  });

  it("a bad extension name", async () => {
    const r = await runInProcess(["extension", "show", "-g", "rg", "--vm-name", "vm", "--name", "bad/name", ...OFFLINE]);
    expectUsage(r, /\[InvalidExtensionName\]/, "vm-identity extension show");
  });

  it("an unknown output format", async () => {
    expectUsage(await runInProcess(["show", "-g", "rg", "-n", "vm", "-o", "yaml", ...OFFLINE]), /Allowed choices are json, jsonc, table, tsv, none/, "vm-identity show");
  });

  it("an empty --access-token (an unset shell variable)", async () => {
    const r = await runInProcess(["show", "-g", "rg", "-n", "vm", "--subscription", SUB, "--access-token", ""]);
    expectUsage(r, /--access-token must not be empty/, "vm-identity show");
  });

  it("identity create without a location", async () => {
    expectUsage(await runInProcess(["identity", "create", "-g", "rg", "-n", "my-id", ...OFFLINE]), /required option '-l, --location <location>'/, "vm-identity identity create");
  });

  describe("create --definition", () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), "vm-identity-cli-"));
    });

    it("a missing file", async () => {
      const r = await runInProcess(["create", "-g", "rg", "-n", "vm", "--definition", join(dir, "none.json"), ...OFFLINE]);
      expectUsage(r, /Cannot read the definition file .*ENOENT/, "vm-identity create");
    });

    it("a file that is not JSON", async () => {
      await writeFile(join(dir, "bad.json"), "{ location: ");
      const r = await runInProcess(["create", "-g", "rg", "-n", "vm", "--definition", join(dir, "bad.json"), ...OFFLINE]);
      expectUsage(r, /is not valid JSON/, "vm-identity create");
    });

    it("a definition without a location", async () => {
      await writeFile(join(dir, "noloc.json"), JSON.stringify({ properties: {} }));
      const r = await runInProcess(["create", "-g", "rg", "-n", "vm", "--definition", join(dir, "noloc.json"), "--system", ...OFFLINE]);
      expectUsage(r, /location is required.*\[InvalidDefinition\]/, "vm-identity create");
    });
  });
});

describe("the subscription's cloud, without a request", () => {
  it("a China cloud subscription named in the Azure CLI's profile sends to the China cloud's ARM endpoint", async () => {
    const dir = await profileDir(profileJson());
    const r = await runInProcess(
      ["identity", "create", "-g", "rg", "-n", "my-id", "-l", "chinaeast2", "--subscription", "China Sub", "--access-token", "tok-12345678", "--dry-run"],
      { AZURE_CONFIG_DIR: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`Using subscription "China Sub" (${CHINA}), found by name in the Azure CLI's profile (${dir}/azureProfile.json).\n`);
    expect(JSON.parse(r.stdout).requests[0].url).toBe(
      `https://management.chinacloudapi.cn/subscriptions/${CHINA}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/my-id?api-version=2024-11-30`,
    );
  });
});

describe("dry runs that need no read", () => {
  it("identity create --dry-run prints the PUT and sends nothing", async () => {
    const r = await runInProcess(["identity", "create", "-g", "rg", "-n", "my-id", "-l", "westeurope", "--tags", "env=test", "--dry-run", ...OFFLINE]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.dryRun).toBe(true);
    expect(report.requests).toEqual([
      {
        method: "PUT",
        url: `http://127.0.0.1:9/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/my-id?api-version=2024-11-30`,
        headers: { accept: "application/json", "content-type": "application/json" },
        body: { location: "westeurope", tags: { env: "test" } },
      },
    ]);
  });

  it("create --dry-run prints the VM PUT (If-None-Match) and the extension PUT", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vm-identity-cli-"));
    const file = join(dir, "vm.json");
    await writeFile(file, JSON.stringify({ location: "westeurope", properties: { storageProfile: { osDisk: { osType: "Linux" } } } }));
    const r = await runInProcess(["create", "-g", "rg", "-n", "vm", "--definition", file, "--system", "--msi-extension", "--dry-run", "-o", "table", ...OFFLINE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("These 2 requests would be sent, in order:");
    // Text for people fits 80 columns: the URLs wrap after a "/" or before the "?".
    for (const line of r.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    const unwrapped = r.stdout.replace(/\n {2}(?=\S)/g, "");
    expect(unwrapped).toMatch(/PUT http:\/\/127\.0\.0\.1:9\/.*\/virtualMachines\/vm\?api-version=2024-11-01\n(.*\n)*if-none-match: \*/);
    expect(unwrapped).toContain("/virtualMachines/vm/extensions/ManagedIdentityExtensionForLinux?api-version=");
    expect(r.stdout).toContain('"type": "SystemAssigned"');
  });
});

describe("against an emulator, in-process", () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await startFixture();
  });
  afterEach(async () => {
    await fx.arm.close();
  });

  it("shows, assigns and reads back", async () => {
    const show = await runInProcess(["show", "-g", RG, "-n", "win-vm", ...fx.flags]);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toEqual({ type: "None" });

    const assign = await runInProcess(["assign", "-g", RG, "-n", "win-vm", "--system", "--user-assigned", fx.uai.app], fx.env);
    expect(assign.code).toBe(0);
    const result = JSON.parse(assign.stdout);
    expect(result.changed).toBe(true);
    expect(result.identity.type).toBe("SystemAssigned, UserAssigned");
    expect(result.systemAssignedIdentity).toBe(result.identity.principalId);
    expect(Object.keys(result.identity.userAssignedIdentities).map((id) => id.toLowerCase())).toEqual([fx.uai.app.toLowerCase()]);
    expect(fx.arm.getVm(RG, "win-vm")!.identity!.type).toBe("SystemAssigned, UserAssigned");
  });

  it("reports a no-op without writing", async () => {
    const r = await runInProcess(["assign", "-g", RG, "-n", "linux-vm", "--system", "-o", "table", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Nothing to change/);
    expect(writesOf(fx.arm)).toEqual([]);
  });

  it("exits 1 with ARM's code and request id when ARM refuses", async () => {
    fx.arm.injectFault({
      method: "PATCH",
      status: 403,
      headers: { "x-ms-request-id": "11112222-3333-4444-5555-666677778888" },
      body: { error: { code: "LinkedAuthorizationFailed", message: "The client has no permission to assign the identity." } },
    });
    const r = await runInProcess(["assign", "-g", RG, "-n", "win-vm", "--user-assigned", fx.uai.app, ...fx.flags]);
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("LinkedAuthorizationFailed");
    expect(r.stderr).toContain("The client has no permission to assign the identity.");
    expect(r.stderr).toContain("x-ms-request-id: 11112222-3333-4444-5555-666677778888");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain("Usage:");
  });

  it("exits 1 when the MSI extension is not there", async () => {
    const r = await runInProcess(["extension", "show", "-g", RG, "--vm-name", "win-vm", ...fx.flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ResourceNotFound: .*not installed on VM win-vm/);
  });

  it("exits 1 for a VM that does not exist", async () => {
    const r = await runInProcess(["show", "-g", RG, "-n", "ghost", ...fx.flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/404 ResourceNotFound/);
  });

  it("shows a user-assigned identity, and exits 1 for one that does not exist", async () => {
    const found = await runInProcess(["identity", "show", "-g", RG, "-n", "app-identity", "-o", "table", ...fx.flags]);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/^NAME\s+app-identity$/m);
    expect(found.stdout).toMatch(/^ID\s+\/subscriptions\/(.|\n)*userAssignedIdentities\/app-identity$/m);
    const missing = await runInProcess(["identity", "show", "-g", RG, "-n", "ghost-identity", ...fx.flags]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ResourceNotFound: User-assigned identity ghost-identity was not found/);
  });

  it("identity show and delete take several --ids; a missing one is an error line, the others are still printed", async () => {
    const ops = fx.uai.ops;
    const ghost = fx.uai.ops.replace("ops-identity", "ghost-identity");
    const shown = await runInProcess(["identity", "show", "--ids", fx.uai.app, ghost, ops, "--query", "[].name", "-o", "tsv", ...fx.flags]);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toBe("app-identity\nops-identity\n");
    expect(shown.stderr).toMatch(/^error: ghost-identity: User-assigned identity ghost-identity was not found in cli-rg\.$/m);
    const deleted = await runInProcess(["identity", "delete", "-g", RG, "-n", "spare-identity", "-o", "table", ...fx.flags]);
    expect(deleted).toMatchObject({ code: 0, stdout: "Deleted identity spare-identity (resource group cli-rg).\n" });
    expect(fx.arm.getUserAssignedIdentity(RG, "spare-identity")).toBeUndefined();
    expect(writesOf(fx.arm)).toEqual([expect.objectContaining({ method: "DELETE", url: expect.stringContaining("/userAssignedIdentities/spare-identity?api-version=2024-11-30") })]);
    const again = await runInProcess(["identity", "delete", "--ids", fx.uai.unassigned, ...fx.flags]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ name: "spare-identity", resourceGroup: RG, deleted: false });
  });

  it("extension show takes several --ids", async () => {
    await runInProcess(["extension", "install", "-g", RG, "--vm-name", "win-vm", ...fx.flags]);
    const r = await runInProcess(["extension", "show", "--ids", vmId(fx.arm, "win-vm"), vmId(fx.arm, "linux-vm"), "--query", "[].name", "-o", "tsv", ...fx.flags]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("ManagedIdentityExtensionForWindows\n");
    expect(r.stderr).toMatch(/^error: linux-vm: The MSI extension is not installed on VM linux-vm\.$/m);
  });

  it("the Azure CLI's default subscription, said on stderr once, is used for -g/-n targets", async () => {
    const dir = await profileDir(profileJson(fx.arm.subscriptionId, [{ id: fx.arm.subscriptionId, name: "Emulator" }]));
    const r = await runInProcess(["assign", "-g", RG, "-n", "win-vm", "--identities", "app-identity", "--endpoint", fx.arm.endpoint, "--access-token", fx.token], {
      AZURE_CONFIG_DIR: dir,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`Using subscription "Emulator" (${fx.arm.subscriptionId}), the Azure CLI's default subscription (${dir}/azureProfile.json).\n`);
    expect(writesOf(fx.arm)[0]!.url).toContain(`/subscriptions/${fx.arm.subscriptionId}/resourceGroups/${RG}/`);
  });

  it("extension set, get and delete are az's names for install, show and remove; --only-show-errors drops the notes", async () => {
    const set = await runInProcess(["extension", "set", "-g", RG, "--vm-name", "win-vm", ...fx.flags]);
    expect(set.code).toBe(0);
    expect(set.stderr).toMatch(/^note: The MSI extension is deprecated/);
    const get = await runInProcess(["extension", "get", "-g", RG, "--vm-name", "win-vm", "--query", "name", "-o", "tsv", ...fx.flags]);
    expect(get.stdout).toBe("ManagedIdentityExtensionForWindows\n");
    const del = await runInProcess(["extension", "delete", "-g", RG, "--vm-name", "win-vm", "--only-show-errors", ...fx.flags]);
    expect(del).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(del.stdout)).toEqual({ removed: true, name: "ManagedIdentityExtensionForWindows" });
    const quiet = await runInProcess(["extension", "set", "-g", RG, "--vm-name", "win-vm", "--only-show-errors", ...fx.flags]);
    expect(quiet).toMatchObject({ code: 0, stderr: "" });
  });

  it("restores the Azure logger after --verbose", async () => {
    const log = AzureLogger.log;
    const level = getLogLevel();
    const r = await runInProcess(["show", "-g", RG, "-n", "win-vm", "--verbose", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*\/virtualMachines\/win-vm\?api-version=2024-11-01 -> 200 in \d+ ms \(x-ms-request-id: [^)]+\)$/m);
    expect(r.stderr).not.toContain(fx.token);
    expect(AzureLogger.log).toBe(log);
    expect(getLogLevel()).toBe(level);
  });

  it("stops waiting with 130 when interrupted", async () => {
    fx.arm.injectFault({ method: "GET", kind: "hang" });
    const io = memoryIo();
    const running = run(["show", "-g", RG, "-n", "win-vm", ...fx.flags], io);
    setTimeout(() => io.controller.abort(new Error("SIGINT")), 200);
    expect(await running).toBe(ExitCode.Interrupted);
    expect(io.err.join("")).toMatch(/^Interrupted/);
  });
});
