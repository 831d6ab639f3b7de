/** Denied actions: 403 AuthorizationFailed before the route, 403 LinkedAuthorizationFailed for identities that may not be assigned. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { actionOf } from "../../src/testing/permissions.js";
import type { FakeArm } from "../../src/testing/index.js";
import { assignmentPath, groupScope, putAssignment, READER, roleId, subscriptionScope, vmssPath } from "./accessHelpers.js";
import { call, vmPath, startWithIdentitiesXY } from "./helpers.js";

let arm: FakeArm;
let X: string;
let Y: string;
beforeEach(async () => {
  ({ arm, X, Y } = await startWithIdentitiesXY());
  arm.addVm({ resourceGroup: "a", name: "vm", location: "westeurope", osType: "Linux" });
  arm.addVm({ resourceGroup: "b", name: "vm", location: "westeurope", osType: "Linux" });
  arm.addVmss({ resourceGroup: "a", name: "ss", location: "westeurope", osType: "Linux" });
});
afterEach(async () => arm.close());

const NAME = "11111111-1111-4111-8111-111111111111";
const enableSystem = (path: string) => call(arm, "PATCH", path, { body: { identity: { type: "SystemAssigned" } } });
const addUser = (path: string, id: string) =>
  call(arm, "PATCH", path, { body: { identity: { type: "UserAssigned", userAssignedIdentities: { [id]: {} } } } });

describe("AuthorizationFailed", () => {
  it("a denied roleAssignments/write answers 403 naming the action and the scope, and creates nothing", async () => {
    arm.denyActions([{ action: "Microsoft.Authorization/roleAssignments/write" }]);
    const principal = arm.addPrincipal();
    const scope = groupScope(arm, "a");
    const reply = await putAssignment(arm, scope, NAME, { roleDefinitionId: roleId(arm, READER), principalId: principal });
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe("AuthorizationFailed");
    expect(reply.body.error.message).toMatch(
      new RegExp(
        `^The client '[0-9a-f-]{36}' with object id '[0-9a-f-]{36}' does not have authorization to perform action ` +
          `'Microsoft\\.Authorization/roleAssignments/write' over scope '${assignmentPath(scope, NAME).replace(/[.]/g, "\\.")}' or the scope is invalid\\.`,
      ),
    );
    expect(arm.roleAssignments()).toEqual([]);
    // Reading is another action.
    const list = await call(arm, "GET", `${scope}/providers/Microsoft.Authorization/roleAssignments`, { apiVersion: "2022-04-01" });
    expect(list.status).toBe(200);
  });

  it("a denial covers its scope and what lies below it, nothing else", async () => {
    arm.denyActions([{ action: "Microsoft.Compute/virtualMachines/write", scope: groupScope(arm, "A") }]);
    const denied = await enableSystem(vmPath(arm, "a", "vm"));
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("AuthorizationFailed");
    expect(arm.getVm("a", "vm")).not.toHaveProperty("identity");
    expect((await enableSystem(vmPath(arm, "b", "vm"))).status).toBe(200);
    expect((await call(arm, "GET", vmPath(arm, "a", "vm"))).status).toBe(200);
  });

  it("matches actions case-insensitively, with * wildcards", async () => {
    arm.denyActions([{ action: "microsoft.compute/*/WRITE" }]);
    expect((await enableSystem(vmPath(arm, "b", "vm"))).status).toBe(403);
    expect((await enableSystem(vmssPath(arm, "a", "ss"))).status).toBe(403);
    const ext = await call(arm, "PUT", `${vmssPath(arm, "a", "ss")}/extensions/e`, {
      body: { properties: { publisher: "p", type: "t", typeHandlerVersion: "1.0" } },
    });
    expect(ext.status).toBe(403);
  });

  it("is checked before the route: a denied write to a missing VM is 403, not 404", async () => {
    arm.denyActions([{ action: "Microsoft.Compute/virtualMachines/write" }]);
    expect((await enableSystem(vmPath(arm, "a", "missing"))).status).toBe(403);
  });

  it("covers POST actions such as manualupgrade", async () => {
    arm.denyActions([{ action: "Microsoft.Compute/virtualMachineScaleSets/manualUpgrade/action" }]);
    const reply = await call(arm, "POST", `${vmssPath(arm, "a", "ss")}/manualupgrade`, { body: { instanceIds: ["0"] } });
    expect(reply.status).toBe(403);
  });

  it("clearDenials() allows everything again", async () => {
    arm.denyActions([{ action: "*" }]);
    expect((await call(arm, "GET", vmPath(arm, "a", "vm"))).status).toBe(403);
    arm.clearDenials();
    expect((await call(arm, "GET", vmPath(arm, "a", "vm"))).status).toBe(200);
  });

  it("reset() clears the denials", async () => {
    arm.denyActions([{ action: "*" }]);
    arm.reset();
    arm.addVm({ resourceGroup: "a", name: "vm", location: "westeurope", osType: "Linux" });
    expect((await call(arm, "GET", vmPath(arm, "a", "vm"))).status).toBe(200);
  });

  it.each([[{ action: "" }], [{ action: 1 }], [{ action: "x", scope: "subscriptions/x" }]])("denyActions(%j) throws and adds nothing", async (spec) => {
    expect(() => arm.denyActions([{ action: "*" }, spec as never])).toThrow(TypeError);
    expect((await call(arm, "GET", vmPath(arm, "a", "vm"))).status).toBe(200);
  });
});

