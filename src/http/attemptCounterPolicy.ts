import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";

/** The name of {@link attemptCounterPolicy} in a pipeline. */
export const attemptCounterPolicyName = "vmIdentityAttemptCounterPolicy";

const attempts = new WeakMap<PipelineRequest, number>();

/** How many times the pipeline sent `request` (retries included). */
export function attemptsOf(request: PipelineRequest): number {
  return attempts.get(request) ?? 0;
}

/**
 * Counts the attempts of every request, inside the retry policies. A write
 * sent more than once may have landed before its replay: callers use the count
 * to read a 412 or a 204 on a replay as "my earlier attempt did it".
 */
export function attemptCounterPolicy(): PipelinePolicy {
  return {
    name: attemptCounterPolicyName,
    sendRequest(request, next) {
      attempts.set(request, attemptsOf(request) + 1);
      return next(request);
    },
  };
}
