import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { RestError } from "@azure/core-rest-pipeline";
import { withoutQuery } from "../core/request.js";

/** The name of {@link attemptTimeoutPolicy} in a pipeline. */
export const attemptTimeoutPolicyName = "vmIdentityAttemptTimeoutPolicy";

/**
 * Bounds each attempt of a request (a connection that accepts but never
 * answers, a stalled body). A timed-out attempt fails as a `RestError` with
 * code `ETIMEDOUT`, which the retry policy around it retries; the caller's own
 * abort signal still ends the whole call at once.
 */
export function attemptTimeoutPolicy(timeoutInMs: number): PipelinePolicy {
  return {
    name: attemptTimeoutPolicyName,
    async sendRequest(request, next) {
      if (!(timeoutInMs > 0)) return next(request);
      const outer = request.abortSignal;
      const controller = new AbortController();
      let timedOut = false;
      const onOuterAbort = (): void => controller.abort();
      if (outer?.aborted) controller.abort();
      outer?.addEventListener("abort", onOuterAbort);
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutInMs);
      // The attempt gets its own signal; the retry policy outside sees the caller's again.
      request.abortSignal = controller.signal;
      try {
        return await next(request);
      } catch (e) {
        if (timedOut && !outer?.aborted) {
          throw new RestError(`${request.method} ${withoutQuery(request.url)} got no response within ${timeoutInMs} ms`, {
            code: "ETIMEDOUT",
            request,
          });
        }
        throw e;
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener("abort", onOuterAbort);
        request.abortSignal = outer;
      }
    },
  };
}
