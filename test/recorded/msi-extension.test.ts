/**
 * The legacy MSI VM extension, replayed from recordings (docs/arm.md §6): the OS and
 * location come from one GET of the VM, then PUT (201 + Azure-AsyncOperation)
 * or DELETE (202, empty body, Azure-AsyncOperation and Location), polls, and
 * for an install a GET of the extension.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { RecordedDefinition } from "../recordings/sanitize.js";
import {
  expectArmResponseHeaders,
  expectCallHeaders,
  expectRequests,
  expectStatusPolls,
  expectStatusUrl,
  expectVmGet,
  headersOf,
} from "./expectations.js";
import { COMPUTE_API_VERSION, loadFixture, RESOURCE_GROUP, restoreNetwork, runRecorded, vmPath } from "./harness.js";
import { useNock } from "../support/nock.js";

useNock();

afterAll(restoreNetwork);

const extensionPath = (vm: string, name: string): string => `${vmPath(vm)}/extensions/${name}?api-version=${COMPUTE_API_VERSION}`;
const vmUrlPath = (vm: string): string => `${vmPath(vm)}?api-version=${COMPUTE_API_VERSION}`;

/** The docs/arm.md §6 install body. */
const installBody = (os: "Windows" | "Linux") => ({
  location: "westus",
  properties: {
    publisher: "Microsoft.ManagedIdentity",
    type: `ManagedIdentityExtensionFor${os}`,
    typeHandlerVersion: "1.0",
    autoUpgradeMinorVersion: true,
    settings: { port: 50342 },
  },
});

const extensionResource = (vm: string, os: "Windows" | "Linux", provisioningState: string) => ({
  name: `ManagedIdentityExtensionFor${os}`,
  id: `${vmPath(vm)}/extensions/ManagedIdentityExtensionFor${os}`,
  type: "Microsoft.Compute/virtualMachines/extensions",
  location: "westus",
  properties: {
    autoUpgradeMinorVersion: true,
    provisioningState,
    publisher: "Microsoft.ManagedIdentity",
    type: `ManagedIdentityExtensionFor${os}`,
    typeHandlerVersion: "1.0",
    settings: { port: 50342 },
  },
});

for (const [os, vm] of [
  ["Windows", "myVM"],
  ["Linux", "myLinuxVM"],
] as const) {
  const step = `msi-extension-install-${os.toLowerCase()}`;
  const type = `ManagedIdentityExtensionFor${os}`;

  describe(`install the MSI extension on a ${os} VM (${step}.json)`, () => {
    it(`reads the VM for its OS and location, PUTs ${type} with port 50342, polls, reads the extension back`, async () => {
      const run = await runRecorded(step, (client) => client.vm(RESOURCE_GROUP, vm).msiExtension.install());
      const put = run.exchanges[1]!;
      expectRequests(run.exchanges, [
        { method: "GET", path: vmUrlPath(vm) },
        { method: "PUT", path: extensionPath(vm, type), body: installBody(os) },
        { polls: put.responseHeaders["azure-asyncoperation"]! },
        { method: "GET", path: extensionPath(vm, type) },
      ]);
      expectCallHeaders(run);
      expect(run.result).toEqual(extensionResource(vm, os, "Succeeded"));
    });

    it("fixture: a VM of that OS in westus, PUT answered 201 Creating with Azure-AsyncOperation", () => {
      const defs = loadFixture(step);
      expect(defs.map((d) => `${d.method} ${d.path.split("?")[0]!.split("/").at(-2)}`)).toEqual([
        "GET virtualMachines",
        "PUT extensions",
        ...defs.slice(2, -1).map(() => "GET operations"),
        "GET extensions",
      ]);
      const [get, put] = defs as [RecordedDefinition, RecordedDefinition];
      const vmBody = expectVmGet(get, vm);
      expect(vmBody).toMatchObject({ location: "westus", properties: { storageProfile: { osDisk: { osType: os } } } });

      expect(put.path).toBe(extensionPath(vm, type));
      expect(put.body).toEqual(installBody(os));
      expect(put.reqheaders).toEqual({ "content-type": "application/json" });
      expect(put.status).toBe(201);
      const headers = expectArmResponseHeaders(put);
      const statusUrl = expectStatusUrl(headers["azure-asyncoperation"]);
      expect(put.response).toEqual(extensionResource(vm, os, "Creating"));

      expectStatusPolls(defs.slice(2, -1), statusUrl);
      const final = defs.at(-1)!;
      expect(final.status).toBe(200);
      expect(final.response).toEqual(extensionResource(vm, os, "Succeeded"));
      expectArmResponseHeaders(final);
    });
  });
}

describe("remove the MSI extension (msi-extension-remove.json)", () => {
  const step = "msi-extension-remove";
  const type = "ManagedIdentityExtensionForWindows";

  it("reads the VM for its OS, DELETEs the extension named after its type and polls Azure-AsyncOperation (not Location)", async () => {
    const run = await runRecorded(step, (client) => client.vm(RESOURCE_GROUP, "myVM").msiExtension.remove());
    const del = run.exchanges[1]!;
    expect(del.responseHeaders["location"]).toBeDefined();
    expectRequests(run.exchanges, [
      { method: "GET", path: vmUrlPath("myVM") },
      { method: "DELETE", path: extensionPath("myVM", type) },
      { polls: del.responseHeaders["azure-asyncoperation"]! },
    ]);
    expectCallHeaders(run);
    expect(run.exchanges.every((e) => e.bodyText === "")).toBe(true);
    expect(run.result).toEqual({ removed: true, name: type });
  });

  it("fixture: DELETE answered 202 with an empty body, Azure-AsyncOperation and Location", () => {
    const defs = loadFixture(step);
    const [get, del] = defs as [RecordedDefinition, RecordedDefinition];
    expectVmGet(get, "myVM");
    expect(del.method).toBe("DELETE");
    expect(del.path).toBe(extensionPath("myVM", type));
    expect(del.status).toBe(202);
    expect(del.response).toBe("");
    const headers = expectArmResponseHeaders(del);
    expect(headers["content-type"]).toBeUndefined();
    const statusUrl = expectStatusUrl(headers["azure-asyncoperation"]);
    expect(headers["location"]).toMatch(/^https:\/\/management\.azure\.com\/subscriptions\/[0-9a-f-]{36}\/providers\/Microsoft\.Compute\/locations\/westus\/operations\//);
    expect(headers["location"]).not.toBe(statusUrl);
    expectStatusPolls(defs.slice(2), statusUrl);
    expect(headersOf(del)["retry-after"]).toBeUndefined();
  });
});
