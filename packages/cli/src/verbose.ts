import { formatWithOptions } from "node:util";
import { AzureLogger, getLogLevel, setLogLevel } from "@azure/logger";

/**
 * Send the Azure SDK's request log (every request and response, headers
 * sanitised by the pipeline) to `write`, through `redact` as a second line of
 * defence for the token. Returns a function that restores the previous logger.
 */
export function enableVerboseLog(write: (text: string) => void, redact: (text: string) => string): () => void {
  const previousLevel = getLogLevel();
  const previousLog = AzureLogger.log;
  setLogLevel("verbose");
  AzureLogger.log = (...args: unknown[]): void => {
    write(redact(formatWithOptions({ colors: false, depth: 6 }, ...args)).trimEnd() + "\n");
  };
  return () => {
    AzureLogger.log = previousLog;
    setLogLevel(previousLevel);
  };
}
