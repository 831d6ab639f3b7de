/**
 * A read of a scale set looks at its running operation, as a read of a VM
 * does: under `pollsUntilDone` a GET of the scale set, or its entry in a list
 * page, counts as a poll, so a client that follows `provisioningState` sees
 * a scale-set write end just as one polling the status URL does.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm } from "../../src/testing/index.js";
import { groupScope, vmssPath } from "./accessHelpers.js";
import { call } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm.close());

async function start(): Promise<void> {
  arm = await startFakeArm({ pollsUntilDone: 2, autoCompleteAfterMs: Infinity });
  arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux" });
}

const state = (body: { properties: { provisioningState: string } }) => body.properties.provisioningState;

describe("a read of a scale set looks at its running operation", () => {
  it("a GET counts as a poll", async () => {
    await start();
    expect((await call(arm, "PATCH", vmssPath(arm, "rg", "ss"), { body: { identity: { type: "SystemAssigned" } } })).status).toBe(200);
    const states: string[] = [];
    for (let i = 0; i < 3; i++) states.push(state((await call(arm, "GET", vmssPath(arm, "rg", "ss"))).body));
    expect(states).toEqual(["Updating", "Updating", "Succeeded"]);
    expect(arm.getVmss("rg", "ss")!.identity?.type).toBe("SystemAssigned");
  });

  it("an entry of a list page counts as one too, of the group's list and of the subscription's", async () => {
    await start();
    expect((await call(arm, "PUT", `${vmssPath(arm, "rg", "ss")}/extensions/ext`, { body: { properties: { publisher: "p", type: "t", typeHandlerVersion: "1.0" } } })).status).toBe(201);
    const group = `${groupScope(arm, "rg")}/providers/Microsoft.Compute/virtualMachineScaleSets`;
    const subscription = `/subscriptions/${arm.subscriptionId}/providers/Microsoft.Compute/virtualMachineScaleSets`;
    const states = [];
    for (const path of [group, subscription, group]) states.push(state((await call(arm, "GET", path)).body.value[0]));
    expect(states).toEqual(["Updating", "Updating", "Succeeded"]);
  });

  it("a scale set with no running write is read without effect on any other operation", async () => {
    await start();
    arm.addVmss({ resourceGroup: "rg", name: "other", location: "westeurope", osType: "Linux" });
    await call(arm, "PATCH", vmssPath(arm, "rg", "ss"), { body: { identity: { type: "SystemAssigned" } } });
    for (let i = 0; i < 5; i++) await call(arm, "GET", vmssPath(arm, "rg", "other"));
    expect(state((await call(arm, "GET", vmssPath(arm, "rg", "ss"))).body)).toBe("Updating");
  });
});
