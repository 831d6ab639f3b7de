import { type Command, InvalidArgumentError, Option } from "commander";
import type { CliIo } from "../io.js";
import { OUTPUT_FORMATS, type OutputFormat } from "../output/printer.js";
import { nonEmpty } from "./parsers.js";
import { type CompiledQuery, type QueryValue, isGraphQuery, parseQuery } from "./query.js";

export type { OutputFormat } from "../output/printer.js";

/** The options every command accepts, as commander parsed them. */
export interface GlobalOptions {
  subscription?: string;
  endpoint?: string;
  accessToken?: string;
  output?: OutputFormat;
  /** A JMESPath expression, or a Resource Graph query (see {@link parseQuery}). */
  query?: QueryValue;
  verbose?: boolean;
  debug?: boolean;
  onlyShowErrors?: boolean;
}

/** Where the subscription asked for came from. */
export type SubscriptionSource = "--subscription" | "--subscriptions" | "AZURE_SUBSCRIPTION_ID";

/** The global options after environment defaults are applied. */
export interface ResolvedGlobals {
  /**
   * The subscription asked for (an id or a name) and where it was given;
   * undefined when neither `--subscription` nor `AZURE_SUBSCRIPTION_ID` is
   * set (the Azure CLI's default is used then, and an `--ids` id names its own).
   */
  subscription: { value: string; source: SubscriptionSource } | undefined;
  /** `--endpoint` or `VM_IDENTITY_ENDPOINT`; undefined means the chosen cloud's. */
  endpoint: string | undefined;
  accessToken: string | undefined;
  /** Undefined when not given: results default to JSON, `demo` and `emulator` to text. */
  output: OutputFormat | undefined;
  /** `--query` when it is JMESPath. */
  query: CompiledQuery | undefined;
  /** `--query` when it is a Resource Graph query (`resources | where ...`), which selects VMs. */
  graphQuery: string | undefined;
  /** `--verbose` or `--debug`. */
  verbose: boolean;
  debug: boolean;
  /** `--only-show-errors`: no notes on stderr (which subscription, deprecation), only errors. */
  onlyShowErrors: boolean;
}

/** Environment variables read as defaults. */
export const ENV = {
  subscription: "AZURE_SUBSCRIPTION_ID",
  endpoint: "VM_IDENTITY_ENDPOINT",
  accessToken: "VM_IDENTITY_ACCESS_TOKEN",
  configDir: "AZURE_CONFIG_DIR",
} as const;

/** Parse `-o`: one of the formats, in any casing (as the Azure CLI takes it). */
export function parseOutputFormat(value: string): OutputFormat {
  const lower = value.toLowerCase();
  if (!(OUTPUT_FORMATS as readonly string[]).includes(lower)) {
    throw new InvalidArgumentError(`Allowed choices are ${OUTPUT_FORMATS.join(", ")}.`);
  }
  return lower as OutputFormat;
}

/** Add the global options to the program. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option(
      "--subscription <name-or-id>",
      `subscription name or id (default: $${ENV.subscription}, else the Azure CLI's default subscription); an --ids id names its own`,
      nonEmpty("--subscription"),
    )
    .option("--endpoint <url>", `ARM endpoint (default: $${ENV.endpoint}, else the subscription's cloud, else https://management.azure.com)`, nonEmpty("--endpoint"))
    .option(
      "--access-token <token>",
      `bearer token to send, e.g. from "az account get-access-token" (default: $${ENV.accessToken}, else DefaultAzureCredential)`,
      nonEmpty("--access-token"),
    )
    .addOption(
      new Option("-o, --output <format>", "output format (default: json; text for demo and emulator)")
        .choices(OUTPUT_FORMATS)
        .argParser(parseOutputFormat),
    )
    .option(
      "--query <jmespath>",
      'JMESPath query applied to the result before it is formatted, e.g. --query "principalId"; a Resource Graph query ' +
        "(resources | where ...) selects the VMs, as --graph-query does",
      parseQuery,
    )
    .option("--verbose", "one line per request on stderr (method, URL, status, time, x-ms-request-id), with the body of each write")
    .option("--debug", "--verbose plus every request and response header (the token redacted) and the SDK's log")
    .option("--only-show-errors", "print no notes on stderr (which subscription was used, deprecations), only errors");
}

function fromEnv(io: CliIo, name: string): string | undefined {
  const value = io.env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** Apply environment defaults to the parsed global options. */
export function resolveGlobals(options: GlobalOptions, io: CliIo): ResolvedGlobals {
  const envSubscription = fromEnv(io, ENV.subscription);
  return {
    subscription:
      options.subscription !== undefined
        ? { value: options.subscription.trim(), source: "--subscription" }
        : envSubscription !== undefined
          ? { value: envSubscription, source: ENV.subscription }
          : undefined,
    endpoint: options.endpoint ?? fromEnv(io, ENV.endpoint),
    accessToken: options.accessToken ?? fromEnv(io, ENV.accessToken),
    output: options.output,
    query: isGraphQuery(options.query) ? undefined : options.query,
    graphQuery: isGraphQuery(options.query) ? options.query.kql : undefined,
    verbose: options.verbose === true || options.debug === true,
    debug: options.debug === true,
    onlyShowErrors: options.onlyShowErrors === true,
  };
}
