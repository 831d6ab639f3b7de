import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IdentityType, VmIdentity } from "../../src/core/identity.js";
import { type IdentityChange, planIdentityChange } from "../../src/core/planIdentityChange.js";
import { InvalidInputError } from "../../src/core/errors.js";

// ---------------------------------------------------------------------------
// An independent model of ARM (docs/arm.md §2-§3). Written from the
// contract, not from the planner: nothing here imports src/core helpers.
// ---------------------------------------------------------------------------

const CANONICAL_TYPES = ["None", "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned"] as const;
const withUsers = (type: string): boolean => type === "UserAssigned" || type === "SystemAssigned, UserAssigned";
const withSystem = (type: string): boolean => type === "SystemAssigned" || type === "SystemAssigned, UserAssigned";
const lower = (s: string): string => s.toLowerCase();
const UAI_ID =
  /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i;

/** What ARM holds for a VM: a type and user-assigned ids in the casing ARM stored them. */
interface ArmState {
  type: IdentityType;
  users: string[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/**
 * (a) Would ARM accept this PATCH body on a VM in `state`? Returns the rules
 * broken; empty when accepted. Stricter than ARM where the contract is vague.
 */
function armRejects(state: ArmState, body: unknown): string[] {
  const why: string[] = [];
  if (!isPlainObject(body)) return ["body is not an object"];
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== "identity") why.push(`body keys ${JSON.stringify(keys)} are not exactly ["identity"]`);
  const identity = body["identity"];
  if (!isPlainObject(identity)) return [...why, "identity is not an object"];
  for (const k of Object.keys(identity)) {
    if (k !== "type" && k !== "userAssignedIdentities") why.push(`unexpected identity key ${k}`);
  }
  const type = identity["type"];
  if (!CANONICAL_TYPES.includes(type as IdentityType)) return [...why, `type ${JSON.stringify(type)} is not a canonical spelling`];
  const hasMapKey = Object.prototype.hasOwnProperty.call(identity, "userAssignedIdentities");
  const map = identity["userAssignedIdentities"];
  const held = new Set(state.users.map(lower));

  if (hasMapKey && map !== null) {
    if (!isPlainObject(map)) {
      why.push("userAssignedIdentities is neither an object nor null");
    } else {
      if (!withUsers(type as string)) why.push(`a user-assigned map is sent with type ${type as string}`);
      const ids = Object.keys(map);
      if (ids.length === 0) why.push("userAssignedIdentities is {}");
      const seen = new Set<string>();
      for (const id of ids) {
        if (!UAI_ID.test(id)) why.push(`key ${id} is not a user-assigned identity id`);
        if (seen.has(lower(id))) why.push(`key ${id} is duplicated (case-insensitively)`);
        seen.add(lower(id));
        const value = map[id];
        if (value === null) {
          if (!held.has(lower(id))) why.push(`null for ${id}, which the VM does not hold`);
        } else if (!isPlainObject(value) || Object.keys(value).length !== 0) {
          why.push(`value for ${id} is neither {} nor null`);
        }
      }
    }
  }
  if (!withUsers(type as string) && held.size > 0 && !(hasMapKey && map === null)) {
    why.push(`type ${type as string} while the VM holds user-assigned identities, without userAssignedIdentities: null`);
  }
  if (why.length === 0 && withUsers(type as string) && applyArmPatch(state, body as PatchBody).users.length === 0) {
    why.push(`type ${type as string} would leave no user-assigned identity`);
  }
  return why;
}

type PatchBody = { identity: { type: IdentityType; userAssignedIdentities?: Record<string, object | null> | null } };

/** (b) ARM's merge-PATCH of `identity`: unnamed entries kept, null removes, a null map clears. */
function applyArmPatch(state: ArmState, body: PatchBody): ArmState {
  const { type, userAssignedIdentities: map } = body.identity;
  let users = [...state.users];
  if (map === null) {
    users = [];
  } else if (map !== undefined) {
    for (const [id, value] of Object.entries(map)) {
      const at = users.findIndex((held) => lower(held) === lower(id));
      if (value === null) {
        if (at >= 0) users.splice(at, 1);
      } else if (at < 0) {
        users.push(id); // a new id is stored as sent; a held one keeps ARM's casing
      }
    }
  }
  return { type, users: withUsers(type) ? users : [] };
}

/** What the changes should produce, folded independently; `missing` when a removal names an id not held. */
function expectedFold(state: ArmState, changes: IdentityChange[]): { system: boolean; users: Set<string> } | { missing: string[] } {
  let system = withSystem(state.type);
  const users = new Set(state.users.map(lower));
  for (const change of changes) {
    if (change.op === "enableSystemAssigned") system = true;
    else if (change.op === "disableSystemAssigned") system = false;
    else if (change.op === "removeAll") {
      system = false;
      users.clear();
    } else if (change.op === "assignUserAssigned") {
      for (const id of change.ids) users.add(lower(id));
    } else {
      const missing = change.ids.filter((id) => !users.has(lower(id)));
      if (missing.length > 0) return { missing };
      for (const id of change.ids) users.delete(lower(id));
    }
  }
  return { system, users };
}

const typeFor = (system: boolean, users: boolean): IdentityType =>
  system && users ? "SystemAssigned, UserAssigned" : system ? "SystemAssigned" : users ? "UserAssigned" : "None";

const toVmIdentity = (state: ArmState): VmIdentity => ({
  type: state.type,
  userAssigned: state.users.map((id) => ({ id })),
});
const toArmState = (identity: VmIdentity): ArmState => ({ type: identity.type, users: identity.userAssigned.map((r) => r.id) });
const sortedLower = (ids: Iterable<string>): string[] => [...ids].map(lower).sort();

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

const SUBS = ["0b1e7a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "ffffffff-0000-4000-8000-00000000abcd"];
const POOL = [
  [0, "rg-one", "uai-a"],
  [0, "rg-one", "uai-b"],
  [0, "Rg_Two", "uai-a"], // same name, other group: a different identity
  [1, "rg-one", "uai-c"],
  [1, "RG.three", "Identity_D"],
  [0, "rg-one", "uai-e"],
].map(([sub, rg, name]) => `/subscriptions/${SUBS[sub as number]}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`);

/** One pool id in a random casing (including the identity service's all-lower-case /resourcegroups/ form). */
const casedId = (index: fc.Arbitrary<number> = fc.nat(POOL.length - 1)): fc.Arbitrary<string> =>
  fc.tuple(index, fc.integer({ min: 1, max: 0x7fffffff }), fc.constantFrom("as-is", "lower", "upper", "random")).map(
    ([i, seed, mode]) => {
      const id = POOL[i]!;
      if (mode === "as-is") return id;
      if (mode === "lower") return id.toLowerCase();
      if (mode === "upper") return id.toUpperCase();
      let x = seed; // xorshift: a per-character coin from one generated seed
      return [...id]
        .map((c) => {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          return x & 1 ? c.toUpperCase() : c.toLowerCase();
        })
        .join("");
    },
  );

/** A state ARM could hold: the type agrees with the (case-insensitively distinct) ids. */
const armState: fc.Arbitrary<ArmState> = fc
  .tuple(fc.boolean(), fc.subarray(POOL.map((_, i) => i)))
  .chain(([system, indices]) =>
    fc.tuple(fc.constant(system), indices.length === 0 ? fc.constant<string[]>([]) : fc.tuple(...indices.map((i) => casedId(fc.constant(i))))),
  )
  .map(([system, users]) => ({ type: typeFor(system, users.length > 0), users }));

const idList = fc.array(casedId(), { minLength: 1, maxLength: 3 });
const change: fc.Arbitrary<IdentityChange> = fc.oneof(
  fc.constant<IdentityChange>({ op: "enableSystemAssigned" }),
  fc.constant<IdentityChange>({ op: "disableSystemAssigned" }),
  { arbitrary: fc.constant<IdentityChange>({ op: "removeAll" }), weight: 1 },
  { arbitrary: idList.map((ids): IdentityChange => ({ op: "assignUserAssigned", ids })), weight: 3 },
  { arbitrary: idList.map((ids): IdentityChange => ({ op: "removeUserAssigned", ids })), weight: 2 },
);
const changes = fc.array(change, { maxLength: 6 });

/** Change lists that leave `state` as it is. */
const noOpChanges = (state: ArmState): fc.Arbitrary<IdentityChange[]> => {
  const held = state.users;
  const notHeld = POOL.filter((id) => !held.some((h) => lower(h) === lower(id)));
  const steps: fc.Arbitrary<IdentityChange[]>[] = [
    fc.constant([withSystem(state.type) ? { op: "enableSystemAssigned" } : { op: "disableSystemAssigned" }]),
  ];
  if (held.length > 0) {
    // Re-assign held ids in any casing.
    steps.push(fc.subarray(held, { minLength: 1 }).chain((ids) => fc.shuffledSubarray(ids, { minLength: ids.length }))
      .map((ids) => [{ op: "assignUserAssigned", ids: ids.map((id) => (id === id.toUpperCase() ? id.toLowerCase() : id.toUpperCase())) }]));
    // Remove a held id, then assign it back.
    steps.push(fc.constantFrom(...held).map((id) => [{ op: "removeUserAssigned", ids: [id.toUpperCase()] }, { op: "assignUserAssigned", ids: [id] }]));
  }
  if (notHeld.length > 0) {
    // Assign a new id, then remove it again.
    steps.push(fc.constantFrom(...notHeld).map((id) => [{ op: "assignUserAssigned", ids: [id] }, { op: "removeUserAssigned", ids: [id.toLowerCase()] }]));
  }
  if (state.type === "None") steps.push(fc.constant([{ op: "removeAll" }]));
  // Toggle system off and back on (or on and back off).
  steps.push(
    fc.constant(
      withSystem(state.type)
        ? [{ op: "disableSystemAssigned" }, { op: "enableSystemAssigned" }]
        : [{ op: "enableSystemAssigned" }, { op: "disableSystemAssigned" }],
    ),
  );
  return fc.array(fc.oneof(...steps), { maxLength: 4 }).map((parts) => parts.flat() as IdentityChange[]);
};

// ---------------------------------------------------------------------------

const RUNS = 1000;
const stats = { planned: 0, patched: 0, refused: 0 };

describe("planIdentityChange against a model of ARM", () => {
  it("the model itself: accepts every docs/arm.md §3 body and rejects the known-bad ones", () => {
    const X = POOL[0]!;
    const Y = POOL[1]!;
    const su = "SystemAssigned, UserAssigned" as const;
    expect(armRejects({ type: "None", users: [] }, { identity: { type: "SystemAssigned" } })).toEqual([]);
    expect(armRejects({ type: su, users: [X, Y] }, { identity: { type: su, userAssignedIdentities: { [X]: null } } })).toEqual([]);
    expect(armRejects({ type: "UserAssigned", users: [Y] }, { identity: { type: "None", userAssignedIdentities: null } })).toEqual([]);
    expect(armRejects({ type: su, users: [X] }, { identity: { type: "UserAssigned" } })).toEqual([]);
    // Known-bad bodies (docs/arm.md §2-§3).
    const bad: [ArmState, unknown][] = [
      [{ type: "None", users: [] }, { identity: { type: "SystemAssigned,UserAssigned", userAssignedIdentities: { [X]: {} } } }],
      [{ type: "SystemAssigned", users: [] }, { identity: { type: "SystemAssigned", userAssignedIdentities: { [X]: {} } } }],
      [{ type: "SystemAssigned", users: [] }, { identity: { type: su, userAssignedIdentities: {} } }],
      [{ type: "None", users: [] }, { identity: { type: "UserAssigned", userAssignedIdentities: { [X]: {}, [X.toLowerCase()]: {} } } }],
      [{ type: su, users: [X] }, { identity: { type: "SystemAssigned" } }],
      [{ type: "UserAssigned", users: [X] }, { identity: { type: "UserAssigned", userAssignedIdentities: { [Y]: null } } }],
      [{ type: "UserAssigned", users: [X] }, { identity: { type: "UserAssigned", userAssignedIdentities: { [X]: null } } }],
      [{ type: "None", users: [] }, { identity: { type: "SystemAssigned" }, location: "westeurope" }],
      [{ type: "None", users: [] }, { identity: { type: "UserAssigned", userAssignedIdentities: { [X]: { principalId: "p" } } } }],
    ];
    for (const [state, body] of bad) expect(armRejects(state, body), JSON.stringify(body)).not.toEqual([]);
    expect(applyArmPatch({ type: su, users: [X, Y] }, { identity: { type: su, userAssignedIdentities: { [X.toUpperCase()]: null } } })).toEqual({
      type: su,
      users: [Y],
    });
  });

  it(`every patch is accepted by ARM and lands exactly on desired (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(armState, changes, (state, list) => {
        stats.planned++;
        const expected = expectedFold(state, list);
        if ("missing" in expected) {
          stats.refused++;
          let error: unknown;
          try {
            planIdentityChange(toVmIdentity(state), list);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(InvalidInputError);
          expect((error as InvalidInputError).code).toBe("IdentityNotAssigned");
          for (const id of expected.missing) expect((error as Error).message).toContain(id);
          return;
        }
        const plan = planIdentityChange(toVmIdentity(state), list);
        // desired is what the changes mean.
        expect(plan.desired.type).toBe(typeFor(expected.system, expected.users.size > 0));
        expect(sortedLower(plan.desired.userAssigned.map((r) => r.id))).toEqual([...expected.users].sort());
        // No patch exactly when nothing changes.
        const unchanged =
          typeFor(expected.system, expected.users.size > 0) === state.type &&
          sortedLower(state.users).join("\n") === [...expected.users].sort().join("\n");
        expect(plan.patch === undefined).toBe(unchanged);
        if (!plan.patch) return;
        stats.patched++;
        // ARM accepts the body, and merging it gives desired, casing included.
        expect(armRejects(state, plan.patch)).toEqual([]);
        expect(JSON.parse(JSON.stringify(plan.patch))).toEqual(plan.patch);
        const after = applyArmPatch(state, plan.patch as PatchBody);
        expect(after.type).toBe(plan.desired.type);
        expect([...after.users].sort()).toEqual(plan.desired.userAssigned.map((r) => r.id).sort());
      }),
      { numRuns: RUNS },
    );
    console.log(
      `planIdentityChange property: ${stats.planned} change lists planned, ${stats.patched} produced a patch, ${stats.refused} refused (IdentityNotAssigned)`,
    );
    // The generators reach both the write path and the refusal path often.
    expect(stats.patched).toBeGreaterThan(RUNS / 4);
    expect(stats.refused).toBeGreaterThan(RUNS / 20);
  });

  it(`re-planning the result sends nothing (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(armState, changes, (state, list) => {
        if ("missing" in expectedFold(state, list)) return;
        const plan = planIdentityChange(toVmIdentity(state), list);
        const after = plan.patch ? applyArmPatch(state, plan.patch as PatchBody) : state;
        // desired, planned again with no changes, is a no-op.
        expect(planIdentityChange(plan.desired, []).patch).toBeUndefined();
        // The same changes on the resulting VM: a no-op, unless a removal now names an id already gone.
        const again = toVmIdentity(after);
        if (list.some((c) => c.op === "removeUserAssigned")) {
          try {
            expect(planIdentityChange(again, list).patch).toBeUndefined();
          } catch (e) {
            expect((e as InvalidInputError).code).toBe("IdentityNotAssigned");
          }
        } else {
          const replan = planIdentityChange(again, list);
          expect(replan.patch).toBeUndefined();
          expect(toArmState(replan.desired).type).toBe(after.type);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`no-op change lists send nothing and keep ARM's ids as they are (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        armState.chain((state) => fc.tuple(fc.constant(state), noOpChanges(state))),
        ([state, list]) => {
          const plan = planIdentityChange(toVmIdentity(state), list);
          expect(plan.patch).toBeUndefined();
          expect(plan.desired.type).toBe(state.type);
          expect(plan.desired.userAssigned.map((r) => r.id).sort()).toEqual([...state.users].sort());
        },
      ),
      { numRuns: RUNS },
    );
  });
});
