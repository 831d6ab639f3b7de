/**
 * Scale sets end to end against the emulator: identity changes on Uniform
 * and Flexible scale sets through the same builder as a VM's (no instance
 * upgrade, no warning about one), the Flexible refusal of a system identity
 * before any write, and the MSI extension on Manual (with and without
 * upgrading the instances) and Automatic scale sets.
 */
import { AzureLogger, setLogLevel } from "@azure/logger";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeArm } from "../../src/testing/index.js";
import { InvalidInputError, VmIdentityClient, isInvalidInputError } from "../../src/index.js";
import { emulatorWithClient, writesOf } from "../support/emulator.js";

let arm: FakeArm;
let client: VmIdentityClient;

beforeEach(async () => {
  ({ arm, client } = await emulatorWithClient({ pollsUntilDone: 1 }));
});
afterEach(async () => arm.close());

const instancesOf = (name: string) => arm.getVmssInstances("rg", name)!.map((i) => ({ id: i.instanceId, latest: i.properties.latestModelApplied, extensions: (i.resources ?? []).map((r) => r.name) }));

describe("identity of a Uniform scale set", () => {
  it("enables the system identity, attaches and detaches user-assigned ones, and leaves every instance on its model", async () => {
    const id = arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux", capacity: 3 });
    const uai = arm.addUserAssignedIdentity({ resourceGroup: "rg", name: "app-identity", location: "westeurope" });
    const ss = client.vmss("rg", "ss");
    expect(ss.resourceId).toBe(id);
    expect(client.vmss(id).name).toBe("ss");
    expect(await ss.getIdentity()).toEqual({ type: "None", userAssigned: [] });

    const enabled = await ss.enableSystemAssigned();
    expect(enabled.changed).toBe(true);
    expect(enabled.identity.type).toBe("SystemAssigned");
    expect(enabled.identity.systemAssigned?.principalId).toMatch(/^[0-9a-f-]{36}$/);

    const assigned = await ss.identity().assignUserAssigned(uai).apply();
    expect(assigned.identity.type).toBe("SystemAssigned, UserAssigned");
    expect(assigned.identity.userAssigned).toEqual([{ id: uai, principalId: expect.any(String), clientId: expect.any(String) }]);

    const removed = await ss.removeUserAssigned(uai);
    expect(removed.identity.type).toBe("SystemAssigned");
    expect(arm.getVmss("rg", "ss")!.identity).toEqual({ type: "SystemAssigned", principalId: enabled.identity.systemAssigned!.principalId, tenantId: expect.any(String) });
    // Identity is no model change: no instance needs an upgrade, and none was asked for.
    expect(instancesOf("ss").every((i) => i.latest)).toBe(true);
    expect(writesOf(arm).map((w) => `${w.method} ${w.path.split("/").slice(-1)[0]}`)).toEqual(["PATCH ss", "PATCH ss", "PATCH ss"]);
    expect(writesOf(arm).every((w) => w.headers["if-match"] !== undefined)).toBe(true);
  });

  it("logs no advice to upgrade instances after an identity change", async () => {
    arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux" });
    const lines: string[] = [];
    const previous = AzureLogger.log;
    AzureLogger.log = (...args: unknown[]) => void lines.push(args.join(" "));
    setLogLevel("info");
    try {
      await client.vmss("rg", "ss").enableSystemAssigned();
    } finally {
      setLogLevel("warning");
      AzureLogger.log = previous;
    }
    expect(lines.some((l) => /SystemAssigned/.test(l))).toBe(true);
    expect(lines.filter((l) => /upgrade|update-instances|manualupgrade/i.test(l))).toEqual([]);
  });

  it("plans from one GET and applies with If-Match; a change made between its read and its PATCH is re-planned, not undone", async () => {
    arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux" });
    const uai = arm.addUserAssignedIdentity({ resourceGroup: "rg", name: "app-identity", location: "westeurope" });
    arm.clearRequests();
    const plan = await client.vmss("rg", "ss").identity().assignUserAssigned(uai).plan();
    expect(arm.requests.map((r) => r.method)).toEqual(["GET"]);
    expect(plan.request).toMatchObject({ method: "PATCH", headers: { "if-match": '"1"' }, body: { identity: { type: "UserAssigned", userAssignedIdentities: { [uai]: {} } } } });

    // Another writer enables the system identity just before this client's first PATCH leaves.
    const racer = new VmIdentityClient(arm.credential, arm.subscriptionId, {
      endpoint: arm.endpoint,
      updateIntervalInMs: 0,
      additionalPolicies: [
        {
          position: "perCall",
          policy: {
            name: "concurrent-writer",
            async sendRequest(request, next) {
              if (request.method === "PATCH" && !raced) {
                raced = true;
                await client.vmss("rg", "ss").enableSystemAssigned();
              }
              return next(request);
            },
          },
        },
      ],
    });
    let raced = false;
    arm.clearRequests();
    const result = await racer.vmss("rg", "ss").identity().assignUserAssigned(uai).apply();
    expect(result.attempts).toBe(2);
    expect(result.identity.type).toBe("SystemAssigned, UserAssigned");
    expect(writesOf(arm).map((w) => [w.headers["if-match"], w.status])).toEqual([
      ['"1"', 200], // the other writer's
      ['"1"', 412], // this one's, planned on the stale read
      ['"2"', 200], // planned again over the system identity, which it keeps
    ]);
    expect(writesOf(arm)[2]!.body).toEqual({ identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [uai]: {} } } });
  });

  it("beginApply returns a core-lro poller whose result is the scale set's identity", async () => {
    arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Windows" });
    const poller = client.vmss("rg", "ss").identity().enableSystemAssigned().beginApply();
    const result = await poller.pollUntilDone();
    expect(poller.isDone).toBe(true);
    expect(result.identity.type).toBe("SystemAssigned");
  });
});

