import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { VmIdentityClient, type VmIdentityClientOptions } from "../../src/index.js";

/** A token that must never show up in logs, errors or output. */
export const SECRET_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-test-token.signature";
export const SUB = "00000000-0000-0000-0000-000000000001";
export const ARM = "https://management.azure.com";
export const API = "2024-11-01";

/** A credential that hands out {@link SECRET_TOKEN} and records the scopes it was asked for. */
export function fakeCredential(): TokenCredential & { scopes: string[][] } {
  const scopes: string[][] = [];
  return {
    scopes,
    async getToken(requested: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
      scopes.push(Array.isArray(requested) ? requested : [requested]);
      return { token: SECRET_TOKEN, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
}

/** A client on the public endpoint with no waiting between polls or retries. */
export function fastClient(options: VmIdentityClientOptions = {}): VmIdentityClient {
  return new VmIdentityClient(fakeCredential(), SUB, {
    updateIntervalInMs: 0,
    retryOptions: { retryDelayInMs: 1, maxRetryDelayInMs: 5 },
    ...options,
  });
}

export const vmPath = (rg: string, name: string): string =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;

export const uaiId = (rg: string, name: string): string =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;

/** A VM body as ARM returns it. */
export function vmBody(
  rg: string,
  name: string,
  etag: number,
  identity?: unknown,
  provisioningState = "Succeeded",
): Record<string, unknown> {
  return {
    id: vmPath(rg, name),
    name,
    type: "Microsoft.Compute/virtualMachines",
    location: "westus",
    etag: `"${etag}"`,
    ...(identity ? { identity } : {}),
    properties: { provisioningState, storageProfile: { osDisk: { osType: "Linux" } } },
  };
}
