/** List routes: VMs and user-assigned identities of a subscription or resource group, paged by nextLink. */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import { call, MSI_API, vmPath } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm?.close());

async function start(options: FakeArmOptions = {}): Promise<FakeArm> {
  arm = await startFakeArm({ pollsUntilDone: 0, ...options });
  return arm;
}

const subVms = () => `/subscriptions/${arm.subscriptionId}/providers/Microsoft.Compute/virtualMachines`;
const rgVms = (rg: string) => `/subscriptions/${arm.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines`;

/** Follows nextLink to the end; returns the pages. */
async function allPages(first: string, apiVersion?: string): Promise<any[]> {
  const pages: any[] = [];
  let url: string | undefined = first;
  while (url) {
    const reply = await call(arm, "GET", url, apiVersion ? { apiVersion } : {});
    expect(reply.status).toBe(200);
    pages.push(reply.body);
    url = reply.body.nextLink;
  }
  return pages;
}

describe("VM lists", () => {
  it("page a subscription's VMs listPageSize at a time, with absolute nextLinks keeping the query", async () => {
    await start({ listPageSize: 4 });
    arm.addVms(10, { resourceGroup: (i) => (i % 2 ? "odd" : "even"), location: "westeurope", osType: "Linux" });
    const first = await call(arm, "GET", subVms(), { apiVersion: "2025-04-01" });
    expect(first.body.value).toHaveLength(4);
    expect(first.body.nextLink).toMatch(new RegExp(`^${arm.endpoint}${subVms()}\\?api-version=2025-04-01&%24skiptoken=`));
    const pages = await allPages(first.body.nextLink);
    expect(pages.map((p) => p.value.length)).toEqual([4, 2]);
    expect(pages.at(-1)).not.toHaveProperty("nextLink");
    const names = [first.body, ...pages].flatMap((p) => p.value.map((vm: any) => vm.name));
    expect(names).toEqual(Array.from({ length: 10 }, (_, i) => `vm-${i}`));
  });

  it("list one resource group, case-insensitively, in the order the VMs were added", async () => {
    await start();
    arm.addVms(6, { resourceGroup: (i) => (i < 3 ? "Alpha" : "beta"), location: "westeurope", osType: "Linux" });
    const [page] = await allPages(rgVms("ALPHA"));
    expect(page.value.map((vm: any) => vm.name)).toEqual(["vm-0", "vm-1", "vm-2"]);
    expect(page.value[0].id).toBe(`/subscriptions/${arm.subscriptionId}/resourceGroups/Alpha/providers/Microsoft.Compute/virtualMachines/vm-0`);
  });

  it("answer an empty list for a group with no VMs: one made empty, or one whose resources are gone", async () => {
    await start();
    arm.addResourceGroup("Nothing");
    const reply = await call(arm, "GET", rgVms("nothing"));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ value: [] });
    arm.addUserAssignedIdentity({ resourceGroup: "ids-only", name: "id", location: "westeurope" });
    expect((await call(arm, "GET", rgVms("ids-only"))).body).toEqual({ value: [] });
    const gone = arm.addUserAssignedIdentity({ resourceGroup: "gone", name: "id", location: "westeurope" });
    expect((await call(arm, "DELETE", gone, { apiVersion: MSI_API })).status).toBeLessThan(300);
    expect(arm.getUserAssignedIdentity("gone", "id")).toBeUndefined();
    expect((await call(arm, "GET", rgVms("gone"))).body).toEqual({ value: [] });
  });

  it("answer 404 ResourceGroupNotFound for a group that does not exist, as ARM does", async () => {
    await start();
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
    const reply = await call(arm, "GET", rgVms("no-such-rg"));
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ error: { code: "ResourceGroupNotFound", message: "Resource group 'no-such-rg' could not be found." } });
    // The group's identities and scale sets too; a group that holds a VM lists its scale sets as none.
    const group = `/subscriptions/${arm.subscriptionId}/resourceGroups`;
    expect((await call(arm, "GET", `${group}/no-such-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities`, { apiVersion: MSI_API })).status).toBe(404);
    expect((await call(arm, "GET", `${group}/no-such-rg/providers/Microsoft.Compute/virtualMachineScaleSets`)).status).toBe(404);
    expect((await call(arm, "GET", `${group}/RG/providers/Microsoft.Compute/virtualMachineScaleSets`)).body).toEqual({ value: [] });
    expect(() => arm.addResourceGroup("bad/name")).toThrow(/Invalid resource group name "bad\/name"/);
  });

  it("hold what a GET shows, identity and extensions included, without etag by default", async () => {
    await start();
    const uai = arm.addUserAssignedIdentity({ resourceGroup: "rg", name: "id", location: "westeurope" });
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Windows", identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [uai]: {} } } });
    await call(arm, "PUT", `${vmPath(arm, "rg", "vm")}/extensions/ManagedIdentityExtensionForWindows`, {
      body: { location: "westeurope", properties: { publisher: "Microsoft.ManagedIdentity", type: "ManagedIdentityExtensionForWindows", typeHandlerVersion: "1.0" } },
    });
    arm.completeOperations();
    const [entry] = (await call(arm, "GET", rgVms("rg"))).body.value;
    const { etag, ...get } = arm.getVm("rg", "vm")!;
    expect(etag).toBe('"1"');
    expect(entry).toEqual(get);
    expect(entry).not.toHaveProperty("etag");
    expect(entry.identity.userAssignedIdentities[uai]).toEqual({ principalId: expect.any(String), clientId: expect.any(String) });
    expect(entry.resources.map((r: any) => r.name)).toEqual(["ManagedIdentityExtensionForWindows"]);
  });

  it("carry etag under listEtags", async () => {
    await start({ listEtags: true });
    arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
    await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: { tags: { a: "b" } } });
    const [entry] = (await call(arm, "GET", subVms())).body.value;
    expect(entry.etag).toBe('"2"');
  });

  it("page by position: VMs added while paging appear on later pages", async () => {
    await start({ listPageSize: 2 });
    arm.addVms(3, { resourceGroup: "rg", location: "westeurope", osType: "Linux" });
    const first = await call(arm, "GET", subVms());
    arm.addVm({ resourceGroup: "rg", name: "late", location: "westeurope", osType: "Linux" });
    const second = await call(arm, "GET", first.body.nextLink);
    expect(second.body.value.map((vm: any) => vm.name)).toEqual(["vm-2", "late"]);
  });

  it("refuse a skip token the emulator did not issue", async () => {
    await start();
    const reply = await call(arm, "GET", `${subVms()}?api-version=2024-11-01&$skiptoken=garbage`);
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("InvalidParameter");
  });

  it("rejects a listPageSize below 1", async () => {
    await expect(startFakeArm({ listPageSize: 0 })).rejects.toThrow(/listPageSize/);
  });
});

