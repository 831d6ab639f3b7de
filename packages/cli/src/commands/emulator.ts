import type { Command } from "commander";
import type { FakeArm } from "azure-vm-identity/testing";
import { ENV } from "../options/global.js";
import { parseListenPort } from "../options/parsers.js";
import type { CliRuntime } from "../runtime.js";

/** The resource group of the sample the emulator seeds. */
const SAMPLE_GROUP = "demo-rg";

interface Sample {
  resourceGroup: string;
  vms: { name: string; osType: "Windows" | "Linux"; id: string }[];
  identities: { name: string; id: string }[];
}

/** Seed a small sample: a Windows VM, a Linux VM and one user-assigned identity. */
function seedSample(arm: FakeArm): Sample {
  const location = "westeurope";
  const vm = (name: string, osType: "Windows" | "Linux") => ({
    name,
    osType,
    id: arm.addVm({ resourceGroup: SAMPLE_GROUP, name, location, osType }),
  });
  return {
    resourceGroup: SAMPLE_GROUP,
    vms: [vm("win-vm", "Windows"), vm("linux-vm", "Linux")],
    identities: [{ name: "app-identity", id: arm.addUserAssignedIdentity({ resourceGroup: SAMPLE_GROUP, name: "app-identity", location }) }],
  };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** `vm-identity emulator`: run the ARM emulator in the foreground. */
export function registerEmulator(program: Command, rt: CliRuntime): void {
  program
    .command("emulator")
    .summary("run the ARM emulator in the foreground, to try the commands offline")
    .description(
      "Run the ARM emulator of azure-vm-identity/testing on 127.0.0.1 until Ctrl+C, and print the flags and environment " +
        "that point vm-identity at it. Seeds a small sample (a Windows VM, a Linux VM and a user-assigned identity in " +
        `${SAMPLE_GROUP}) unless --empty is given. State lives in memory only.`,
    )
    .usage("[--port N] [--empty] [options]")
    .option("--port <port>", "port to listen on (default: a free one)", parseListenPort)
    .option("--empty", "start without the sample resources")
    .addHelpText("after", "\nExample:\n  vm-identity emulator --port 8443\n")
    .action(async (options: { port?: number; empty?: boolean }, cmd: Command) => {
      const { startFakeArm } = await import("azure-vm-identity/testing");
      const arm = await startFakeArm({ port: options.port ?? 0, retryAfterSeconds: 0 });
      try {
        const token = (await arm.credential.getToken(`${arm.endpoint}/.default`))?.token ?? "";
        const sample = options.empty ? undefined : seedSample(arm);
        const flags = ["--endpoint", arm.endpoint, "--subscription", arm.subscriptionId, "--access-token", token];
        const out = rt.printer(cmd, "table");
        const info = {
          endpoint: arm.endpoint,
          subscriptionId: arm.subscriptionId,
          accessToken: token,
          flags: flags.join(" "),
          env: { [ENV.endpoint]: arm.endpoint, [ENV.subscription]: arm.subscriptionId, [ENV.accessToken]: token },
          sample: sample ?? null,
        };
        out.result(info, () => {
          const lines = [
            rt.style.bold(`ARM emulator listening on ${arm.endpoint}`),
            `  subscription  ${arm.subscriptionId}`,
            `  access token  ${token}`,
            "",
            "Point vm-identity at it with these environment variables:",
            `  export ${ENV.endpoint}=${arm.endpoint}`,
            `  export ${ENV.subscription}=${arm.subscriptionId}`,
            `  export ${ENV.accessToken}=${token}`,
            "or with these flags:",
            `  --endpoint ${arm.endpoint} \\`,
            `  --subscription ${arm.subscriptionId} \\`,
            `  --access-token ${token}`,
            "",
          ];
          if (sample) {
            lines.push(`Seeded in resource group ${sample.resourceGroup}:`);
            for (const vm of sample.vms) lines.push(`  VM ${vm.name} (${vm.osType})`);
            for (const uai of sample.identities) lines.push(`  user-assigned identity ${uai.name}`);
            lines.push(
              "",
              "Try, once the variables are exported:",
              `  vm-identity show -g ${sample.resourceGroup} -n win-vm -o table`,
              `  vm-identity assign -g ${sample.resourceGroup} -n win-vm --dry-run`,
              `  vm-identity assign -g ${sample.resourceGroup} -n win-vm --identities app-identity`,
              "",
            );
          }
          lines.push("Press Ctrl+C to stop.");
          return lines.join("\n") + "\n";
        });
        await untilAborted(rt.io.signal);
      } finally {
        await arm.close();
      }
      rt.stderr("Emulator stopped.\n");
    });
}
