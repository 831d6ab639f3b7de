/** Helpers for the `vm-identity` command tests: in-process runs, child-process runs and a seeded emulator. */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CliIo } from "../src/io.js";
import { run } from "../src/program.js";
import { type FakeArm, startFakeArm } from "azure-vm-identity/testing";

/** The built command. `npm test` builds it first; run `npx tsup` when developing. */
export const CLI = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** What a run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * An Azure CLI config directory that does not exist: runs in tests never read
 * the Azure CLI profile of the machine they run on, unless a test gives one.
 */
export const NO_AZURE_CONFIG = join(tmpdir(), "vm-identity-tests-no-azure-config");

/** An in-memory {@link CliIo}; `controller` aborts its signal; `extra` adds a terminal on stderr, a stdin or a terminal width. */
export function memoryIo(
  env: Record<string, string | undefined> = {},
  extra: Partial<Pick<CliIo, "stderrTerminal" | "readStdin" | "stdoutIsTTY" | "stdoutColumns">> = {},
): CliIo & {
  out: string[];
  err: string[];
  controller: AbortController;
} {
  const controller = new AbortController();
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env: { AZURE_CONFIG_DIR: NO_AZURE_CONFIG, ...env },
    stdoutIsTTY: false,
    signal: controller.signal,
    ...extra,
    out,
    err,
    controller,
  };
}

/** Run the command in this process. */
export async function runInProcess(
  argv: string[],
  env: Record<string, string | undefined> = {},
  extra: Partial<Pick<CliIo, "stderrTerminal" | "readStdin" | "stdoutIsTTY" | "stdoutColumns">> = {},
): Promise<CliResult> {
  const io = memoryIo(env, extra);
  const code = await run(argv, io);
  return { code, stdout: io.out.join(""), stderr: io.err.join("") };
}

/** A clean environment for a child: nothing from the host's Azure settings. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env["PATH"] ?? "", NO_COLOR: "1", AZURE_CONFIG_DIR: NO_AZURE_CONFIG, ...extra };
}

/** Run the built command as a child process. */
export function runCli(argv: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does) or "npx tsup" first.`);
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...argv], { env: childEnv(env), timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** An emulator with the resources the tests use, and the flags pointing the command at it. */
export interface Fixture {
  arm: FakeArm;
  token: string;
  /** `--endpoint ... --subscription ... --access-token ...` */
  flags: string[];
  /** The same, as environment variables. */
  env: Record<string, string>;
  /** Ids of the seeded user-assigned identities. */
  uai: { app: string; ops: string; unassigned: string };
}

export const RG = "cli-rg";

/** Start an emulator (with `options`) seeded with a Windows VM, a Linux VM (holding `ops`) and three user-assigned identities. */
export async function startFixture(options: Parameters<typeof startFakeArm>[0] = {}): Promise<Fixture> {
  const arm = await startFakeArm({ retryAfterSeconds: 0, ...options });
  const location = "westeurope";
  const app = arm.addUserAssignedIdentity({ resourceGroup: RG, name: "app-identity", location });
  const ops = arm.addUserAssignedIdentity({ resourceGroup: RG, name: "ops-identity", location });
  const unassigned = arm.addUserAssignedIdentity({ resourceGroup: RG, name: "spare-identity", location });
  arm.addVm({ resourceGroup: RG, name: "win-vm", location, osType: "Windows" });
  arm.addVm({
    resourceGroup: RG,
    name: "linux-vm",
    location,
    osType: "Linux",
    identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [ops]: {} } },
  });
  const token = (await arm.credential.getToken(`${arm.endpoint}/.default`))!.token;
  return {
    arm,
    token,
    flags: ["--endpoint", arm.endpoint, "--subscription", arm.subscriptionId, "--access-token", token],
    env: { VM_IDENTITY_ENDPOINT: arm.endpoint, AZURE_SUBSCRIPTION_ID: arm.subscriptionId, VM_IDENTITY_ACCESS_TOKEN: token },
    uai: { app, ops, unassigned },
  };
}

/** The flags pointing the command at an emulator (`--endpoint ... --subscription <its first> --access-token ...`). */
export async function flagsFor(arm: FakeArm): Promise<string[]> {
  const token = (await arm.credential.getToken(`${arm.endpoint}/.default`))!.token;
  return ["--endpoint", arm.endpoint, "--subscription", arm.subscriptionId, "--access-token", token];
}

/** The write requests (PUT, PATCH, DELETE) the emulator received. */
export function writesOf(arm: FakeArm): { method: string; url: string; body: unknown }[] {
  return arm.requests.filter((r) => r.method !== "GET");
}

/** The id of a VM of the fixture. */
export function vmId(arm: FakeArm, name: string): string {
  return `/subscriptions/${arm.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/${name}`;
}

/** Add `count` VMs named `<prefix>-0`, `<prefix>-1`, ... (alternately Windows and Linux, no identity) and return their ids. */
export function addFleet(arm: FakeArm, count: number, prefix = "fleet-vm"): string[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `${prefix}-${i}`;
    arm.addVm({ resourceGroup: RG, name, location: "westeurope", osType: i % 2 === 0 ? "Windows" : "Linux" });
    return vmId(arm, name);
  });
}

/** The start of any ANSI escape sequence (colour, cursor movement, line clearing): none may reach a file or a pipe. */
export const ESCAPE = /\u001b/;

/** Subscriptions of the Azure CLI profiles tests write. */
export const PROD = "aaaaaaaa-0000-4000-8000-000000000001";
export const DEV = "bbbbbbbb-0000-4000-8000-000000000002";
export const CHINA = "cccccccc-0000-4000-8000-000000000003";

/**
 * An Azure CLI profile as `az login` writes it, with a UTF-8 byte order mark:
 * Production (the default unless `defaultId` says otherwise), Dev, a China
 * cloud subscription and a second subscription named Dev.
 */
export function profileJson(defaultId = PROD, extra: { id: string; name: string }[] = []): string {
  const sub = (id: string, name: string, environmentName = "AzureCloud") => ({
    id,
    name,
    state: "Enabled",
    user: { name: "someone@example.com", type: "user" },
    isDefault: id === defaultId,
    tenantId: `tenant-of-${name}`,
    environmentName,
    homeTenantId: `tenant-of-${name}`,
    managedByTenants: [],
  });
  return (
    "\uFEFF" +
    JSON.stringify({
      installationId: "00000000-0000-0000-0000-00000000abcd",
      subscriptions: [
        sub(PROD, "Production"),
        sub(DEV, "Dev"),
        sub(CHINA, "China Sub", "AzureChinaCloud"),
        sub("dddddddd-0000-4000-8000-000000000004", "Dev"),
        ...extra.map((e) => sub(e.id, e.name)),
      ],
    })
  );
}

/** A temporary Azure CLI config directory holding `azureProfile.json` with `text`. */
export async function profileDir(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "vm-identity-azcfg-"));
  await writeFile(join(dir, "azureProfile.json"), text);
  return dir;
}

/** Resolve once the emulator has received `count` requests matching `match`. */
export async function untilRequests(fake: FakeArm, match: (r: { method: string; url: string }) => boolean, count = 1): Promise<void> {
  const started = Date.now();
  while (fake.requests.filter(match).length < count) {
    if (Date.now() - started > 10_000) throw new Error("the requests never came");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
