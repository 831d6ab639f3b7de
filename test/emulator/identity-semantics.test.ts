/** Properties of the pure identity rules, over generated states and requests. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArmError } from "../../src/testing/errors.js";
import { applyIdentityRequest, hasUserAssigned, parseIdentityType, type IdentityState } from "../../src/testing/identitySemantics.js";

const id = (name: string) =>
  `/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
const names = ["a", "b", "c", "A"];
const TYPES = ["None", "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned"] as const;

/** Valid current states: ids exactly when the type has UserAssigned. */
const state: fc.Arbitrary<IdentityState> = fc
  .record({ type: fc.constantFrom(...TYPES), ids: fc.uniqueArray(fc.constantFrom("a", "b", "c"), { minLength: 1, maxLength: 3 }) })
  .map(({ type, ids }) => ({ type, userAssignedIds: hasUserAssigned(type) ? ids.map(id) : [] }));

const request = fc.record(
  {
    type: fc.constantFrom<unknown>(...TYPES, "systemassigned,userassigned", "Bogus", 1),
    userAssignedIdentities: fc.oneof(
      fc.constant(null),
      fc.dictionary(fc.constantFrom(...names).map(id), fc.constantFrom<unknown>({}, null), { maxKeys: 3 }),
    ),
  },
  { requiredKeys: [] },
);

describe("applyIdentityRequest", () => {
  it("either rejects with 400 or yields a consistent state", () => {
    fc.assert(
      fc.property(state, request, fc.constantFrom("PUT" as const, "PATCH" as const), (current, body, method) => {
        let result;
        try {
          result = applyIdentityRequest(current, body, method);
        } catch (err) {
          expect(err).toBeInstanceOf(ArmError);
          expect((err as ArmError).status).toBe(400);
          return;
        }
        const { state: next, addedIds } = result;
        // The type describes what remains.
        expect(hasUserAssigned(next.type)).toBe(next.userAssignedIds.length > 0);
        const keys = next.userAssignedIds.map((x) => x.toLowerCase());
        expect(new Set(keys).size).toBe(keys.length);
        const held = new Set(current.userAssignedIds.map((x) => x.toLowerCase()));
        expect(addedIds).toEqual(next.userAssignedIds.filter((x) => !held.has(x.toLowerCase())));
        // Ids already held keep their stored casing.
        for (const kept of next.userAssignedIds.filter((x) => held.has(x.toLowerCase()))) {
          expect(current.userAssignedIds).toContain(kept);
        }
        if (method === "PATCH" && body.type === undefined) expect(next.type).toBe(current.type);
      }),
      { numRuns: 2000 },
    );
  });

  it("a PATCH naming only the type keeps the held ids when the type still has UserAssigned", () => {
    fc.assert(
      fc.property(state, (current) => {
        fc.pre(hasUserAssigned(current.type));
        const next = applyIdentityRequest(current, { type: "SystemAssigned, UserAssigned" }, "PATCH").state;
        expect(next.userAssignedIds).toEqual(current.userAssignedIds);
      }),
    );
  });
});

describe("parseIdentityType", () => {
  it.each([
    ["none", "None"],
    ["SYSTEMASSIGNED", "SystemAssigned"],
    ["userAssigned", "UserAssigned"],
    ["SystemAssigned,UserAssigned", "SystemAssigned, UserAssigned"],
    ["SystemAssigned ,  UserAssigned", "SystemAssigned, UserAssigned"],
  ])("parses %j", (input, expected) => {
    expect(parseIdentityType(input)).toBe(expected);
  });

  it.each(["", "System Assigned", "UserAssigned, SystemAssigned", "None, SystemAssigned", "SystemAssigned,SystemAssigned", null])(
    "rejects %j",
    (input) => {
      expect(parseIdentityType(input)).toBeUndefined();
    },
  );
});
