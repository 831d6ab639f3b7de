import { randomBytes, randomUUID } from "node:crypto";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { errorResponse } from "./errors.js";
import type { ArmResponse } from "./response.js";

const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

/** The principal a request was made as. */
export interface Principal {
  /** The name the test gave it (`"default"` for {@link FakeAuth.credential}). */
  readonly name: string;
  /** Its object id, as ARM names the actor in throttling messages. Never the token. */
  readonly objectId: string;
}

/** The outcome of checking a request's `Authorization` header. */
export type AuthCheck = { denied: ArmResponse } | { principal: Principal };

/** The emulator's bearer tokens, one per principal, and credentials that hand them out. */
export interface FakeAuth {
  /** The credential of the default principal. */
  readonly credential: TokenCredential;
  /** The credential of the named principal (made on first use; the same token on every call). */
  credentialFor(name: string): TokenCredential;
  /** 401 `AuthenticationFailed` unless the header carries a token issued here; else its principal. */
  check(authorization: string | undefined): AuthCheck;
}

function credentialOf(token: string): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      return { token, expiresOnTimestamp: Date.now() + TOKEN_LIFETIME_MS, tokenType: "Bearer" };
    },
  };
}

/** Creates the default principal with a random token (per emulator) and its credential. */
export function createFakeAuth(): FakeAuth {
  const byToken = new Map<string, Principal>();
  const byName = new Map<string, TokenCredential>();

  function credentialFor(name: string): TokenCredential {
    if (typeof name !== "string" || name === "") throw new TypeError("credentialFor: the principal name must be a non-empty string.");
    let credential = byName.get(name);
    if (!credential) {
      const token = randomBytes(32).toString("base64url");
      byToken.set(token, { name, objectId: randomUUID() });
      credential = credentialOf(token);
      byName.set(name, credential);
    }
    return credential;
  }

  return {
    credential: credentialFor("default"),
    credentialFor,
    check(authorization) {
      if (authorization === undefined || authorization === "") {
        return { denied: errorResponse(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.") };
      }
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      const principal = match ? byToken.get(match[1] as string) : undefined;
      if (!principal) {
        return {
          denied: errorResponse(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header does not carry a bearer token this emulator issued.",
          ),
        };
      }
      return { principal };
    },
  };
}
