import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient, Pipeline } from "@azure/core-rest-pipeline";
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createPipelineFromOptions,
} from "@azure/core-rest-pipeline";
import type { ArmPipelineOptions } from "../options.js";
import { SDK_VERSION } from "../version.js";
import { DEFAULT_REQUEST_TIMEOUT_IN_MS } from "./connection.js";
import { attemptPolicy } from "./attemptPolicy.js";
import { attemptTimeoutPolicy } from "./attemptTimeoutPolicy.js";
import { loopbackBearerPolicy } from "./loopbackBearerPolicy.js";
import { throttlingBackoffPolicy } from "./throttlingBackoffPolicy.js";

/**
 * What the rest of the SDK takes from `@azure/core-rest-pipeline`, once a
 * call has loaded this module (see lazyDependencies.ts). Named, so that a
 * bundler keeps only these of the package.
 */
export { RestError, createHttpHeaders, createPipelineRequest, isRestError, retryPolicy } from "@azure/core-rest-pipeline";

/** The pipeline and the HTTP client it sends through. */
export interface ArmPipeline {
  pipeline: Pipeline;
  httpClient: HttpClient;
}

/**
 * Create the pipeline used for every request: the Azure SDK's standard
 * policies (retries, logging, tracing, user agent `azure-vm-identity/<version>`),
 * bearer authentication in the Sign phase (over plain http only to a loopback
 * host, the emulator), a backoff for 429s without Retry-After, and, inside
 * the retries, the attempt policy and a per-attempt timeout.
 */
export function createArmPipeline(
  credential: TokenCredential,
  scopes: string[],
  endpoint: string,
  options: ArmPipelineOptions = {},
): ArmPipeline {
  const userPrefix = options.userAgentOptions?.userAgentPrefix;
  const ours = `azure-vm-identity/${SDK_VERSION}`;
  const pipeline = createPipelineFromOptions({
    ...options,
    userAgentOptions: {
      ...options.userAgentOptions,
      userAgentPrefix: userPrefix ? `${userPrefix} ${ours}` : ours,
    },
    loggingOptions: {
      ...options.loggingOptions,
      additionalAllowedHeaderNames: [
        "x-ms-request-id",
        "x-ms-correlation-request-id",
        "x-ms-ratelimit-remaining-subscription-reads",
        "x-ms-ratelimit-remaining-subscription-writes",
        "x-ms-ratelimit-remaining-subscription-deletes",
        "x-ms-ratelimit-remaining-resource",
        "azure-asyncoperation",
        "retry-after-ms",
        "etag",
        "if-match",
        "if-none-match",
        ...(options.loggingOptions?.additionalAllowedHeaderNames ?? []),
      ],
    },
  });
  // The SDK's bearer policy refuses every non-https URL; the emulator is plain http on loopback.
  const loopback = endpoint.toLowerCase().startsWith("http://");
  pipeline.addPolicy(
    loopback ? loopbackBearerPolicy(credential, scopes) : bearerTokenAuthenticationPolicy({ credential, scopes }),
    { phase: "Sign" },
  );
  // The same retryOptions that tune the default retry policy tune the 429 backoff.
  const { maxRetries, retryDelayInMs, maxRetryDelayInMs } = options.retryOptions ?? {};
  pipeline.addPolicy(
    throttlingBackoffPolicy({
      ...(maxRetries === undefined ? {} : { maxRetries }),
      ...(retryDelayInMs === undefined ? {} : { retryDelayInMs }),
      ...(maxRetryDelayInMs === undefined ? {} : { maxRetryDelayInMs }),
    }),
    { phase: "Retry" },
  );
  pipeline.addPolicy(attemptPolicy(), { afterPhase: "Retry" });
  pipeline.addPolicy(attemptTimeoutPolicy(options.requestTimeoutInMs ?? DEFAULT_REQUEST_TIMEOUT_IN_MS), { afterPhase: "Retry" });
  for (const { policy, position } of options.additionalPolicies ?? []) {
    pipeline.addPolicy(policy, position === "perRetry" ? { afterPhase: "Sign" } : {});
  }
  return { pipeline, httpClient: options.httpClient ?? createDefaultHttpClient() };
}
