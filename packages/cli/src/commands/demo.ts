import type { Command } from "commander";
import { runDemo } from "../demo/runDemo.js";
import type { CliRuntime } from "../runtime.js";

/** `vm-identity demo`: the whole article against embedded emulators. */
export function registerDemo(program: Command, rt: CliRuntime): void {
  program
    .command("demo")
    .summary("run every step of the PowerShell article against an embedded emulator")
    .description(
      'Run every step of the AzureRM PowerShell article "Configure managed identities for Azure resources on an Azure ' +
        'VM using PowerShell", in its order, against an ARM emulator in this process (a fresh one where a section of the ' +
        "article starts from a given state). Each step prints the cmdlets exactly as the article writes them, the " +
        "vm-identity command that does the same, the ARM writes it became and the resulting identity. Offline; takes " +
        "about a second. -o json prints the steps as JSON.",
    )
    .addHelpText("after", "\nExamples:\n  npx vm-identity demo\n  npx vm-identity demo --query \"steps[].powershell\" -o json\n")
    .action(async (_options: unknown, cmd: Command) => {
      await runDemo({ out: rt.printer(cmd, "table"), style: rt.style, signal: rt.io.signal });
    });
}
