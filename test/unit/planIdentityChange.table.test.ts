import { describe, expect, it } from "vitest";
import { fromArmIdentity } from "../../src/core/identity.js";
import type { VmIdentity } from "../../src/core/identity.js";
import { type IdentityChange, planIdentityChange } from "../../src/core/planIdentityChange.js";
import { InvalidInputError } from "../../src/core/errors.js";

const SUB = "00000000-0000-0000-0000-0000000000aa";
const uai = (name: string): string =>
  `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
// The identity service's own spelling of the same id (docs/arm.md §2).
const lowerRg = (id: string): string => id.replace("/resourceGroups/", "/resourcegroups/");

const X = uai("idX");
const Y = uai("idY");
const Z = uai("idZ");

const SU = "SystemAssigned, UserAssigned" as const;
const SYS = { principalId: "11111111-1111-1111-1111-111111111111", tenantId: "22222222-2222-2222-2222-222222222222" };

const none = (): VmIdentity => ({ type: "None", userAssigned: [] });
const system = (): VmIdentity => ({ type: "SystemAssigned", systemAssigned: { ...SYS }, userAssigned: [] });
const user = (...ids: string[]): VmIdentity => ({ type: "UserAssigned", userAssigned: ids.map((id) => ({ id })) });
const both = (...ids: string[]): VmIdentity => ({ type: SU, systemAssigned: { ...SYS }, userAssigned: ids.map((id) => ({ id })) });

const enable: IdentityChange = { op: "enableSystemAssigned" };
const disable: IdentityChange = { op: "disableSystemAssigned" };
const assign = (...ids: string[]): IdentityChange => ({ op: "assignUserAssigned", ids });
const remove = (...ids: string[]): IdentityChange => ({ op: "removeUserAssigned", ids });
const removeAll: IdentityChange = { op: "removeAll" };

const ids = (identity: VmIdentity): string[] => identity.userAssigned.map((ref) => ref.id);

function thrown(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return e as InvalidInputError;
  }
  throw new Error("expected an InvalidInputError, nothing was thrown");
}

describe("planIdentityChange: every row of docs/arm.md §3", () => {
  const rows: {
    row: string;
    now: VmIdentity;
    changes: IdentityChange[];
    body: unknown;
    type: VmIdentity["type"];
    users: string[];
  }[] = [
    {
      row: "none / None + enable system",
      now: none(),
      changes: [enable],
      body: { identity: { type: "SystemAssigned" } },
      type: "SystemAssigned",
      users: [],
    },
    {
      row: "SystemAssigned + add uai X",
      now: system(),
      changes: [assign(X)],
      body: { identity: { type: SU, userAssignedIdentities: { [X]: {} } } },
      type: SU,
      users: [X],
    },
    {
      row: "UserAssigned {X} + enable system (map kept by merge)",
      now: user(X),
      changes: [enable],
      body: { identity: { type: SU } },
      type: SU,
      users: [X],
    },
    {
      row: "S,U {X,Y} + remove X",
      now: both(X, Y),
      changes: [remove(X)],
      body: { identity: { type: SU, userAssignedIdentities: { [X]: null } } },
      type: SU,
      users: [Y],
    },
    {
      row: "S,U {Y} + remove Y (last)",
      now: both(Y),
      changes: [remove(Y)],
      body: { identity: { type: "SystemAssigned", userAssignedIdentities: null } },
      type: "SystemAssigned",
      users: [],
    },
    {
      row: "UserAssigned {Y} + remove Y (last)",
      now: user(Y),
      changes: [remove(Y)],
      body: { identity: { type: "None", userAssignedIdentities: null } },
      type: "None",
      users: [],
    },
    {
      row: "SystemAssigned + disable system",
      now: system(),
      changes: [disable],
      body: { identity: { type: "None", userAssignedIdentities: null } },
      type: "None",
      users: [],
    },
    {
      row: "S,U {X} + disable system",
      now: both(X),
      changes: [disable],
      body: { identity: { type: "UserAssigned" } },
      type: "UserAssigned",
      users: [X],
    },
  ];

  it.each(rows)("$row", ({ now, changes, body, type, users }) => {
    const plan = planIdentityChange(now, changes);
    expect(plan.patch).toEqual(body);
    // toEqual ignores undefined-valued keys: make sure none sneak into the JSON body.
    expect(JSON.parse(JSON.stringify(plan.patch))).toEqual(body);
    expect(plan.desired.type).toBe(type);
    expect(ids(plan.desired)).toEqual(users);
  });

  it("keeps the system-assigned principal in desired only while system stays on", () => {
    expect(planIdentityChange(both(X), [remove(X)]).desired.systemAssigned).toEqual(SYS);
    expect(planIdentityChange(both(X), [disable]).desired.systemAssigned).toBeUndefined();
    // Newly enabled: the principal is not known until ARM makes it.
    expect(planIdentityChange(none(), [enable]).desired.systemAssigned).toBeUndefined();
  });

  it("does not mutate its input", () => {
    const now = both(X, Y);
    const snapshot = structuredClone(now);
    planIdentityChange(now, [remove(X), assign(Z), disable]);
    expect(now).toEqual(snapshot);
  });
});

describe("planIdentityChange: folds", () => {
  it("enable then disable on None is a no-op", () => {
    const plan = planIdentityChange(none(), [enable, disable]);
    expect(plan.patch).toBeUndefined();
    expect(plan.desired).toEqual(none());
  });

  it("assign X then remove X on None is a no-op", () => {
    const plan = planIdentityChange(none(), [assign(X), remove(X)]);
    expect(plan.patch).toBeUndefined();
    expect(plan.desired).toEqual(none());
  });

  it("assign X then remove x (other casing) is a no-op", () => {
    expect(planIdentityChange(system(), [assign(X), remove(X.toLowerCase())]).patch).toBeUndefined();
  });

  it("removeAll then assign Y on S,U {X} swaps X for Y and drops system", () => {
    const plan = planIdentityChange(both(X), [removeAll, assign(Y)]);
    expect(plan.patch).toEqual({ identity: { type: "UserAssigned", userAssignedIdentities: { [Y]: {}, [X]: null } } });
    expect(plan.desired.type).toBe("UserAssigned");
    expect(ids(plan.desired)).toEqual([Y]);
  });

  it("removeAll on S,U {X,Y} clears everything in one body", () => {
    const plan = planIdentityChange(both(X, Y), [removeAll]);
    expect(plan.patch).toEqual({ identity: { type: "None", userAssignedIdentities: null } });
    expect(plan.desired).toEqual(none());
  });

  it("removeAll then re-assigning everything held is a no-op that keeps ARM's casing and details", () => {
    const now: VmIdentity = {
      type: "UserAssigned",
      userAssigned: [{ id: lowerRg(X), principalId: "p-x", clientId: "c-x" }],
    };
    const plan = planIdentityChange(now, [removeAll, assign(X.toUpperCase())]);
    expect(plan.patch).toBeUndefined();
    expect(plan.desired.userAssigned).toEqual([{ id: lowerRg(X), principalId: "p-x", clientId: "c-x" }]);
  });

  it("remove X then assign it back in other casing is a no-op keeping ARM's casing", () => {
    const plan = planIdentityChange(both(X, Y), [remove(X), assign(X.toLowerCase())]);
    expect(plan.patch).toBeUndefined();
    expect(ids(plan.desired).sort()).toEqual([X, Y].sort());
  });

  it("disable, assign, enable on SystemAssigned ends as S,U with only the addition", () => {
    const plan = planIdentityChange(system(), [disable, assign(X), enable]);
    expect(plan.patch).toEqual({ identity: { type: SU, userAssignedIdentities: { [X]: {} } } });
  });

  it("None + assign X gives UserAssigned with the map", () => {
    expect(planIdentityChange(none(), [assign(X)]).patch).toEqual({
      identity: { type: "UserAssigned", userAssignedIdentities: { [X]: {} } },
    });
  });

  it("UserAssigned {X} + assign Y names only Y (merge keeps X)", () => {
    const plan = planIdentityChange(user(X), [assign(Y)]);
    expect(plan.patch).toEqual({ identity: { type: "UserAssigned", userAssignedIdentities: { [Y]: {} } } });
    expect(ids(plan.desired)).toEqual([X, Y]);
  });

  it("UserAssigned {X} + remove X + enable system clears the map with type SystemAssigned", () => {
    expect(planIdentityChange(user(X), [remove(X), enable]).patch).toEqual({
      identity: { type: "SystemAssigned", userAssignedIdentities: null },
    });
  });
});

describe("planIdentityChange: no-ops send nothing", () => {
  it.each([
    ["an empty change list on None", none(), []],
    ["an empty change list on S,U", both(X), []],
    ["enable on SystemAssigned", system(), [enable]],
    ["enable on S,U", both(X), [enable]],
    ["disable on None", none(), [disable]],
    ["disable on UserAssigned", user(X), [disable]],
    ["removeAll on None", none(), [removeAll]],
    ["assign a held id", user(X), [assign(X)]],
    ["assign a held id in upper case", both(X), [assign(X.toUpperCase())]],
    ["assign ARM's lower-case /resourcegroups/ id given as /resourceGroups/", user(lowerRg(X)), [assign(X)]],
  ] as [string, VmIdentity, IdentityChange[]][])("%s", (_label, now, changes) => {
    const plan = planIdentityChange(now, changes);
    expect(plan.patch).toBeUndefined();
    expect(plan.desired.type).toBe(now.type);
    expect(ids(plan.desired)).toEqual(ids(now));
  });

  it("keeps ARM's casing and details for an id assigned again in other casing", () => {
    const now: VmIdentity = { type: "UserAssigned", userAssigned: [{ id: lowerRg(X), principalId: "p", clientId: "c" }] };
    const plan = planIdentityChange(now, [assign(X.toUpperCase())]);
    expect(plan.patch).toBeUndefined();
    expect(plan.desired.userAssigned).toEqual([{ id: lowerRg(X), principalId: "p", clientId: "c" }]);
  });
});

describe("planIdentityChange: case-insensitive ids", () => {
  it("de-duplicates ids differing only in case within one call (first spelling wins)", () => {
    const plan = planIdentityChange(none(), [assign(X, X.toLowerCase(), lowerRg(X), X.toUpperCase())]);
    expect(plan.patch).toEqual({ identity: { type: "UserAssigned", userAssignedIdentities: { [X]: {} } } });
    expect(ids(plan.desired)).toEqual([X]);
  });

  it("de-duplicates across two assign steps", () => {
    const plan = planIdentityChange(system(), [assign(X), assign(X.toUpperCase())]);
    expect(Object.keys((plan.patch!.identity.userAssignedIdentities ?? {}) as object)).toEqual([X]);
  });

  it("removes an id given in other casing using ARM's held casing as the null key", () => {
    const held = lowerRg(X);
    const plan = planIdentityChange(both(held, Y), [remove(X.toUpperCase())]);
    expect(plan.patch).toEqual({ identity: { type: SU, userAssignedIdentities: { [held]: null } } });
    expect(ids(plan.desired)).toEqual([Y]);
  });

  it("accepts the same removal twice in one call", () => {
    const plan = planIdentityChange(user(X, Y), [remove(X, X.toLowerCase())]);
    expect(plan.patch).toEqual({ identity: { type: "UserAssigned", userAssignedIdentities: { [X]: null } } });
  });
});

describe("planIdentityChange: refused changes", () => {
  it("refuses removing an id the VM does not hold, naming it", () => {
    const e = thrown(() => planIdentityChange(user(X), [remove(Y)]));
    expect(e.code).toBe("IdentityNotAssigned");
    expect(e.message).toContain(Y);
  });

  it("names every missing id, and only those", () => {
    const e = thrown(() => planIdentityChange(user(X), [remove(X, Y, Z)]));
    expect(e.code).toBe("IdentityNotAssigned");
    expect(e.message).toContain(Y);
    expect(e.message).toContain(Z);
    expect(e.message).not.toContain(`'${X}'`);
  });

  it("refuses removing an id already removed earlier in the same change list", () => {
    expect(thrown(() => planIdentityChange(user(X), [remove(X), remove(X)])).code).toBe("IdentityNotAssigned");
    expect(thrown(() => planIdentityChange(both(X), [removeAll, remove(X)])).code).toBe("IdentityNotAssigned");
  });

  it("ignores the user list of a type without UserAssigned (nothing is held)", () => {
    const inconsistent: VmIdentity = { type: "SystemAssigned", userAssigned: [{ id: X }] };
    expect(thrown(() => planIdentityChange(inconsistent, [remove(X)])).code).toBe("IdentityNotAssigned");
  });

  it.each([
    ["not an id", "idX"],
    ["the identity's bare name", "/idX"],
    ["a VM id", `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm`],
    ["a subscription that is not a GUID", uai("idX").replace(SUB, "sub")],
    ["a trailing slash", `${X}/`],
    ["an extra segment", `${X}/extra`],
    ["a bad identity name", uai("a")],
    ["a query after the id", `${uai("idX")}?x=1`],
    ["a bad group", uai("idX").replace("/rg/", "/r g/")],
    ["an empty string", ""],
    ["a number", 42],
    ["null", null],
  ])("refuses %s with InvalidUserAssignedIdentityId", (_label, bad) => {
    for (const op of [assign, remove]) {
      const e = thrown(() => planIdentityChange(both(X), [op(bad as string)]));
      expect(e.code).toBe("InvalidUserAssignedIdentityId");
    }
  });

  it("refuses a malformed id even when it comes after valid ones, with no partial plan", () => {
    const e = thrown(() => planIdentityChange(none(), [assign(X), assign(Y, "nope")]));
    expect(e.code).toBe("InvalidUserAssignedIdentityId");
    expect(e.message).toContain('"nope"');
  });

  it.each([
    ["an unknown op", { op: "enableEverything" }],
    ["a missing op", {}],
    ["null", null],
    ["a string", "enableSystemAssigned"],
    ["an inherited property name as op", { op: "toString" }],
  ])("refuses %s with InvalidIdentityChange", (_label, change) => {
    const e = thrown(() => planIdentityChange(none(), [change as IdentityChange]));
    expect(e.code).toBe("InvalidIdentityChange");
    expect(e.message).toMatch(/enableSystemAssigned, disableSystemAssigned, assignUserAssigned, removeUserAssigned, removeAll/);
  });

  it.each([
    ["an empty list", []],
    ["a bare string", X],
    ["undefined", undefined],
  ])("refuses ids that are %s with InvalidIdentityChange", (_label, given) => {
    for (const op of ["assignUserAssigned", "removeUserAssigned"] as const) {
      const e = thrown(() => planIdentityChange(both(X), [{ op, ids: given as string[] }]));
      expect(e.code).toBe("InvalidIdentityChange");
    }
  });

  it("refuses a change list that is not an array", () => {
    expect(thrown(() => planIdentityChange(none(), { op: "removeAll" } as unknown as IdentityChange[])).code).toBe(
      "InvalidIdentityChange",
    );
  });
});

describe("planIdentityChange: the current identity", () => {
  it.each([["SystemAssigned,UserAssigned"], ["systemassigned, userassigned"]])(
    "reads a current type spelled %j as S,U: nothing to do is still nothing to do",
    (type) => {
      const now = { type, userAssigned: [{ id: X }] } as unknown as VmIdentity;
      expect(planIdentityChange(now, []).patch).toBeUndefined();
      expect(planIdentityChange(now, [enable]).patch).toBeUndefined();
      const plan = planIdentityChange(now, [remove(X)]);
      expect(plan.patch).toEqual({ identity: { type: "SystemAssigned", userAssignedIdentities: null } });
      expect(plan.desired.type).toBe("SystemAssigned");
    },
  );

  it.each([
    ["an unknown type", { type: "Both", userAssigned: [] }],
    ["no type", { userAssigned: [] }],
    ["no user list", { type: "UserAssigned" }],
    ["null", null],
  ])("refuses %s with InvalidIdentityChange instead of planning from nothing", (_label, now) => {
    const e = thrown(() => planIdentityChange(now as unknown as VmIdentity, [enable]));
    expect(e.code).toBe("InvalidIdentityChange");
  });
});

describe("fromArmIdentity", () => {
  it.each([undefined, null, "SystemAssigned", 7, []])("reads %j as None with no identities", (raw) => {
    expect(fromArmIdentity(raw)).toEqual({ type: "None", userAssigned: [] });
  });

  it("reads type None", () => {
    expect(fromArmIdentity({ type: "None" })).toEqual({ type: "None", userAssigned: [] });
  });

  it.each([
    ["SystemAssigned, UserAssigned"],
    ["SystemAssigned,UserAssigned"],
    ["systemassigned, userassigned"],
    ["SYSTEMASSIGNED,USERASSIGNED"],
  ])("reads the combined type spelled %j in canonical form", (type) => {
    const identity = fromArmIdentity({
      type,
      principalId: SYS.principalId,
      tenantId: SYS.tenantId,
      userAssignedIdentities: { [lowerRg(X)]: { principalId: "p-x", clientId: "c-x" } },
    });
    expect(identity).toEqual({
      type: SU,
      systemAssigned: SYS,
      userAssigned: [{ id: lowerRg(X), principalId: "p-x", clientId: "c-x" }],
    });
  });

  it.each([["userassigned"], ["UserAssigned"], ["USERASSIGNED"]])("reads %j as UserAssigned", (type) => {
    expect(fromArmIdentity({ type, userAssignedIdentities: { [X]: {} } }).type).toBe("UserAssigned");
  });

  it("reads systemassigned in lower case with its principal", () => {
    expect(fromArmIdentity({ type: "systemassigned", ...SYS })).toEqual({ type: "SystemAssigned", systemAssigned: SYS, userAssigned: [] });
  });

  it("copies principalId and clientId of each user-assigned identity, in ARM's order and casing", () => {
    const identity = fromArmIdentity({
      type: "UserAssigned",
      userAssignedIdentities: {
        [Y]: { principalId: "p-y", clientId: "c-y" },
        [lowerRg(X)]: {},
      },
    });
    expect(identity.userAssigned).toEqual([{ id: Y, principalId: "p-y", clientId: "c-y" }, { id: lowerRg(X) }]);
  });

  it("leaves out details ARM has not filled in yet (PATCH response shows {})", () => {
    const identity = fromArmIdentity({ type: "UserAssigned", userAssignedIdentities: { [X]: {}, [Y]: { principalId: "" } } });
    expect(identity.userAssigned).toEqual([{ id: X }, { id: Y }]);
  });

  it("round-trips with the planner: what ARM returns plans to no patch", () => {
    const identity = fromArmIdentity({ type: "SystemAssigned,UserAssigned", ...SYS, userAssignedIdentities: { [X]: {} } });
    expect(planIdentityChange(identity, [enable, assign(X.toLowerCase())]).patch).toBeUndefined();
  });
});

describe("holdsIdentity: does a read show the identity a write aimed at?", () => {
  it("compares type and user-assigned ids, case-insensitively, principals aside", async () => {
    const { holdsIdentity } = await import("../../src/core/identity.js");
    const X = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x";
    const desired = { type: "SystemAssigned, UserAssigned" as const, userAssigned: [{ id: X }] };
    expect(holdsIdentity({ type: "SystemAssigned, UserAssigned", userAssigned: [{ id: X.toLowerCase(), principalId: "p" }] }, desired)).toBe(true);
    expect(holdsIdentity({ type: "SystemAssigned", userAssigned: [] }, desired)).toBe(false);
    expect(holdsIdentity({ type: "SystemAssigned, UserAssigned", userAssigned: [{ id: X }, { id: `${X}2` }] }, desired)).toBe(false);
    expect(holdsIdentity({ type: "None", userAssigned: [] }, { type: "None", userAssigned: [] })).toBe(true);
  });
});
