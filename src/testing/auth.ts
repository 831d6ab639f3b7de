import { randomBytes } from "node:crypto";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { errorResponse } from "./errors.js";
import type { ArmResponse } from "./response.js";

const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

/** The emulator's bearer token and a credential that hands it out. */
export interface FakeAuth {
  readonly credential: TokenCredential;
  /** 401 `AuthenticationFailed` unless the header carries the token; undefined when it does. */
  check(authorization: string | undefined): ArmResponse | undefined;
}

/** Creates a random token (per emulator) and the credential returning it. */
export function createFakeAuth(): FakeAuth {
  const token = randomBytes(32).toString("base64url");
  const credential: TokenCredential = {
    async getToken(): Promise<AccessToken> {
      return { token, expiresOnTimestamp: Date.now() + TOKEN_LIFETIME_MS, tokenType: "Bearer" };
    },
  };
  return {
    credential,
    check(authorization) {
      if (authorization === undefined || authorization === "") {
        return errorResponse(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
      }
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match || match[1] !== token) {
        return errorResponse(
          401,
          "AuthenticationFailed",
          "Authentication failed. The 'Authorization' header does not carry a bearer token this emulator issued.",
        );
      }
      return undefined;
    },
  };
}
