import { formatWithOptions } from "node:util";
import { AzureLogger, getLogLevel, setLogLevel } from "@azure/logger";

/** core-rest-pipeline's own info and verbose lines (request dumps, retry bookkeeping): the command logs each attempt itself. */
const PIPELINE_CHATTER = /^azure:core-rest-pipeline( \S+)?:(info|verbose) /;
/** What `--verbose` (without `--debug`) keeps of the SDK's log: this library, @azure/identity, and every warning or error. */
const VERBOSE_KEEP = /^azure:(vm-identity|identity)[: ]|^azure:\S+( \S+)?:(warning|error) /;

/**
 * Send the Azure SDK's log to `write` (through `redact`, a second line of
 * defence for the token): with `--verbose` the library's and the
 * credential's messages at `info` and every warning; with `--debug` every
 * logger at `verbose`. core-rest-pipeline's own info lines (its request
 * dumps) are dropped either way: the command's request log shows every
 * attempt of every request, in one line. Returns a
 * function that restores the previous logger.
 */
export function enableVerboseLog(write: (text: string) => void, redact: (text: string) => string, debug: boolean): () => void {
  const previousLevel = getLogLevel();
  const previousLog = AzureLogger.log;
  setLogLevel(debug ? "verbose" : "info");
  AzureLogger.log = (...args: unknown[]): void => {
    const text = formatWithOptions({ colors: false, depth: 6 }, ...args).trimEnd();
    if (PIPELINE_CHATTER.test(text) || (!debug && !VERBOSE_KEEP.test(text))) return;
    write(redact(text) + "\n");
  };
  return () => {
    AzureLogger.log = previousLog;
    setLogLevel(previousLevel);
  };
}
