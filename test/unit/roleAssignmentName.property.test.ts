/**
 * The role assignment name: a pure function of (scope, principal, role
 * definition id), stable across versions, different whenever any of the
 * three differs, and a well-formed version-5 UUID. The SHA-1 under it is
 * checked against Node's own.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nameBasedUuid, sha1 } from "../../src/core/nameBasedUuid.js";
import { roleAssignmentName } from "../../src/index.js";

const guid = fc.uuid();
const segment = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._()-]{0,20}$/);
const scope = fc.oneof(
  guid.map((s) => `/subscriptions/${s}`),
  fc.tuple(guid, segment).map(([s, g]) => `/subscriptions/${s}/resourceGroups/${g}`),
  fc.tuple(guid, segment, segment).map(([s, g, n]) => `/subscriptions/${s}/resourceGroups/${g}/providers/Microsoft.KeyVault/vaults/${n}`),
);
const roleDefinitionId = fc.tuple(fc.option(guid, { nil: undefined }), guid).map(([sub, role]) =>
  `${sub ? `/subscriptions/${sub}` : ""}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
);
const triple = fc.tuple(scope, guid, roleDefinitionId);
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Flip the case of some letters: ARM compares these ids without case. */
const recase = (s: string, mask: number): string => [...s].map((c, i) => ((mask >> i % 31) & 1 ? c.toUpperCase() : c.toLowerCase())).join("");

describe("roleAssignmentName(scope, principalId, roleDefinitionId)", () => {
  it("is a version-5 UUID, the same for the same inputs, whatever their case and a trailing slash on the scope", () => {
    fc.assert(
      fc.property(triple, fc.integer({ min: 0, max: 2 ** 31 - 1 }), ([s, p, r], mask) => {
        const name = roleAssignmentName(s, p, r);
        expect(name).toMatch(UUID_V5);
        expect(roleAssignmentName(s, p, r)).toBe(name);
        expect(roleAssignmentName(`${recase(s, mask)}/`, recase(p, mask), recase(r, mask))).toBe(name);
      }),
      { numRuns: 500 },
    );
  });

  it("differs when any one of the three differs", () => {
    fc.assert(
      fc.property(triple, triple, ([s1, p1, r1], [s2, p2, r2]) => {
        const base = roleAssignmentName(s1, p1, r1);
        if (s1.toLowerCase() !== s2.toLowerCase()) expect(roleAssignmentName(s2, p1, r1)).not.toBe(base);
        if (p1.toLowerCase() !== p2.toLowerCase()) expect(roleAssignmentName(s1, p2, r1)).not.toBe(base);
        if (r1.toLowerCase() !== r2.toLowerCase()) expect(roleAssignmentName(s1, p1, r2)).not.toBe(base);
      }),
      { numRuns: 500 },
    );
  });

  it("does not depend on where the inputs are cut: moving text from one input to the next changes the name", () => {
    const s = "/subscriptions/00000000-0000-0000-0000-000000000001";
    expect(roleAssignmentName(`${s}/resourceGroups/a`, "b", "c")).not.toBe(roleAssignmentName(`${s}/resourceGroups/ab`, "", "c"));
  });

  it("is stable across versions (pinned values: a changed derivation would grant everything twice)", () => {
    const sub = "00000000-0000-0000-0000-000000000001";
    const reader = `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`;
    expect(roleAssignmentName(`/subscriptions/${sub}/resourceGroups/data`, "11111111-2222-3333-4444-555555555555", reader)).toBe("eb226a45-c2de-50f7-b1ae-fda0fcbd7194");
    expect(roleAssignmentName(`/subscriptions/${sub}/resourceGroups/data`, "22222222-2222-3333-4444-555555555555", reader)).toBe("d137d9e7-ba7f-509c-99e2-c04e2fa164e8");
  });
});

describe("the name-based UUID under it", () => {
  it("matches RFC 9562's version-5 example (www.example.com in the DNS namespace)", () => {
    expect(nameBasedUuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com")).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2");
  });

  it("its SHA-1 agrees with node:crypto on any input, across block boundaries", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(Buffer.from(sha1(bytes)).toString("hex")).toBe(createHash("sha1").update(bytes).digest("hex"));
      }),
      { numRuns: 300 },
    );
    for (const n of [55, 56, 63, 64, 119, 120]) {
      const bytes = new Uint8Array(n).fill(0x61);
      expect(Buffer.from(sha1(bytes)).toString("hex")).toBe(createHash("sha1").update(bytes).digest("hex"));
    }
  });
});
