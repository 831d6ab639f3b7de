import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { isLoopbackHost } from "../core/validation.js";

/** Name of {@link loopbackBearerPolicy}. */
export const loopbackBearerPolicyName = "vmIdentityLoopbackBearerPolicy";

const REFRESH_MARGIN_MS = 2 * 60 * 1000;

/**
 * Signs requests sent over plain http to a loopback host (the emulator of
 * `azure-vm-identity/testing`). The Azure SDK's bearer policy refuses every
 * non-https URL, while `validateEndpoint` deliberately allows http for
 * loopback hosts only; this policy takes its place for such endpoints and
 * still refuses to send a token anywhere else over plain http. It also marks
 * such requests `allowInsecureConnection`, without which the transport
 * refuses them.
 */
export function loopbackBearerPolicy(credential: TokenCredential, scopes: string[]): PipelinePolicy {
  let token: AccessToken | null = null;
  return {
    name: loopbackBearerPolicyName,
    async sendRequest(request, next) {
      const url = new URL(request.url);
      if (url.protocol !== "https:" && !isLoopbackHost(url.hostname)) {
        throw new Error("Bearer token authentication over plain http is allowed only for loopback hosts.");
      }
      // The transport refuses plain http unless the request allows it.
      if (url.protocol === "http:") request.allowInsecureConnection = true;
      if (!token || token.expiresOnTimestamp - Date.now() < REFRESH_MARGIN_MS) {
        token = await credential.getToken(scopes, { abortSignal: request.abortSignal });
      }
      if (token) request.headers.set("Authorization", `Bearer ${token.token}`);
      return next(request);
    },
  };
}
