import { createClientLogger } from "@azure/logger";

/**
 * The package's logger. Enable with `AZURE_LOG_LEVEL=info` (or `setLogLevel`
 * from `@azure/logger`). It never receives a token or an Authorization header.
 */
export const logger = createClientLogger("vm-identity");
