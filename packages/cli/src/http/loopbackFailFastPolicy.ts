import { RestError } from "@azure/core-rest-pipeline";
import { isLoopbackHost } from "./loopback.js";
import type { PipelinePolicy } from "./types.js";

/**
 * A refused connection to a loopback host means nothing listens there (an
 * emulator that is not running): report it at once instead of letting the
 * retry policy try again for several seconds. The error keeps its message;
 * its code becomes `REQUEST_SEND_ERROR`, which the retry policy does not
 * retry. Every other error passes through unchanged.
 */
export function loopbackFailFastPolicy(): PipelinePolicy {
  return {
    name: "vmIdentityCliLoopbackFailFast",
    async sendRequest(request, next) {
      try {
        return await next(request);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (code === "ECONNREFUSED" && isLoopbackHost(new URL(request.url).hostname)) {
          throw new RestError((e as Error).message, { code: RestError.REQUEST_SEND_ERROR, request });
        }
        throw e;
      }
    },
  };
}
