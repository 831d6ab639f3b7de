/**
 * Nothing secret or real may be committed under test/recordings: no bearer
 * token, no JWT, no Authorization header, no subscription id other than the
 * allowed fakes, and no real tenant / principal / client id.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isFakeGuid, isFakeSubscriptionId, type RecordedDefinition, sanitizeDefinitions } from "../recordings/sanitize.js";
import { RECORDINGS_DIR } from "./harness.js";
import { useNock } from "../support/nock.js";

useNock();

/** The walkthrough steps, one fixture each. */
const STEPS = [
  "enable-system-identity",
  "msi-extension-install-windows",
  "msi-extension-install-linux",
  "msi-extension-remove",
  "create-vm-system-identity",
  "create-vm-user-identity",
  "assign-user-identity",
  "remove-user-identity",
  "remove-last-user-identity",
  "disable-system-identity",
  "create-user-assigned-identity",
];

const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const SUBSCRIPTION_IN_TEXT = new RegExp(`/subscriptions/(${GUID})`, "gi");
const IDENTITY_FIELD = new RegExp(`"(tenantId|principalId|clientId|objectId)"\\s*:\\s*"(${GUID})"`, "gi");
const HEADER_BAGS = ["rawHeaders", "headers", "reqheaders", "badheaders"];

/** Everything wrong with one fixture file's text; empty when it is clean. */
function hygieneProblems(text: string): string[] {
  const problems: string[] = [];
  if (/bearer\s/i.test(text)) problems.push("holds a bearer token (`Bearer `)");
  if (text.includes("eyJ")) problems.push("holds something JWT-like (`eyJ`)");
  if (/"(authorization|x-ms-authorization-auxiliary|cookie|set-cookie)"\s*:/i.test(text)) problems.push("holds an authorization or cookie header");
  if (/"(access_token|refresh_token|id_token|client_secret)"/i.test(text)) problems.push("holds a token response");
  for (const [, sub] of text.matchAll(SUBSCRIPTION_IN_TEXT)) {
    if (!isFakeSubscriptionId(sub!)) problems.push(`holds a real-looking subscription id ${sub}`);
  }
  for (const [, field, id] of text.matchAll(IDENTITY_FIELD)) {
    if (!isFakeGuid(id!)) problems.push(`holds a real-looking ${field} ${id}`);
  }
  let defs: unknown;
  try {
    defs = JSON.parse(text);
  } catch {
    return [...problems, "is not JSON"];
  }
  if (!Array.isArray(defs)) return [...problems, "is not an array of nock definitions"];
  for (const [i, def] of (defs as Record<string, unknown>[]).entries()) {
    for (const bag of HEADER_BAGS) {
      const headers = def[bag];
      if (headers && typeof headers === "object" && !Array.isArray(headers)) {
        for (const name of Object.keys(headers)) {
          if (name.toLowerCase() === "authorization") problems.push(`definition ${i} has an authorization header in ${bag}`);
        }
      } else if (Array.isArray(headers) && headers.some((h) => String(h).toLowerCase() === "authorization")) {
        problems.push(`definition ${i} has an authorization header in ${bag}`);
      }
    }
  }
  return problems;
}

const files = readdirSync(RECORDINGS_DIR).filter((f) => f.endsWith(".json")).sort();

describe("fixture hygiene", () => {
  it("holds exactly one fixture per walkthrough step", () => {
    expect(files).toEqual(STEPS.map((s) => `${s}.json`).sort());
  });

  describe.each(files)("%s", (file) => {
    const text = readFileSync(path.join(RECORDINGS_DIR, file), "utf8");

    it("holds no token and no real subscription, tenant, principal or client id", () => {
      expect(hygieneProblems(text)).toEqual([]);
    });

    it("is a nock.back definition list for ARM over https", () => {
      const defs = JSON.parse(text) as RecordedDefinition[];
      expect(defs.length).toBeGreaterThan(0);
      for (const def of defs) {
        expect(def.scope).toBe("https://management.azure.com:443");
        expect(["GET", "PUT", "PATCH", "DELETE"]).toContain(def.method);
        expect(def.path).toMatch(/^\/subscriptions\/.+\?(.+&)?api-version=\d{4}-\d{2}-\d{2}$/);
        expect(typeof def.status).toBe("number");
        expect(def.rawHeaders).toBeTypeOf("object");
      }
    });

    it("is already sanitized (a fixed point of the afterRecord sanitizer)", () => {
      const defs = JSON.parse(text) as RecordedDefinition[];
      expect(sanitizeDefinitions(defs)).toEqual(defs);
    });
  });
});

describe("the hygiene check itself", () => {
  const clean = JSON.stringify([
    {
      scope: "https://management.azure.com:443",
      method: "GET",
      path: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm?api-version=2024-11-01",
      status: 200,
      response: { identity: { principalId: "bbbbbbbb-bbbb-bbbb-bbbb-000000000001", tenantId: "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" } },
      rawHeaders: { "x-ms-request-id": "11111111-1111-1111-1111-000000000001" },
    },
  ]);

  it("passes a clean fixture", () => {
    expect(hygieneProblems(clean)).toEqual([]);
  });

  it.each([
    ["a bearer token", clean.replace('"rawHeaders":{', '"rawHeaders":{"x-echo":"Bearer abc.def",')],
    ["a JWT", clean.replace("11111111-1111-1111-1111-000000000001", "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.sig")],
    ["an authorization request header", clean.replace('"status":200', '"reqheaders":{"Authorization":"REDACTED"},"status":200')],
    ["a real-looking subscription id", clean.replace("00000000-0000-0000-0000-000000000000", "9b2f6c3e-4d1a-4f5e-8c7b-2a1d0e9f8b7c")],
    ["a subscription id that is almost the fake", clean.replace("00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000001")],
    ["a real-looking principal id", clean.replace("bbbbbbbb-bbbb-bbbb-bbbb-000000000001", "0d4b7e1f-3a6c-4e9b-8d2f-5c1a7e3b9d6f")],
    ["a token response", clean.replace('"response":{', '"response":{"access_token":"x",')],
  ])("fails a fixture holding %s", (_what, dirty) => {
    expect(dirty).not.toBe(clean);
    expect(hygieneProblems(dirty)).not.toEqual([]);
  });
});
