import { type Command, Option } from "commander";
import { DEFAULT_ENDPOINT } from "azure-vm-identity";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { nonEmpty } from "./parsers.js";

/** Output formats of `-o/--output`. */
export type OutputFormat = "json" | "table";

/** The options every command accepts, as commander parsed them. */
export interface GlobalOptions {
  subscription?: string;
  endpoint?: string;
  accessToken?: string;
  output?: OutputFormat;
  verbose?: boolean;
}

/** The global options after environment defaults are applied. */
export interface ResolvedGlobals {
  /** Undefined when neither `--subscription` nor `AZURE_SUBSCRIPTION_ID` is set (a `--ids` may still name it). */
  subscription: string | undefined;
  endpoint: string;
  accessToken: string | undefined;
  /** Undefined when not given: results default to JSON, `demo` and `emulator` to text. */
  output: OutputFormat | undefined;
  verbose: boolean;
}

/** Environment variables read as defaults. */
export const ENV = {
  subscription: "AZURE_SUBSCRIPTION_ID",
  endpoint: "VM_IDENTITY_ENDPOINT",
  accessToken: "VM_IDENTITY_ACCESS_TOKEN",
} as const;

/** Add the global options to the program. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option("--subscription <id>", `subscription id (default: $${ENV.subscription}, or the one in --ids)`, nonEmpty("--subscription"))
    .option("--endpoint <url>", `ARM endpoint (default: $${ENV.endpoint}, else ${DEFAULT_ENDPOINT})`, nonEmpty("--endpoint"))
    .option(
      "--access-token <token>",
      `bearer token to send, e.g. from "az account get-access-token" (default: $${ENV.accessToken}, else DefaultAzureCredential)`,
      nonEmpty("--access-token"),
    )
    .addOption(new Option("-o, --output <format>", "output format (default: json; text for demo and emulator)").choices(["json", "table"]))
    .option("--verbose", "log every request and response to stderr (the token is redacted)");
}

function fromEnv(io: CliIo, name: string): string | undefined {
  const value = io.env[name];
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** Apply environment defaults to the parsed global options. */
export function resolveGlobals(options: GlobalOptions, io: CliIo): ResolvedGlobals {
  return {
    subscription: options.subscription ?? fromEnv(io, ENV.subscription),
    endpoint: options.endpoint ?? fromEnv(io, ENV.endpoint) ?? DEFAULT_ENDPOINT,
    accessToken: options.accessToken ?? fromEnv(io, ENV.accessToken),
    output: options.output,
    verbose: options.verbose === true,
  };
}

/** The subscription to use: the global one, else the one in the target's resource id. */
export function requireSubscription(globals: ResolvedGlobals, fromTarget?: string): string {
  const subscription = globals.subscription ?? fromTarget;
  if (!subscription) {
    throw new UsageError(`No subscription: pass --subscription <id> or set ${ENV.subscription}.`);
  }
  return subscription;
}
