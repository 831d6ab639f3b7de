import type { PipelinePolicy, RetryStrategy } from "@azure/core-rest-pipeline";
import { pipelineModule } from "./lazyDependencies.js";

/** Options for {@link throttlingBackoffPolicy}. */
export interface ThrottlingBackoffPolicyOptions {
  /** Retries of one request before its 429 is returned. Default 6. */
  maxRetries?: number;
  /** The first delay; each retry doubles it, with jitter. Default 1000. */
  retryDelayInMs?: number;
  /** The longest delay. Default 32000. */
  maxRetryDelayInMs?: number;
}

/** The name of {@link throttlingBackoffPolicy} in a pipeline. */
export const throttlingBackoffPolicyName = "vmIdentityThrottlingBackoffPolicy";

const RETRY_AFTER_HEADERS = ["retry-after", "retry-after-ms", "x-ms-retry-after-ms"];

/**
 * Retries a 429 that carries no `Retry-After` with exponential backoff and
 * jitter. The default retry policy retries 429 only when the service says how
 * long to wait, and ARM does not always say.
 */
export function throttlingBackoffPolicy(options: ThrottlingBackoffPolicyOptions = {}): PipelinePolicy {
  const base = options.retryDelayInMs ?? 1000;
  const max = options.maxRetryDelayInMs ?? 32_000;
  const strategy: RetryStrategy = {
    name: "throttlingBackoffStrategy",
    retry({ retryCount, response }) {
      if (response?.status !== 429 || RETRY_AFTER_HEADERS.some((h) => response.headers.has(h))) {
        return { skipStrategy: true };
      }
      const exponential = Math.min(max, base * 2 ** retryCount);
      // Half fixed, half random: spreads writers that were throttled together.
      return { retryAfterInMs: exponential / 2 + Math.random() * (exponential / 2) };
    },
  };
  // The pipeline's own retryPolicy runs the strategy. It is made at the first request, when
  // @azure/core-rest-pipeline is loaded (the SDK does not load it on import).
  let retry: PipelinePolicy | undefined;
  return {
    name: throttlingBackoffPolicyName,
    async sendRequest(request, next) {
      retry ??= (pipelineModule.loaded() ?? (await pipelineModule.load())).retryPolicy([strategy], { maxRetries: options.maxRetries ?? 6 });
      return retry.sendRequest(request, next);
    },
  };
}
