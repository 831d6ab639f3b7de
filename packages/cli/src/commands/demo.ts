import type { Command } from "commander";
import { runDemo } from "../demo/runDemo.js";
import type { CliRuntime } from "../runtime.js";

/** `vm-identity demo`: the whole walkthrough against an embedded emulator. */
export function registerDemo(program: Command, rt: CliRuntime): void {
  program
    .command("demo")
    .summary("run every step of the PowerShell walkthrough against an embedded emulator")
    .description(
      "Start an ARM emulator in this process, seed it with a Windows VM, a Linux VM and user-assigned identities, and run " +
        "every step of the AzureRM PowerShell walkthrough in order. Each step shows the cmdlet it replaces, the ARM " +
        "request(s) sent and the resulting identity. Offline; takes a few seconds. -o json prints the steps as JSON.",
    )
    .addHelpText("after", "\nExample:\n  npx vm-identity demo\n")
    .action(async (_options: unknown, cmd: Command) => {
      const globals = rt.globals(cmd);
      await runDemo({ write: rt.stdout, style: rt.style, format: globals.output ?? "table", signal: rt.io.signal });
    });
}
