/**
 * Scale sets and the access model on the emulator's one clock: how long
 * scale-set operations run (operationDurationMs, scaleSetOperationDurationMs),
 * and timeScale applied to them, to the replication delay and to the times
 * role assignments carry. A hand-moved real-time source, no sleeps.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import { putAssignment, READER, roleId, subscriptionScope, vmssPath } from "./accessHelpers.js";
import { call, manualClock, vmPath } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm?.close());

let time = manualClock();
async function start(options: FakeArmOptions = {}): Promise<FakeArm> {
  time = manualClock();
  arm = await startFakeArm({ clock: time.now, ...options });
  arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
  arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux", capacity: 1 });
  return arm;
}

const ss = () => vmssPath(arm, "rg", "ss");
const enable = (path: string) => call(arm, "PATCH", path, { body: { identity: { type: "SystemAssigned" } } });
const statusOf = async (url: string) => (await call(arm, "GET", url)).body.status as string;
const EXTENSION = { properties: { publisher: "Microsoft.ManagedIdentity", type: "ManagedIdentityExtensionForLinux", typeHandlerVersion: "1.0" } };

describe("scale-set operation durations", () => {
  it("take operationDurationMs like VM operations when no scale-set duration is given", async () => {
    await start({ operationDurationMs: 5000 });
    const url = (await enable(ss())).headers.get("azure-asyncoperation")!;
    for (let i = 0; i < 3; i++) expect(await statusOf(url)).toBe("InProgress");
    expect(arm.getVmss("rg", "ss")!.properties.provisioningState).toBe("Updating");
    expect((await call(arm, "PATCH", ss(), { body: { tags: { a: "b" } } })).status).toBe(409);
    time.advance(4999);
    expect(await statusOf(url)).toBe("InProgress");
    time.advance(1);
    expect(await statusOf(url)).toBe("Succeeded");
    expect(arm.getVmss("rg", "ss")!.properties.provisioningState).toBe("Succeeded");
  });

  it("take scaleSetOperationDurationMs when given, VM operations keeping operationDurationMs", async () => {
    await start({ operationDurationMs: 5000, scaleSetOperationDurationMs: 9000 });
    const vmOp = (await enable(vmPath(arm, "rg", "vm"))).headers.get("azure-asyncoperation")!;
    const ssOp = (await enable(ss())).headers.get("azure-asyncoperation")!;
    time.advance(5000);
    expect(await statusOf(vmOp)).toBe("Succeeded");
    expect(await statusOf(ssOp)).toBe("InProgress");
    time.advance(4000);
    const done = await call(arm, "GET", ssOp);
    expect(done.body.status).toBe("Succeeded");
    expect(Date.parse(done.body.endTime) - Date.parse(done.body.startTime)).toBe(9000);
  });

  it("apply to every scale-set write: extension PUT and DELETE and manualupgrade", async () => {
    await start({ scaleSetOperationDurationMs: 9000, pollsUntilDone: 0 });
    const writes = [
      () => call(arm, "PUT", `${ss()}/extensions/msi`, { body: EXTENSION }),
      () => call(arm, "POST", `${ss()}/manualupgrade`, { body: { instanceIds: ["0"] } }),
      () => call(arm, "DELETE", `${ss()}/extensions/msi`),
    ];
    for (const write of writes) {
      const reply = await write();
      expect(reply.status).toBeLessThan(300);
      const url = reply.headers.get("azure-asyncoperation")!;
      expect(await statusOf(url)).toBe("InProgress");
      time.advance(8999);
      expect(await statusOf(url)).toBe("InProgress");
      time.advance(1);
      expect(await statusOf(url)).toBe("Succeeded");
    }
    expect(arm.getVmss("rg", "ss")!.properties.virtualMachineProfile).not.toHaveProperty("extensionProfile");
  });

  it("a scale-set duration alone leaves VM operations to pollsUntilDone", async () => {
    await start({ scaleSetOperationDurationMs: 9000, pollsUntilDone: 0, autoCompleteAfterMs: Infinity });
    const vmOp = (await enable(vmPath(arm, "rg", "vm"))).headers.get("azure-asyncoperation")!;
    const ssOp = (await enable(ss())).headers.get("azure-asyncoperation")!;
    expect(await statusOf(vmOp)).toBe("Succeeded");
    // Polls do not move a timed operation; only time does, and nobody needs to poll.
    for (let i = 0; i < 3; i++) expect(await statusOf(ssOp)).toBe("InProgress");
    time.advance(9000);
    expect(arm.getVmss("rg", "ss")!.properties.provisioningState).toBe("Succeeded");
  });

  it("without any duration, scale-set operations follow pollsUntilDone like VM ones", async () => {
    await start({ pollsUntilDone: 2, autoCompleteAfterMs: Infinity });
    const url = (await enable(ss())).headers.get("azure-asyncoperation")!;
    expect([await statusOf(url), await statusOf(url), await statusOf(url)]).toEqual(["InProgress", "InProgress", "Succeeded"]);
  });

  it("run on emulator time: 9 s take 150 ms at timeScale 60", async () => {
    await start({ scaleSetOperationDurationMs: 9000, timeScale: 60 });
    const url = (await enable(ss())).headers.get("azure-asyncoperation")!;
    time.advance(149);
    expect(await statusOf(url)).toBe("InProgress");
    time.advance(1);
    expect(await statusOf(url)).toBe("Succeeded");
  });

  it("rejects a negative or infinite scale-set duration", async () => {
    await expect(startFakeArm({ scaleSetOperationDurationMs: -1 })).rejects.toThrow(/scaleSetOperationDurationMs/);
    await expect(startFakeArm({ scaleSetOperationDurationMs: Infinity })).rejects.toThrow(/scaleSetOperationDurationMs/);
  });
});

describe("the replication delay on the emulator's clock", () => {
  const NAME = "11111111-1111-4111-8111-111111111111";
  const assign = (principalId: string) => putAssignment(arm, subscriptionScope(arm), NAME, { roleDefinitionId: roleId(arm, READER), principalId });

  it("shrinks by timeScale: 60 s of delay pass in 1 real second at timeScale 60", async () => {
    await start({ principalReplicationDelayMs: 60_000, timeScale: 60, pollsUntilDone: 0 });
    const principal = arm.addPrincipal({ principalType: "ServicePrincipal" });
    time.advance(999);
    expect((await assign(principal)).body.error.code).toBe("PrincipalNotFound");
    time.advance(1);
    expect((await assign(principal)).status).toBe(201);
  });

  it("starts when a scale set's system identity appears, on the same clock as its operation", async () => {
    await start({ principalReplicationDelayMs: 30_000, scaleSetOperationDurationMs: 9000, timeScale: 10 });
    const principal = (await enable(ss())).body.identity.principalId as string;
    time.advance(2_999);
    expect((await assign(principal)).body.error.code).toBe("PrincipalNotFound");
    time.advance(1);
    expect((await assign(principal)).status).toBe(201);
  });

  it("stamps assignments with emulator time (arm.now())", async () => {
    await start({ timeScale: 60 });
    time.advance(60_000);
    const principal = arm.addPrincipal();
    const reply = await assign(principal);
    expect(reply.status).toBe(201);
    expect(Date.parse(reply.body.properties.createdOn)).toBe(arm.now());
    expect(arm.now() - time.now()).toBe(59 * 60_000);
  });
});
