/**
 * The merge-PATCH identity semantics: every row of docs/arm.md §3, then
 * the merge rules around them.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_TENANT_ID, startFakeArm, type ArmIdentityInput, type FakeArm } from "../../src/testing/index.js";
import { call, GUID, pollToEnd, vmPath, startWithIdentitiesXY } from "./helpers.js";

let arm: FakeArm;
let X: string;
let Y: string;

beforeEach(async () => {
  ({ arm, X, Y } = await startWithIdentitiesXY());
});
afterEach(async () => arm.close());

function seed(identity?: ArmIdentityInput): void {
  arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux", identity });
}

/** PATCHes the VM, waits for the operation and returns the PATCH reply and the final GET body. */
async function patchAndSettle(body: unknown) {
  const patch = await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body });
  if (patch.status === 200) await pollToEnd(arm, patch.headers.get("azure-asyncoperation")!);
  const get = await call(arm, "GET", vmPath(arm, "rg", "vm"));
  return { patch, vm: get.body };
}

/** The user-assigned map a GET shows once the identities are provisioned. */
function provisioned(...ids: string[]): Record<string, { principalId: string; clientId: string }> {
  return Object.fromEntries(
    ids.map((id) => {
      const uai = arm.getUserAssignedIdentity("ids", id === X ? "x" : "y")!;
      return [id, { principalId: uai.properties.principalId, clientId: uai.properties.clientId }];
    }),
  );
}

const SYSTEM = { principalId: expect.stringMatching(GUID), tenantId: DEFAULT_TENANT_ID };

describe("docs/arm.md §3 table: each accepted body and the resulting identity", () => {
  it("none → enable system", async () => {
    seed();
    const { patch, vm } = await patchAndSettle({ identity: { type: "SystemAssigned" } });
    expect(patch.status).toBe(200);
    expect(vm.identity).toEqual({ type: "SystemAssigned", ...SYSTEM });
  });

  it("SystemAssigned → add uai X", async () => {
    seed({ type: "SystemAssigned" });
    const before = arm.getVm("rg", "vm")!.identity!.principalId;
    const { patch, vm } = await patchAndSettle({
      identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [X]: {} } },
    });
    expect(patch.status).toBe(200);
    expect(vm.identity).toEqual({
      type: "SystemAssigned, UserAssigned",
      principalId: before,
      tenantId: DEFAULT_TENANT_ID,
      userAssignedIdentities: provisioned(X),
    });
  });

  it("UserAssigned {X} → enable system (map kept by merge)", async () => {
    seed({ type: "UserAssigned", userAssignedIdentities: { [X]: {} } });
    const { patch, vm } = await patchAndSettle({ identity: { type: "SystemAssigned, UserAssigned" } });
    expect(patch.status).toBe(200);
    expect(vm.identity).toEqual({ type: "SystemAssigned, UserAssigned", ...SYSTEM, userAssignedIdentities: provisioned(X) });
  });

  it("UserAssigned {X} → enable system, resending X with {} as the CLI does", async () => {
    seed({ type: "UserAssigned", userAssignedIdentities: { [X]: {} } });
    const { patch, vm } = await patchAndSettle({
      identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [X]: {} } },
    });
    expect(patch.status).toBe(200);
    expect(vm.identity).toEqual({ type: "SystemAssigned, UserAssigned", ...SYSTEM, userAssignedIdentities: provisioned(X) });
  });

  it("S,U {X,Y} → remove X", async () => {
    seed({ type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [X]: {}, [Y]: {} } });
    const { patch, vm } = await patchAndSettle({
      identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [X]: null } },
    });
    expect(patch.status).toBe(200);
    expect(vm.identity).toEqual({ type: "SystemAssigned, UserAssigned", ...SYSTEM, userAssignedIdentities: provisioned(Y) });
  });

  it("S,U {Y} → remove Y, the last", async () => {
    seed({ type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [Y]: {} } });
    const { patch, vm } = await patchAndSettle({ identity: { type: "SystemAssigned", userAssignedIdentities: null } });
    expect(patch.status).toBe(200);
    expect(vm.identity).toEqual({ type: "SystemAssigned", ...SYSTEM });
  });

  it("UserAssigned {Y} → remove Y, the last: no identity property at all", async () => {
    seed({ type: "UserAssigned", userAssignedIdentities: { [Y]: {} } });
    const { patch, vm } = await patchAndSettle({ identity: { type: "None", userAssignedIdentities: null } });
    expect(patch.status).toBe(200);
    expect(patch.body).not.toHaveProperty("identity");
    expect(vm).not.toHaveProperty("identity");
  });

  it("SystemAssigned → disable system", async () => {
    seed({ type: "SystemAssigned" });
    const { patch, vm } = await patchAndSettle({ identity: { type: "None", userAssignedIdentities: null } });
    expect(patch.status).toBe(200);
    expect(vm).not.toHaveProperty("identity");
  });

  it("S,U {X} → disable system", async () => {
    seed({ type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [X]: {} } });
    const { patch, vm } = await patchAndSettle({ identity: { type: "UserAssigned" } });
    expect(patch.status).toBe(200);
    expect(vm.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: provisioned(X) });
  });
});

