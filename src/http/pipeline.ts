import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient, InternalPipelineOptions, Pipeline, PipelinePolicy } from "@azure/core-rest-pipeline";
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createPipelineFromOptions,
} from "@azure/core-rest-pipeline";
import { SDK_VERSION } from "../version.js";
import { throttlingBackoffPolicy } from "./throttlingBackoffPolicy.js";
import { writePacingPolicy } from "./writePacingPolicy.js";
import { attemptTimeoutPolicy } from "./attemptTimeoutPolicy.js";
import { attemptCounterPolicy } from "./attemptCounterPolicy.js";

/** A policy added to the pipeline, placed as in the Azure SDK's generated clients. */
export interface AdditionalPolicyConfig {
  policy: PipelinePolicy;
  /** `perCall`: once per operation call; `perRetry`: on every attempt, after signing. */
  position: "perCall" | "perRetry";
}

/** Pipeline options accepted by the client: every `PipelineOptions` field (and `loggingOptions`), plus the usual extras. */
export interface ArmPipelineOptions extends InternalPipelineOptions {
  /** Policies to add to the pipeline. */
  additionalPolicies?: AdditionalPolicyConfig[];
  /** The HTTP client that sends requests; the platform default otherwise. */
  httpClient?: HttpClient;
  /** Bounds each attempt of each request; a timed-out attempt is retried. Default 60000. */
  requestTimeoutInMs?: number;
}

/** The pipeline and the HTTP client it sends through. */
export interface ArmPipeline {
  pipeline: Pipeline;
  httpClient: HttpClient;
}

/**
 * Create the pipeline used for every request: the Azure SDK's standard
 * policies, the user agent prefix `azure-vm-identity/<version>`, bearer
 * authentication in the Sign phase and a backoff for 429s without Retry-After.
 */
export function createArmPipeline(
  credential: TokenCredential,
  scopes: string[],
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
        "x-ms-ratelimit-remaining-subscription-writes",
        "x-ms-ratelimit-remaining-resource",
        "azure-asyncoperation",
        "etag",
        "if-match",
        "if-none-match",
        ...(options.loggingOptions?.additionalAllowedHeaderNames ?? []),
      ],
    },
  });
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes }), { phase: "Sign" });
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
  pipeline.addPolicy(attemptCounterPolicy(), { afterPhase: "Retry" });
  pipeline.addPolicy(writePacingPolicy(), { afterPhase: "Retry" });
  pipeline.addPolicy(attemptTimeoutPolicy(options.requestTimeoutInMs ?? 60_000), { afterPhase: "Retry" });
  for (const { policy, position } of options.additionalPolicies ?? []) {
    pipeline.addPolicy(policy, position === "perRetry" ? { afterPhase: "Sign" } : {});
  }
  return { pipeline, httpClient: options.httpClient ?? createDefaultHttpClient() };
}