describe("identity of a Flexible scale set", () => {
  it("takes user-assigned identities", async () => {
    arm.addVmss({ resourceGroup: "rg", name: "flex", location: "westeurope", osType: "Linux", orchestrationMode: "Flexible" });
    const uai = arm.addUserAssignedIdentity({ resourceGroup: "rg", name: "app-identity", location: "westeurope" });
    const result = await client.vmss("rg", "flex").assignUserAssigned(uai);
    expect(result.identity).toMatchObject({ type: "UserAssigned", userAssigned: [{ id: uai }] });
  });

  it("refuses a system identity after the read, before any write, pointing at its instance VMs, which take one", async () => {
    arm.addVmss({ resourceGroup: "rg", name: "flex", location: "westeurope", osType: "Linux", orchestrationMode: "Flexible", capacity: 2 });
    const ss = client.vmss("rg", "flex");
    arm.clearRequests();
    const error = await ss.enableSystemAssigned().catch((e: unknown) => e);
    expect(isInvalidInputError(error, "SystemIdentityNotSupported")).toBe(true);
    expect((error as Error).message).toMatch(/Flexible/);
    expect((error as Error).message).toMatch(/client\.vm\(instance\.id\)/);
    expect(arm.requests.map((r) => r.method)).toEqual(["GET"]);
    await expect(ss.identity().enableSystemAssigned().plan()).rejects.toBeInstanceOf(InvalidInputError);
    expect(writesOf(arm)).toEqual([]);

    // Its instances are VMs: list them and give each its own system identity.
    const instances = [];
    for await (const instance of ss.listInstances()) instances.push(instance);
    expect(instances).toHaveLength(2);
    for (const instance of instances) {
      const result = await client.vm(instance.id).enableSystemAssigned();
      expect(result.identity.type).toBe("SystemAssigned");
    }
    const names = instances.map((i) => i.instanceId);
    expect(names.every((n) => arm.getVm("rg", n)?.identity?.type === "SystemAssigned")).toBe(true);
    expect(arm.getVmss("rg", "flex")).not.toHaveProperty("identity");
  });
});

