/**
 * The command as an `az vm identity` user types it, against the emulator: the
 * az flags, -o and --query, the Azure CLI's default subscription, several
 * --ids across subscriptions, and the messages of the usual mistakes. Runs
 * are in this process, except a pipe closed early, which needs the built
 * command (`packages/cli/dist/main.js`) as a child process.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CLI,
  DEV,
  type Fixture,
  PROD,
  RG,
  addFleet,
  childEnv,
  profileDir,
  profileJson,
  runInProcess,
  startFixture,
  vmId,
  writesOf,
} from "./helpers.js";

let fx: Fixture;
beforeEach(async () => {
  fx = await startFixture();
});
afterEach(async () => {
  await fx.arm.close();
});

/** The emulator's endpoint and token, without a subscription: the run must find it elsewhere. */
function connection(): string[] {
  return ["--endpoint", fx.arm.endpoint, "--access-token", fx.token];
}

/** A VM id in another subscription than the emulator's (which answers 404 SubscriptionNotFound for it). */
function otherSubscriptionVm(name: string): string {
  return vmId(fx.arm, name).replace(fx.arm.subscriptionId, DEV);
}

describe("az vm identity habits", () => {
  it("assign with no identity named enables the system-assigned identity", async () => {
    const r = await runInProcess(["assign", "-g", RG, "-n", "win-vm", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(writesOf(fx.arm).map((w) => w.body)).toEqual([{ identity: { type: "SystemAssigned" } }]);
    const result = JSON.parse(r.stdout);
    expect(result.systemAssignedIdentity).toBe(fx.arm.getVm(RG, "win-vm")!.identity!.principalId);
  });

  it("remove with no identity named disables it", async () => {
    const r = await runInProcess(["remove", "-g", RG, "-n", "linux-vm", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(writesOf(fx.arm).map((w) => w.body)).toEqual([{ identity: { type: "UserAssigned" } }]);
  });

  it("--identities takes [system], bare names (in the VM's resource group) and full ids, in one PATCH", async () => {
    const r = await runInProcess(["assign", "-g", RG, "-n", "win-vm", "--identities", "[system]", "app-identity", fx.uai.ops, ...fx.flags]);
    expect(r.code).toBe(0);
    const appId = `/subscriptions/${fx.arm.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-identity`;
    expect(writesOf(fx.arm).map((w) => w.body)).toEqual([
      { identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [fx.uai.ops]: {}, [appId]: {} } } },
    ]);
  });

  it("--identity-resource-group says where bare names are", async () => {
    fx.arm.addUserAssignedIdentity({ resourceGroup: "identities-rg", name: "shared", location: "westeurope" });
    const r = await runInProcess(["assign", "-g", RG, "-n", "win-vm", "--identities", "shared", "--identity-resource-group", "identities-rg", ...fx.flags]);
    expect(r.code).toBe(0);
    const [patch] = writesOf(fx.arm);
    expect(Object.keys((patch!.body as { identity: { userAssignedIdentities: object } }).identity.userAssignedIdentities)).toEqual([
      `/subscriptions/${fx.arm.subscriptionId}/resourceGroups/identities-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/shared`,
    ]);
  });

  it("remove --identities by name detaches it", async () => {
    const r = await runInProcess(["remove", "-g", RG, "-n", "linux-vm", "--identities", "ops-identity", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).identity).toEqual({ type: "SystemAssigned", principalId: expect.any(String), tenantId: fx.arm.tenantId });
  });

  it("extension commands take --vm-name for the VM and -n/--name for the extension", async () => {
    const r = await runInProcess(["extension", "install", "-g", RG, "--vm-name", "win-vm", "-n", "msi-ext", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(fx.arm.getExtension(RG, "win-vm", "msi-ext")).toMatchObject({ properties: { type: "ManagedIdentityExtensionForWindows" } });
  });

  it("the old spelling, -n naming the VM, is refused with a message naming --vm-name, before any request", async () => {
    const r = await runInProcess(["extension", "install", "-g", RG, "-n", "win-vm", ...fx.flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: No VM given. In extension commands -n/--name names the extension (here "win-vm"), as in "az vm extension set"; the VM is --vm-name');
    expect(r.stderr).toContain('If "win-vm" is the VM, pass --vm-name win-vm.');
    expect(fx.arm.requests).toEqual([]);
  });
});

describe("-o and --query, applied as the Azure CLI applies them", () => {
  it("show --query principalId -o tsv prints the principal id alone", async () => {
    const r = await runInProcess(["show", "-g", RG, "-n", "linux-vm", "--query", "principalId", "-o", "tsv", ...fx.flags]);
    expect(r).toMatchObject({ code: 0, stdout: `${fx.arm.getVm(RG, "linux-vm")!.identity!.principalId}\n`, stderr: "" });
  });

  it("-o tsv of the identity object: its values in key order, the nested map as nothing", async () => {
    const r = await runInProcess(["show", "-g", RG, "-n", "linux-vm", "-o", "tsv", ...fx.flags]);
    const identity = fx.arm.getVm(RG, "linux-vm")!.identity!;
    expect(r.stdout).toBe(`${identity.principalId}\t${identity.tenantId}\tSystemAssigned, UserAssigned\t\n`);
  });

  it("assign --query systemAssignedIdentity -o tsv, as scripts that grant the principal a role use it", async () => {
    const r = await runInProcess(["assign", "-g", RG, "-n", "win-vm", "--query", "systemAssignedIdentity", "-o", "tsv", ...fx.flags]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
  });

  it("a query's hash keeps its order in tsv and table", async () => {
    const ids = addFleet(fx.arm, 2);
    const tsv = await runInProcess(["assign", "--ids", ...ids, "--query", "[].{status: status, id: resourceId}", "-o", "tsv", ...fx.flags]);
    expect(tsv.stdout).toBe(`changed\t${ids[0]}\nchanged\t${ids[1]}\n`);
    const table = await runInProcess(["show", "--ids", ...ids, "--query", "[].{Type: type}", "-o", "table", ...fx.flags]);
    expect(table.stdout).toBe("Type\n--------------\nSystemAssigned\nSystemAssigned\n");
  });

  it("-o none prints nothing and keeps the exit code; -o jsonc is plain JSON in a pipe", async () => {
    const none = await runInProcess(["assign", "-g", RG, "-n", "win-vm", "-o", "none", ...fx.flags]);
    expect(none).toMatchObject({ code: 0, stdout: "" });
    const jsonc = await runInProcess(["show", "-g", RG, "-n", "win-vm", "-o", "jsonc", ...fx.flags]);
    expect(JSON.parse(jsonc.stdout)).toMatchObject({ type: "SystemAssigned" });
    expect(jsonc.stdout).not.toMatch(/\u001b/);
  });

  it("a query that is not JMESPath is a usage error before any request", async () => {
    const r = await runInProcess(["show", "-g", RG, "-n", "win-vm", "--query", "[?type=='x'", ...fx.flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/option '--query <jmespath>' argument .* is invalid\. not a valid JMESPath expression/);
    expect(fx.arm.requests).toEqual([]);
  });
});

describe("the subscription, like az", () => {
  it("with neither --subscription nor AZURE_SUBSCRIPTION_ID, the Azure CLI's default subscription is used, and said on stderr", async () => {
    const dir = await profileDir(profileJson(fx.arm.subscriptionId, [{ id: fx.arm.subscriptionId, name: "Emulator" }]));
    const r = await runInProcess(["show", "-g", RG, "-n", "linux-vm", ...connection()], { AZURE_CONFIG_DIR: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`Using subscription "Emulator" (${fx.arm.subscriptionId}), the Azure CLI's default subscription (${dir}/azureProfile.json).\n`);
    expect(JSON.parse(r.stdout).type).toBe("SystemAssigned, UserAssigned");
  });

  it("a subscription name is looked up in the profile", async () => {
    const dir = await profileDir(profileJson(PROD, [{ id: fx.arm.subscriptionId, name: "Emulator Lab" }]));
    const r = await runInProcess(["show", "-g", RG, "-n", "linux-vm", "--subscription", "emulator lab", ...connection()], { AZURE_CONFIG_DIR: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Using subscription "Emulator Lab" (${fx.arm.subscriptionId}), found by name`);
    expect(fx.arm.requests[0]!.url).toContain(`/subscriptions/${fx.arm.subscriptionId}/`);
  });

  it.each([
    [["--subscription", "Staging"], /error: Unknown subscription --subscription "Staging": no subscription has that name or id/],
    [["--subscription", "Dev"], /error: Ambiguous subscription name --subscription "Dev": 2 subscriptions/],
  ])("an unknown or ambiguous name (%j) is a usage error naming it, before any request", async (flags, message) => {
    const dir = await profileDir(profileJson());
    const r = await runInProcess(["show", "-g", RG, "-n", "linux-vm", ...flags, ...connection()], { AZURE_CONFIG_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fx.arm.requests).toEqual([]);
  });

  it("without any, the message says how to give one", async () => {
    const r = await runInProcess(["show", "-g", RG, "-n", "linux-vm", ...connection()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: No subscription: pass --subscription <name or id>, set AZURE_SUBSCRIPTION_ID, or sign in with "az login"/);
  });
});

describe("several --ids, each in its own subscription", () => {
  it("show --ids a b prints an array, in the order given", async () => {
    const r = await runInProcess(["show", "--ids", vmId(fx.arm, "linux-vm"), vmId(fx.arm, "win-vm"), ...fx.flags]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((i: { type: string }) => i.type)).toEqual(["SystemAssigned, UserAssigned", "None"]);
  });

  it("an --ids id names its own subscription and wins over the default: one client per subscription", async () => {
    // AZURE_SUBSCRIPTION_ID is the emulator's; the second VM is in another subscription, which the emulator does not serve.
    const r = await runInProcess(["show", "--ids", vmId(fx.arm, "win-vm"), otherSubscriptionVm("far-vm"), "-o", "table"], fx.env);
    expect(r.code).toBe(1);
    expect(fx.arm.requests.map((q) => new URL(q.url).pathname.split("/")[2])).toEqual([fx.arm.subscriptionId, DEV]);
    expect(r.stdout).toBe("VM      RESOURCE GROUP  TYPE  USER-ASSIGNED\nwin-vm  cli-rg          None  -\n");
    expect(r.stderr).toMatch(/^error: far-vm: GET .*\/subscriptions\/bbbbbbbb-0000-4000-8000-000000000002\/.* failed with 404 SubscriptionNotFound/);
  });

  it("a change on VMs in two subscriptions runs one fleet per subscription, results in the order given", async () => {
    const [mine] = addFleet(fx.arm, 1);
    const r = await runInProcess(["assign", "--ids", otherSubscriptionVm("far-vm"), mine!, ...fx.flags]);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout);
    expect(results.map((x: { resourceId: string; status: string }) => [x.resourceId, x.status])).toEqual([
      [otherSubscriptionVm("far-vm"), "failed"],
      [mine, "changed"],
    ]);
    expect(results[0].error).toMatchObject({ code: "SubscriptionNotFound", statusCode: 404 });
    expect(r.stderr).toMatch(/^2 VMs: 1 changed, 0 unchanged, 1 failed, 0 unknown/);
  });
});

describe("messages", () => {
  it("a target that is neither a resource id nor a name says what was expected, with an example", async () => {
    const r = await runInProcess(["show", "--ids", "win-vm", ...fx.flags]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(
      'error: --ids "win-vm" is not a VM resource id: expected a full id such as /subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<vm>. To name the VM win-vm by name, pass -g <group> and its name instead.',
    );
    expect(r.stderr).not.toContain("undefined");
  });

  it("a connection failure names the endpoint and suggests --endpoint and network checks, at once for a loopback endpoint", async () => {
    const started = Date.now();
    const r = await runInProcess(["show", "-g", RG, "-n", "win-vm", "--endpoint", "http://127.0.0.1:9", "--subscription", fx.arm.subscriptionId, "--access-token", fx.token]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: no answer from the ARM endpoint http://127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9\n" +
        "hint: check the endpoint (--endpoint or $VM_IDENTITY_ENDPOINT; the public cloud's is https://management.azure.com) and the network: DNS, a proxy (HTTPS_PROXY), a firewall. Is the emulator running? Start it with \"vm-identity emulator\".\n",
    );
  });

  it("an empty selection says so", async () => {
    const r = await runInProcess(["assign", "--ids", ...fx.flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: The selection is empty: --ids was given no VM id/);
  });
});

describe("the process ends by itself, with the whole output", () => {
  it("a large -o json through a pipe that is read slowly arrives whole, and the process then exits", async () => {
    const ids = addFleet(fx.arm, 150);
    // The reader is another process on the far end of a shell pipe: it reads nothing for longer than any
    // exit timer would wait, then everything. The pipe's exit status is the command's (pipefail).
    const script = 'set -o pipefail; "$@" | { sleep 2.5; cat; }';
    const child = spawn("bash", ["-c", script, "pipe", process.execPath, CLI, "assign", "--ids", ...ids, "--dry-run", ...fx.flags], {
      env: childEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.resume();
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    const text = Buffer.concat(chunks).toString("utf8");
    expect(text.length).toBeGreaterThan(100 * 1024); // more than a pipe holds (64 KiB)
    expect(code).toBe(0);
    expect(JSON.parse(text)).toHaveLength(150);
  }, 30_000);

  it("the built command never forces an exit that could cut what is still being written (only a closed pipe ends it early)", async () => {
    const source = await readFile(CLI, "utf8");
    const exits = source.match(/process\.exit\([^)]*\)/g) ?? [];
    // The one call: when the reader went away (EPIPE), as other command line tools stop.
    expect(exits).toEqual(["process.exit(process.exitCode ?? 0)"]);
    expect(source).toMatch(/if \(error\.code === "EPIPE"\) process\.exit\(process\.exitCode \?\? 0\);/);
  });
});
