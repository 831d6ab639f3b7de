import type { PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";

/**
 * Admits each attempt of a request and hears how it ended: how a fleet keeps
 * its requests within ARM's and Compute's budgets. Called once per attempt,
 * inside the retry policies, so retried requests are admitted too and every
 * 429 is heard, including those a retry policy absorbs.
 */
export interface RequestGate {
  /** Resolve when the attempt may be sent; reject (abort) to give it up. */
  admit(request: PipelineRequest): Promise<void>;
  /** The attempt ended: with a response, or (undefined) without one. Called once per admitted attempt. */
  settle(request: PipelineRequest, response: PipelineResponse | undefined): void;
}

/** What the pipeline learns about one request while sending it. */
export interface RequestFacts {
  /** Attempts sent, retries included. */
  attempts: number;
  /** Attempts that ended without any response (a reset, a timeout): each may have reached ARM. */
  unanswered: number;
  /** The gate that admits this request's attempts, if any. */
  gate?: RequestGate;
}

const facts = new WeakMap<PipelineRequest, RequestFacts>();

/**
 * The facts of `request`: the one request-keyed place where per-request state
 * lives between the operation that sends a request and the policies that
 * see its attempts.
 */
export function requestFacts(request: PipelineRequest): RequestFacts {
  let found = facts.get(request);
  if (!found) {
    found = { attempts: 0, unanswered: 0 };
    facts.set(request, found);
  }
  return found;
}
