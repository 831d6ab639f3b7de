import type { Command } from "commander";
import { type VmTargetOptions, VM_TARGET_USAGE, addVmTargetOptions } from "../options/targets.js";
import { identityTable } from "../output/identity.js";
import type { CliRuntime } from "../runtime.js";

/** `vm-identity show`: the VM's managed identities. */
export function registerShow(program: Command, rt: CliRuntime): void {
  const command = program
    .command("show")
    .summary("show the managed identities of a VM")
    .description("Show the managed identities of a VM: its type, the system-assigned principal and every user-assigned identity.")
    .usage(`${VM_TARGET_USAGE} [options]`)
    .addHelpText("after", "\nExample:\n  vm-identity show -g myResourceGroup -n myVM -o table\n");
  addVmTargetOptions(command).action(async (options: VmTargetOptions, cmd: Command) => {
    const { vm, out, options: op } = await rt.vmSession(cmd, options);
    out.result(await vm.getIdentity(op), identityTable);
  });
}
