import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "./types.js";

/** Told of a write's final answer. */
export type WriteListener = (request: PipelineRequest, response: PipelineResponse) => void;

const WRITES = new Set(["PUT", "PATCH", "POST", "DELETE"]);

/**
 * A policy (added per call, so it sees the answer after every retry) that
 * tells the listeners of each write's answer. It changes nothing.
 */
export function writeWatchPolicy(listeners: () => Iterable<WriteListener>): PipelinePolicy {
  return {
    name: "vmIdentityCliWriteWatch",
    async sendRequest(request, next) {
      const response = await next(request);
      if (WRITES.has(request.method)) for (const listener of listeners()) listener(request, response);
      return response;
    },
  };
}
