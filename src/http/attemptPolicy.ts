import type { PipelinePolicy, PipelineResponse } from "@azure/core-rest-pipeline";
import { requestFacts } from "./requestFacts.js";

/** The name of {@link attemptPolicy} in a pipeline. */
export const attemptPolicyName = "vmIdentityAttemptPolicy";

/**
 * Runs once per attempt, inside the retry policies: counts the attempts of
 * every request and those that ended without a response, and admits each
 * attempt through the request's gate (a fleet's budgets), if it has one.
 *
 * A write with an unanswered attempt may have reached ARM before its replay;
 * a 503 is a response and does not count.
 */
export function attemptPolicy(): PipelinePolicy {
  return {
    name: attemptPolicyName,
    async sendRequest(request, next) {
      const facts = requestFacts(request);
      const gate = facts.gate;
      if (gate) await gate.admit(request);
      facts.attempts++;
      try {
        const response = await next(request);
        gate?.settle(request, response);
        return response;
      } catch (e) {
        const response = (e as { response?: PipelineResponse } | undefined)?.response;
        if (!response) facts.unanswered++;
        gate?.settle(request, response);
        throw e;
      }
    },
  };
}