describe("the MSI extension on a scale set", () => {
  const extensionNames = (name: string) => (arm.getVmss("rg", name)!.properties.virtualMachineProfile.extensionProfile?.extensions ?? []).map((e) => e.name);

  it("Manual, without upgradeInstances: installs in the model and says how many instances do not have it yet", async () => {
    arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Windows", upgradePolicy: "Manual", capacity: 3 });
    const result = await client.vmss("rg", "ss").msiExtension.install({ port: 50343 });
    expect(result).toMatchObject({ upgradePolicy: "Manual", instancesPending: 3, upgradedInstances: [] });
    expect(result.extension).toMatchObject({ name: "ManagedIdentityExtensionForWindows", properties: { type: "ManagedIdentityExtensionForWindows", settings: { port: 50343 } } });
    expect(result.extension).not.toHaveProperty("location");
    expect(extensionNames("ss")).toEqual(["ManagedIdentityExtensionForWindows"]);
    expect(instancesOf("ss")).toEqual([0, 1, 2].map((i) => ({ id: String(i), latest: false, extensions: [] })));
    const put = writesOf(arm).find((w) => w.method === "PUT")!;
    expect(put.body).toEqual({
      properties: {
        publisher: "Microsoft.ManagedIdentity",
        type: "ManagedIdentityExtensionForWindows",
        typeHandlerVersion: "1.0",
        autoUpgradeMinorVersion: true,
        settings: { port: 50343 },
      },
    });
    expect(writesOf(arm).some((w) => w.path.endsWith("/manualupgrade"))).toBe(false);
    expect(await client.vmss("rg", "ss").msiExtension.get()).toMatchObject({ name: "ManagedIdentityExtensionForWindows" });
  });

  it("Manual, with upgradeInstances: upgrades exactly the instances that lack the latest model", async () => {
    arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux", upgradePolicy: "Manual", capacity: 3 });
    const ss = client.vmss("rg", "ss");
    const installed = await ss.msiExtension.install({}, { upgradeInstances: true });
    expect(installed).toMatchObject({ upgradePolicy: "Manual", instancesPending: 0, upgradedInstances: ["0", "1", "2"] });
    expect(instancesOf("ss").every((i) => i.latest && i.extensions.includes("ManagedIdentityExtensionForLinux"))).toBe(true);
    const upgrade = writesOf(arm).find((w) => w.path.endsWith("/manualupgrade"))!;
    expect(upgrade).toMatchObject({ method: "POST", body: { instanceIds: ["0", "1", "2"] }, status: 202 });

    arm.clearRequests();
    const removed = await ss.msiExtension.remove({}, { upgradeInstances: true });
    expect(removed).toMatchObject({ removed: true, name: "ManagedIdentityExtensionForLinux", upgradePolicy: "Manual", instancesPending: 0, upgradedInstances: ["0", "1", "2"] });
    expect(extensionNames("ss")).toEqual([]);
    expect(instancesOf("ss").every((i) => i.latest && i.extensions.length === 0)).toBe(true);
    expect(await ss.msiExtension.get()).toBeUndefined();
  });

  it("Manual: a removal whose upgrade never ran is finished by the next remove with upgradeInstances", async () => {
    arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux", capacity: 2 });
    const ss = client.vmss("rg", "ss");
    await ss.msiExtension.install({}, { upgradeInstances: true });
    expect(await ss.msiExtension.remove()).toMatchObject({ removed: true, instancesPending: 2 });
    expect(instancesOf("ss").map((i) => i.extensions)).toEqual([["ManagedIdentityExtensionForLinux"], ["ManagedIdentityExtensionForLinux"]]);
    expect(await ss.msiExtension.remove({}, { upgradeInstances: true })).toMatchObject({ removed: false, instancesPending: 0, upgradedInstances: ["0", "1"] });
    expect(instancesOf("ss").map((i) => i.extensions)).toEqual([[], []]);
  });

  it("Automatic: instances take the extension by themselves; no instance is listed or upgraded", async () => {
    arm.addVmss({ resourceGroup: "rg", name: "auto", location: "westeurope", osType: "Linux", upgradePolicy: "Automatic", capacity: 2 });
    arm.clearRequests();
    const result = await client.vmss("rg", "auto").msiExtension.install({}, { upgradeInstances: true });
    expect(result).toMatchObject({ upgradePolicy: "Automatic", instancesPending: 0, upgradedInstances: [] });
    expect(instancesOf("auto").every((i) => i.latest && i.extensions.includes("ManagedIdentityExtensionForLinux"))).toBe(true);
    expect(arm.requests.filter((r) => new URL(r.url).pathname.endsWith("/virtualMachines") || r.url.includes("/manualupgrade"))).toEqual([]);
  });

  it("refuses bad options before any request", async () => {
    arm.addVmss({ resourceGroup: "rg", name: "ss", location: "westeurope", osType: "Linux" });
    arm.clearRequests();
    const ss = client.vmss("rg", "ss");
    await expect(ss.msiExtension.install({ port: 0 })).rejects.toMatchObject({ code: "InvalidPort" });
    await expect(ss.msiExtension.install({}, { upgradeInstances: "yes" as unknown as boolean })).rejects.toMatchObject({ code: "InvalidOption" });
    await expect(ss.msiExtension.remove({ name: "bad/name" })).rejects.toMatchObject({ code: "InvalidExtensionName" });
    expect(() => client.vmss("rg", "bad name")).toThrow(expect.objectContaining({ code: "InvalidScaleSetName" }));
    expect(() => client.vmss("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm")).toThrow(expect.objectContaining({ code: "InvalidResourceId" }));
    expect(arm.requests).toEqual([]);
  });
});
