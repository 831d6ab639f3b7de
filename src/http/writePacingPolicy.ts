import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";
import type { WritePacer } from "./writePacer.js";

/** The name of {@link writePacingPolicy} in a pipeline. */
export const writePacingPolicyName = "vmIdentityWritePacingPolicy";

const pacers = new WeakMap<PipelineRequest, WritePacer>();
const WRITES = new Set(["PUT", "PATCH", "DELETE", "POST"]);

/** Pace `request` (a write) with `pacer` on every attempt the pipeline makes. */
export function bindWritePacer(request: PipelineRequest, pacer: WritePacer | undefined): void {
  if (pacer && WRITES.has(request.method)) pacers.set(request, pacer);
}

/**
 * Runs once per attempt, inside the retry policies, so that retried writes
 * are paced too and every 429 is seen, including those the retry policy
 * absorbs. Requests not bound to a pacer pass straight through.
 */
export function writePacingPolicy(): PipelinePolicy {
  return {
    name: writePacingPolicyName,
    async sendRequest(request, next) {
      const pacer = pacers.get(request);
      if (!pacer) return next(request);
      await pacer.acquire(request.abortSignal);
      try {
        const response = await next(request);
        pacer.observe(response.status, (name) => response.headers.get(name));
        return response;
      } catch (e) {
        pacer.release();
        throw e;
      }
    },
  };
}