describe("merge rules", () => {
  it("answers the PATCH with the full VM, Updating, the new ETag and an operation URL", async () => {
    seed();
    const patch = await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: { identity: { type: "SystemAssigned" } } });
    expect(patch.status).toBe(200);
    expect(patch.headers.get("etag")).toBe('"2"');
    expect(patch.body.etag).toBe('"2"');
    expect(patch.body.properties.provisioningState).toBe("Updating");
    expect(patch.body.identity).toEqual({ type: "SystemAssigned", ...SYSTEM });
    expect(patch.headers.get("azure-asyncoperation")).toMatch(/\/operations\//);
    expect(patch.headers.get("location")).toBeNull();
    expect(patch.headers.get("retry-after")).toBeNull();
  });

  it("shows {} for a newly added identity until the operation completes", async () => {
    // A read of the VM counts as a look at its operation: let it run for one look.
    await arm.close();
    arm = await startFakeArm({ pollsUntilDone: 1, autoCompleteAfterMs: Infinity });
    X = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "x", location: "westeurope" });
    Y = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "y", location: "westeurope" });
    seed({ type: "UserAssigned", userAssignedIdentities: { [X]: {} } });
    const patch = await call(arm, "PATCH", vmPath(arm, "rg", "vm"), {
      body: { identity: { type: "UserAssigned", userAssignedIdentities: { [Y]: {} } } },
    });
    expect(patch.body.identity.userAssignedIdentities).toEqual({ ...provisioned(X), [Y]: {} });
    const during = await call(arm, "GET", vmPath(arm, "rg", "vm"));
    expect(during.body.identity.userAssignedIdentities[Y]).toEqual({});

    await pollToEnd(arm, patch.headers.get("azure-asyncoperation")!);
    const after = await call(arm, "GET", vmPath(arm, "rg", "vm"));
    expect(after.body.identity.userAssignedIdentities).toEqual(provisioned(X, Y));
    expect(after.body.properties.provisioningState).toBe("Succeeded");
  });

  it("keeps the current type when the PATCH omits it", async () => {
    seed({ type: "UserAssigned", userAssignedIdentities: { [X]: {} } });
    const { patch, vm } = await patchAndSettle({ identity: { userAssignedIdentities: { [Y]: {} } } });
    expect(patch.status).toBe(200);
    expect(vm.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: provisioned(X, Y) });
  });

  it.each(["systemassigned,userassigned", "SYSTEMASSIGNED , USERASSIGNED", " SystemAssigned,UserAssigned "])(
    "parses the type %j leniently and echoes the canonical spelling",
    async (type) => {
      seed();
      const { patch, vm } = await patchAndSettle({ identity: { type, userAssignedIdentities: { [X]: {} } } });
      expect(patch.status).toBe(200);
      expect(vm.identity.type).toBe("SystemAssigned, UserAssigned");
    },
  );

  it("keeps the casing an id was first stored with, and removes case-insensitively", async () => {
    seed({ type: "UserAssigned", userAssignedIdentities: { [X]: {}, [Y]: {} } });
    const resent = await patchAndSettle({ identity: { userAssignedIdentities: { [X.toUpperCase()]: {} } } });
    expect(Object.keys(resent.vm.identity.userAssignedIdentities)).toEqual([X, Y]);

    const removed = await patchAndSettle({ identity: { userAssignedIdentities: { [Y.toLowerCase()]: null } } });
    expect(Object.keys(removed.vm.identity.userAssignedIdentities)).toEqual([X]);
  });

  it("stores a new id in the casing it was sent with", async () => {
    seed();
    const vmCasing = X.replace("/resourcegroups/", "/resourceGroups/");
    const { vm } = await patchAndSettle({ identity: { type: "UserAssigned", userAssignedIdentities: { [vmCasing]: {} } } });
    expect(Object.keys(vm.identity.userAssignedIdentities)).toEqual([vmCasing]);
  });

  it("ignores removing an id the VM does not hold", async () => {
    seed({ type: "UserAssigned", userAssignedIdentities: { [X]: {} } });
    const { patch, vm } = await patchAndSettle({ identity: { userAssignedIdentities: { [Y]: null } } });
    expect(patch.status).toBe(200);
    expect(vm.identity.userAssignedIdentities).toEqual(provisioned(X));
  });

  it("ignores the read-only principalId/clientId echoed in values", async () => {
    seed();
    const { patch, vm } = await patchAndSettle({
      identity: { type: "UserAssigned", userAssignedIdentities: { [X]: { principalId: "bogus", clientId: "bogus" } } },
    });
    expect(patch.status).toBe(200);
    expect(vm.identity.userAssignedIdentities).toEqual(provisioned(X));
  });

  it("keeps the system principal while the system identity stays enabled", async () => {
    seed({ type: "SystemAssigned" });
    const before = arm.getVm("rg", "vm")!.identity!.principalId;
    const { vm } = await patchAndSettle({ identity: { type: "SystemAssigned" } });
    expect(vm.identity.principalId).toBe(before);
  });

  it("gives a re-enabled system identity a new principal", async () => {
    seed({ type: "SystemAssigned" });
    const first = arm.getVm("rg", "vm")!.identity!.principalId;
    await patchAndSettle({ identity: { type: "None" } });
    const { vm } = await patchAndSettle({ identity: { type: "SystemAssigned" } });
    expect(vm.identity.principalId).toMatch(GUID);
    expect(vm.identity.principalId).not.toBe(first);
  });

  it("type None drops every identity, even without a null map", async () => {
    seed({ type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [X]: {} } });
    const { vm } = await patchAndSettle({ identity: { type: "None" } });
    expect(vm).not.toHaveProperty("identity");
    const { vm: again } = await patchAndSettle({ identity: { type: "UserAssigned", userAssignedIdentities: { [Y]: {} } } });
    expect(again.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: provisioned(Y) });
  });

  it("merges tags and properties shallowly and leaves the identity alone without one", async () => {
    seed({ type: "SystemAssigned" });
    const identity = arm.getVm("rg", "vm")!.identity;
    const { patch, vm } = await patchAndSettle({
      tags: { team: "a" },
      properties: { licenseType: "Windows_Server", hardwareProfile: { vmSize: "Standard_D2s_v5" } },
    });
    expect(patch.status).toBe(200);
    expect(vm.tags).toEqual({ team: "a" });
    expect(vm.identity).toEqual(identity);
    expect(vm.properties).toMatchObject({
      licenseType: "Windows_Server",
      hardwareProfile: { vmSize: "Standard_D2s_v5" },
      storageProfile: { osDisk: { osType: "Linux" } },
    });

    const cleared = await patchAndSettle({ tags: null, properties: { licenseType: null } });
    expect(cleared.vm).not.toHaveProperty("tags");
    expect(cleared.vm.properties).not.toHaveProperty("licenseType");
  });

  it("increments the ETag once per write", async () => {
    seed();
    await patchAndSettle({ identity: { type: "SystemAssigned" } });
    const { vm } = await patchAndSettle({ identity: { type: "None" } });
    expect(vm.etag).toBe('"3"');
  });
});
