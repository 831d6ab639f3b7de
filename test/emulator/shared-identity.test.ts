/**
 * VMs and scale sets share one set of identity rules: the same PATCH body on
 * the same starting identity gives the same status, error and identity on both.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArmIdentityInput, FakeArm } from "../../src/testing/index.js";
import { vmssPath, writeAndSettle } from "./accessHelpers.js";
import { call, vmPath, startWithIdentitiesXY } from "./helpers.js";

let arm: FakeArm;
let X: string;
let Y: string;
beforeAll(async () => {
  ({ arm, X, Y } = await startWithIdentitiesXY());
});
afterAll(async () => arm.close());

type Start = "none" | "system" | "user X" | "both X,Y" | "both Y";
const START: Record<Start, () => ArmIdentityInput | undefined> = {
  none: () => undefined,
  system: () => ({ type: "SystemAssigned" }),
  "user X": () => ({ type: "UserAssigned", userAssignedIdentities: { [X]: {} } }),
  "both X,Y": () => ({ type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [X]: {}, [Y]: {} } }),
  "both Y": () => ({ type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [Y]: {} } }),
};

/** [starting identity, PATCH identity] rows: ARM's accepted changes, then the rejections. */
const ROWS: Array<[Start, () => unknown]> = [
  ["none", () => ({ type: "SystemAssigned" })],
  ["system", () => ({ type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [X]: {} } })],
  ["user X", () => ({ type: "SystemAssigned, UserAssigned" })],
  ["user X", () => ({ type: "SystemAssigned,UserAssigned", userAssignedIdentities: { [X.toUpperCase()]: {} } })],
  ["both X,Y", () => ({ type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [X]: null } })],
  ["both Y", () => ({ type: "SystemAssigned", userAssignedIdentities: null })],
  ["user X", () => ({ type: "None", userAssignedIdentities: null })],
  ["system", () => ({ type: "None" })],
  ["both X,Y", () => ({ type: "UserAssigned" })],
  ["both X,Y", () => ({ userAssignedIdentities: { [Y]: null } })],
  ["user X", () => ({ type: "systemassigned" })],
  ["none", () => ({ type: "Bogus" })],
  ["none", () => ({ type: "SystemAssigned", userAssignedIdentities: { [X]: {} } })],
  ["none", () => ({ type: "UserAssigned", userAssignedIdentities: {} })],
  ["none", () => ({ type: "UserAssigned", userAssignedIdentities: { [X]: {}, [X.toUpperCase()]: {} } })],
  ["none", () => ({ type: "UserAssigned", userAssignedIdentities: { "/not/an/id": {} } })],
  ["none", () => ({ type: "UserAssigned", userAssignedIdentities: { [X.replace("/x", "/missing")]: {} } })],
  ["user X", () => ({ type: "UserAssigned", userAssignedIdentities: { [X]: null } })],
  ["system", () => "SystemAssigned"],
];

/** What a PATCH did, with principal ids reduced to what must agree between the two kinds. */
async function outcome(path: string, identity: unknown, systemBefore: string | undefined) {
  const reply = await writeAndSettle(arm, "PATCH", path, { identity });
  const after = (await call(arm, "GET", path)).body.identity;
  return {
    status: reply.status,
    error: reply.body?.error && { code: reply.body.error.code, target: reply.body.error.target },
    type: after?.type ?? "absent",
    system: after?.principalId === undefined ? "none" : after.principalId === systemBefore ? "kept" : "new",
    tenantId: after?.tenantId,
    users: Object.entries(after?.userAssignedIdentities ?? {}).map(([id, v]: [string, any]) => [id.toLowerCase(), v.principalId !== undefined]),
  };
}

describe("the same PATCH bodies give the same results on a VM and a Uniform scale set", () => {
  it.each(ROWS.map(([start, body], i) => [i, start, body] as const))("row %i from %s", async (i, start, body) => {
    const identity = START[start]();
    arm.addVm({ resourceGroup: "vms", name: `vm${i}`, location: "westeurope", osType: "Linux", identity });
    arm.addVmss({ resourceGroup: "sets", name: `ss${i}`, location: "westeurope", osType: "Linux", capacity: 1, identity });
    const onVm = await outcome(vmPath(arm, "vms", `vm${i}`), body(), arm.getVm("vms", `vm${i}`)!.identity?.principalId);
    const onVmss = await outcome(vmssPath(arm, "sets", `ss${i}`), body(), arm.getVmss("sets", `ss${i}`)!.identity?.principalId);
    expect(onVmss).toEqual(onVm);
  });

  it("the rows cover both outcomes", async () => {
    const statuses = new Set<number>();
    for (const [i, [start, body]] of ROWS.entries()) {
      arm.addVm({ resourceGroup: "cover", name: `vm${i}`, location: "westeurope", osType: "Linux", identity: START[start]() });
      statuses.add((await outcome(vmPath(arm, "cover", `vm${i}`), body(), undefined)).status);
    }
    expect([...statuses].sort()).toEqual([200, 400]);
  });
});