describe("LinkedAuthorizationFailed", () => {
  beforeEach(() => arm.denyActions([{ action: "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action", scope: X }]));

  it("attaching an identity whose assign action is denied answers 403 naming it, and changes nothing", async () => {
    const reply = await addUser(vmPath(arm, "a", "vm"), X);
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe("LinkedAuthorizationFailed");
    expect(reply.body.error.message).toContain(`perform action 'Microsoft.Compute/virtualMachines/write' on scope '${vmPath(arm, "a", "vm")}'`);
    expect(reply.body.error.message).toContain(
      `does not have permission to perform action 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action' on the linked scope(s) '${X}'`,
    );
    expect(arm.getVm("a", "vm")).not.toHaveProperty("identity");
  });

  it("holds for scale sets and for a PUT", async () => {
    expect((await addUser(vmssPath(arm, "a", "ss"), X)).body.error.code).toBe("LinkedAuthorizationFailed");
    const put = await call(arm, "PUT", vmPath(arm, "a", "new"), {
      body: { location: "westeurope", identity: { type: "UserAssigned", userAssignedIdentities: { [X.toUpperCase()]: {} } } },
    });
    expect(put.status).toBe(403);
    expect(put.body.error.code).toBe("LinkedAuthorizationFailed");
  });

  it("other identities attach; removing the denied one needs no assign action", async () => {
    expect((await addUser(vmPath(arm, "a", "vm"), Y)).status).toBe(200);
    arm.completeOperations();
    arm.clearDenials();
    expect((await addUser(vmPath(arm, "b", "vm"), X)).status).toBe(200);
    arm.completeOperations();
    arm.denyActions([{ action: "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action", scope: X }]);
    const removal = await call(arm, "PATCH", vmPath(arm, "b", "vm"), { body: { identity: { type: "None", userAssignedIdentities: null } } });
    expect(removal.status).toBe(200);
  });
});

describe("actionOf", () => {
  const sub = "subscriptions/s";
  const rg = `${sub}/resourceGroups/rg`;
  it.each([
    ["GET", `${rg}/providers/Microsoft.Compute/virtualMachines/vm`, "Microsoft.Compute/virtualMachines/read"],
    ["PATCH", `${rg}/providers/Microsoft.Compute/virtualMachines/vm`, "Microsoft.Compute/virtualMachines/write"],
    ["DELETE", `${rg}/providers/Microsoft.Compute/virtualMachines/vm/extensions/e`, "Microsoft.Compute/virtualMachines/extensions/delete"],
    ["GET", `${sub}/providers/Microsoft.Compute/virtualMachineScaleSets`, "Microsoft.Compute/virtualMachineScaleSets/read"],
    ["GET", `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines`, "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read"],
    ["POST", `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/ss/manualupgrade`, "Microsoft.Compute/virtualMachineScaleSets/manualupgrade/action"],
    [
      "PUT",
      `${rg}/providers/Microsoft.Compute/virtualMachines/vm/providers/Microsoft.Authorization/roleAssignments/n`,
      "Microsoft.Authorization/roleAssignments/write",
    ],
    ["GET", "providers/Microsoft.Authorization/roleDefinitions/g", "Microsoft.Authorization/roleDefinitions/read"],
    ["GET", `${rg}`, undefined],
  ])("%s /%s is %s", (method, path, action) => {
    expect(actionOf(method, path.split("/"))).toBe(action);
  });
});

it("role assignments at the subscription need the write action there", async () => {
  arm.denyActions([{ action: "Microsoft.Authorization/roleAssignments/write", scope: groupScope(arm, "b") }]);
  const principal = arm.addPrincipal();
  const props = { roleDefinitionId: roleId(arm, READER), principalId: principal };
  expect((await putAssignment(arm, subscriptionScope(arm), NAME, props)).status).toBe(201);
  expect((await putAssignment(arm, groupScope(arm, "b"), "22222222-2222-4222-8222-222222222222", props)).status).toBe(403);
});
