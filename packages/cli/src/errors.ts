import type { Command, CommanderError } from "commander";
import { isInvalidInputError, isRestError } from "azure-vm-identity";
import { ExitCode, type ExitCodeValue } from "./exitCodes.js";
import type { CliIo } from "./io.js";
import { isLoopbackEndpoint } from "./http/loopback.js";
import { QueryError } from "./output/printer.js";
import { wrapText } from "./output/wrap.js";
import { helpHint, usageLine } from "./usage.js";

/** A mistake in how the command was called (missing target, conflicting options, unreadable file): exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** An operation that ran but did not get what was asked (e.g. `extension show` on a VM without it): exit 1. */
export class OperationFailedError extends Error {
  constructor(
    message: string,
    /** A short code in ARM's style, e.g. `ResourceNotFound`. */
    readonly code: string,
  ) {
    super(message);
    this.name = "OperationFailedError";
  }
}

/** A commander parse error, with the command whose arguments were wrong. */
export class CommandLineError extends Error {
  constructor(
    readonly error: CommanderError,
    readonly command: Command,
  ) {
    super(error.message);
    this.name = "CommandLineError";
  }
}

/** How to report an error. */
export interface ReportContext {
  io: CliIo;
  /** The command that was running, for the usage line. */
  command: Command | undefined;
  /** Print the stack of unexpected errors. */
  verbose: boolean;
  /** Remove secrets (the access token) from anything printed. */
  redact: (text: string) => string;
  /** Requests sent before the error: an input error found after a read is an operation failure (exit 1). */
  requestsSent: number;
  /** Width of the usage line. */
  width: number;
}

/** Error codes of a request that got no response: the network, DNS, or nothing listening. */
const CONNECTION_CODES = new Set([
  "REQUEST_SEND_ERROR",
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPROTO",
  "CERT_HAS_EXPIRED",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
]);

/** The origin a request that got no response was sent to, if the error says. */
function originOf(e: { request?: { url?: string } }): string | undefined {
  try {
    return e.request?.url ? new URL(e.request.url).origin : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `e` is a request that got no response (as opposed to an ARM error). */
export function isConnectionFailure(e: unknown): boolean {
  if (!isRestError(e) || e.statusCode !== undefined) return false;
  return typeof e.code === "string" && CONNECTION_CODES.has(e.code);
}

/** What is printed when Ctrl+C stops a command that was waiting for Azure. */
export const INTERRUPTED_MESSAGE =
  'Interrupted: stopped waiting. An operation already sent keeps running in Azure; check it with "vm-identity show".\n';

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === "AbortError" || (e as { code?: unknown }).code === "ABORT_ERR");
}

/**
 * Print an error the way a user can act on it and return the exit code:
 * 2 with the usage line for usage errors and invalid input, 1 with ARM's code,
 * message and request id for failed operations; never a stack trace unless
 * `--verbose` and the error is unexpected.
 */
export function reportError(e: unknown, ctx: ReportContext): ExitCodeValue {
  const { io, command, redact } = ctx;
  const write = (text: string): void => io.stderr(redact(text));
  const usage = (cmd: Command | undefined): void => {
    if (cmd) write(wrapText(`${usageLine(cmd)}\n${helpHint(cmd)}\n`, ctx.width));
  };

  if (e instanceof CommandLineError) {
    const { error } = e;
    // Help and version were asked for; commander has printed them.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.Ok;
    // `vm-identity` alone: commander printed the help to stderr already.
    if (error.code === "commander.help" || error.code === "commander.executeSubCommandAsync") return ExitCode.Usage;
    // commander has printed "error: ..." through configureOutput.
    usage(e.command);
    return ExitCode.Usage;
  }
  if (isInvalidInputError(e) && ctx.requestsSent > 0) {
    // Found after a read (e.g. removing an identity the VM does not hold): the operation failed; nothing was written.
    write(`error: ${e.message} [${e.code}]\n`);
    return ExitCode.Failed;
  }
  if (e instanceof UsageError || isInvalidInputError(e)) {
    const code = isInvalidInputError(e) ? ` [${e.code}]` : "";
    write(`error: ${e.message}${code}\n`);
    usage(command);
    return ExitCode.Usage;
  }
  if (isConnectionFailure(e)) {
    const error = e as Error & { request?: { url?: string } };
    const where = originOf(error);
    write(
      `error: no answer from ${where ? `the ARM endpoint ${where}` : "the ARM endpoint"}: ${error.message}\n` +
        "hint: check the endpoint (--endpoint or $VM_IDENTITY_ENDPOINT; the public cloud's is https://management.azure.com) " +
        "and the network: DNS, a proxy (HTTPS_PROXY), a firewall." +
        (where && isLoopbackEndpoint(where) ? ' Is the emulator running? Start it with "vm-identity emulator".' : "") +
        "\n",
    );
    return ExitCode.Failed;
  }
  if (e instanceof QueryError) {
    write(`error: ${e.message} (the command itself succeeded)\n`);
    return ExitCode.Failed;
  }
  if (isRestError(e)) {
    const requestId = e.response?.headers.get("x-ms-request-id");
    const lines = [`error: ${e.message}`];
    // The library's message already names the code and request id; add them when it does not.
    if (e.code && !e.message.includes(e.code)) lines.push(`code: ${e.code}`);
    if (e.statusCode && !e.message.includes(String(e.statusCode))) lines.push(`status: ${e.statusCode}`);
    if (requestId && !e.message.includes(requestId)) lines.push(`x-ms-request-id: ${requestId}`);
    write(lines.join("\n") + "\n");
    return ExitCode.Failed;
  }
  if (e instanceof OperationFailedError) {
    write(`error: ${e.code}: ${e.message}\n`);
    return ExitCode.Failed;
  }
  if (isAbort(e) && io.signal.aborted) {
    write(INTERRUPTED_MESSAGE);
    return ExitCode.Interrupted;
  }
  const message = e instanceof Error ? e.message : String(e);
  write(`error: ${message}\n`);
  if (e instanceof Error && /AuthenticationError|CredentialUnavailableError/.test(e.name)) {
    write('hint: sign in with "az login", set the AZURE_* variables of DefaultAzureCredential, or pass --access-token <token>.\n');
  }
  if (ctx.verbose && e instanceof Error && e.stack) write(`${e.stack}\n`);
  return ExitCode.Failed;
}
