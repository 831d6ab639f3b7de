import type { PipelinePolicy } from "./types.js";

/** Counts the requests a run sends (every attempt), so that an error can tell whether anything was sent. */
export function requestCounterPolicy(onSend: () => void): PipelinePolicy {
  return {
    name: "vmIdentityCliRequestCounter",
    sendRequest(request, next) {
      onSend();
      return next(request);
    },
  };
}
