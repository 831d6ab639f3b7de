import { Command, type CommanderError } from "commander";
import { SDK_VERSION } from "azure-vm-identity";
import { registerAssign } from "./commands/assign.js";
import { registerCreate } from "./commands/create.js";
import { registerDemo } from "./commands/demo.js";
import { registerEmulator } from "./commands/emulator.js";
import { registerExtension } from "./commands/extension.js";
import { registerIdentity } from "./commands/identity.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerRemove } from "./commands/remove.js";
import { registerRole } from "./commands/role.js";
import { registerShow } from "./commands/show.js";
import { registerVmss } from "./commands/vmss.js";
import { CommandLineError, reportError } from "./errors.js";
import { ExitCode, type ExitCodeValue } from "./exitCodes.js";
import type { CliIo } from "./io.js";
import { ENV, addGlobalOptions } from "./options/global.js";
import { wrapText } from "./output/wrap.js";
import { CliRuntime } from "./runtime.js";

export type { CliIo } from "./io.js";
export { ExitCode, type ExitCodeValue } from "./exitCodes.js";

const DESCRIPTION = [
  "Configure managed identities on Azure virtual machines, with the flags of az vm identity.",
  "",
  "Name a VM with -g/--resource-group and -n/--name, or with --ids <resource id...> (each id in its own " +
    "subscription). Every VM write takes --dry-run: only the reads are made and the exact request is printed. " +
    "Every command takes -o json|jsonc|table|tsv|none and --query <JMESPath>, applied as the Azure CLI applies them.",
  "",
  `Subscription: --subscription <name or id>, else $${ENV.subscription}, else the Azure CLI's default ` +
    `subscription (az account set), read from $${ENV.configDir}/azureProfile.json or ~/.azure/azureProfile.json.`,
  "",
  `Authentication: --access-token <token> (or $${ENV.accessToken}); otherwise DefaultAzureCredential ` +
    "(environment variables, workload identity, managed identity, Azure CLI, ...) at the subscription's cloud.",
  "",
  "Exit codes: 0 done, 1 the operation failed, 2 usage error (nothing was sent), 130 interrupted.",
].join("\n");

/**
 * Make commander throw instead of exiting, and write through the run's I/O,
 * on this command and every subcommand. Help is laid out for the output
 * width (the terminal's, else 80): commander wraps descriptions; every other
 * line that is too long (usage lines, examples) wraps at word boundaries.
 */
function configureTree(command: Command, rt: CliRuntime): void {
  const width = rt.width;
  command
    .exitOverride((error: CommanderError) => {
      throw new CommandLineError(error, command);
    })
    .configureOutput({
      writeOut: (text) => rt.stdout(wrapText(text, width, { hangAtMargin: false })),
      writeErr: (text) => rt.stderr(wrapText(text, width, { hangAtMargin: false })),
      // Error messages are not wrapped: they stay one line each, for logs and grep.
      outputError: (text) => rt.stderr(text),
      getOutHelpWidth: () => width,
      getErrHelpWidth: () => width,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .showSuggestionAfterError(true);
  for (const sub of command.commands) configureTree(sub, rt);
}

/** Build the `vm-identity` program for one run. */
export function buildProgram(rt: CliRuntime): Command {
  const program = new Command("vm-identity")
    .description(DESCRIPTION)
    .version(SDK_VERSION, "-V, --version", "print the version")
    .usage("<command> [options]")
    .helpCommand(true)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .hook("preAction", (_program, action) => {
      rt.command = action;
      // The global options take effect before the action runs (--verbose, --only-show-errors).
      rt.globals(action);
    });
  addGlobalOptions(program);
  registerShow(program, rt);
  registerAssign(program, rt);
  registerRemove(program, rt);
  registerExtension(program, rt);
  registerIdentity(program, rt);
  registerRole(program, rt);
  registerVmss(program, rt);
  registerMigrate(program, rt);
  registerCreate(program, rt);
  registerEmulator(program, rt);
  registerDemo(program, rt);
  configureTree(program, rt);
  return program;
}

/** Register secrets on the command line or in the environment before anything is parsed or printed. */
function preRegisterSecrets(rt: CliRuntime, argv: readonly string[], io: CliIo): void {
  rt.redactor.add(io.env[ENV.accessToken]);
  argv.forEach((arg, i) => {
    if (arg === "--access-token") rt.redactor.add(argv[i + 1]);
    else if (arg.startsWith("--access-token=")) rt.redactor.add(arg.slice("--access-token=".length));
  });
}

/**
 * Run `vm-identity` with the given arguments (without the node and script
 * paths) and return the exit code. Never exits the process: `main.ts` does.
 *
 * ```ts
 * const code = await run(["show", "-g", "rg", "-n", "vm", "-o", "table"], io);
 * ```
 */
export async function run(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const rt = new CliRuntime(io);
  preRegisterSecrets(rt, argv, io);
  let program: Command | undefined;
  try {
    program = buildProgram(rt);
    await program.parseAsync([...argv], { from: "user" });
    return rt.exitCode ?? ExitCode.Ok;
  } catch (e) {
    // A bad global option is reported by the program; show the usage of the subcommand that was meant.
    const error =
      e instanceof CommandLineError && program && e.command === program && e.error.code !== "commander.unknownCommand"
        ? new CommandLineError(e.error, commandNamedIn(program, argv))
        : e;
    return reportError(error, {
      io,
      command: rt.command,
      verbose: rt.verbose,
      redact: rt.redactor.redact,
      requestsSent: rt.requestsSent,
      width: rt.width,
    });
  } finally {
    rt.dispose();
  }
}

/** The deepest subcommand named in `argv` (e.g. `extension install`), else the program. */
function commandNamedIn(program: Command, argv: readonly string[]): Command {
  let current = program;
  for (const arg of argv) {
    if (arg === "--") break;
    const sub = current.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (sub) current = sub;
  }
  return current;
}