describe("user-assigned identity lists", () => {
  it("list a resource group's and a subscription's identities, paged", async () => {
    await start({ listPageSize: 2 });
    for (const [rg, name] of [["a", "one"], ["b", "two"], ["a", "three"]] as const) {
      arm.addUserAssignedIdentity({ resourceGroup: rg, name, location: "westeurope" });
    }
    const inA = await call(arm, "GET", `/subscriptions/${arm.subscriptionId}/resourceGroups/a/providers/Microsoft.ManagedIdentity/userAssignedIdentities`, {
      apiVersion: MSI_API,
    });
    expect(inA.body.value.map((u: any) => u.name)).toEqual(["one", "three"]);
    expect(inA.body.value[0]).toEqual(arm.getUserAssignedIdentity("a", "one"));
    expect(inA.body).not.toHaveProperty("nextLink");

    const all = await allPages(`/subscriptions/${arm.subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`, MSI_API);
    expect(all.flatMap((p) => p.value.map((u: any) => u.name))).toEqual(["one", "two", "three"]);
  });

  it("drop a deleted identity", async () => {
    await start();
    arm.addUserAssignedIdentity({ resourceGroup: "a", name: "one", location: "westeurope" });
    arm.addUserAssignedIdentity({ resourceGroup: "a", name: "two", location: "westeurope" });
    await call(arm, "DELETE", `/subscriptions/${arm.subscriptionId}/resourceGroups/a/providers/Microsoft.ManagedIdentity/userAssignedIdentities/one`, {
      apiVersion: MSI_API,
    });
    const reply = await call(arm, "GET", `/subscriptions/${arm.subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`, { apiVersion: MSI_API });
    expect(reply.body.value.map((u: any) => u.name)).toEqual(["two"]);
  });
});
