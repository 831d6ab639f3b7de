import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { UsageError } from "./errors.js";
import type { Redactor } from "./redact.js";

const ONE_HOUR_MS = 60 * 60 * 1000;

/** The `exp` of a JWT in milliseconds, or undefined when the token is not a readable JWT. */
function jwtExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A credential that always returns the given bearer token (e.g. from
 * `az account get-access-token --query accessToken -o tsv`). Its expiry is the
 * JWT's `exp` when readable, else an hour from now; it is never refreshed.
 */
export function staticTokenCredential(token: string): TokenCredential {
  const trimmed = token.trim().replace(/^Bearer\s+/i, "");
  if (!trimmed || /\s/.test(trimmed)) {
    throw new UsageError("Invalid --access-token: expected a bearer token (no spaces), e.g. from \"az account get-access-token --query accessToken -o tsv\".");
  }
  const expiresOnTimestamp = jwtExpiry(trimmed) ?? Date.now() + ONE_HOUR_MS;
  return {
    getToken: async (): Promise<AccessToken> => ({ token: trimmed, expiresOnTimestamp }),
  };
}

/** Where `DefaultAzureCredential` signs in. */
export interface SignInOptions {
  /** The authority host of the subscription's cloud, e.g. `https://login.chinacloudapi.cn`. */
  authorityHost: string;
  /** The subscription's tenant, when the Azure CLI's profile names it (so `az login` tokens are for that tenant). */
  tenantId?: string;
}

/**
 * `DefaultAzureCredential` from `@azure/identity` for a cloud and tenant,
 * imported only when needed: it is large, and most invocations that get here
 * are about to call Azure anyway.
 */
export async function defaultAzureCredential(options: SignInOptions): Promise<TokenCredential> {
  const { DefaultAzureCredential } = await import("@azure/identity");
  return new DefaultAzureCredential({ authorityHost: options.authorityHost, ...(options.tenantId ? { tenantId: options.tenantId } : {}) });
}

/** Wraps a credential so that every token it hands out is registered with the redactor. */
export function redactingCredential(inner: TokenCredential, redactor: Redactor): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const token = await inner.getToken(scopes, options);
      redactor.add(token?.token);
      return token;
    },
  };
}

/**
 * A credential made on first use: `DefaultAzureCredential` (and its import)
 * costs nothing for a command that fails validation or sends nothing.
 */
export function lazyCredential(make: () => Promise<TokenCredential>): TokenCredential {
  let inner: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      inner ??= make();
      return (await inner).getToken(scopes, options);
    },
  };
}

/**
 * The credential for a run: the static token when one is given, else
 * `DefaultAzureCredential` for the cloud and tenant (made on first use).
 */
export function createCredential(accessToken: string | undefined, redactor: Redactor, signIn: SignInOptions): TokenCredential {
  if (accessToken !== undefined) {
    const credential = staticTokenCredential(accessToken);
    redactor.add(accessToken.trim().replace(/^Bearer\s+/i, ""));
    return redactingCredential(credential, redactor);
  }
  return redactingCredential(
    lazyCredential(() => defaultAzureCredential(signIn)),
    redactor,
  );
}
