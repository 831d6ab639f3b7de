/**
 * Scale sets on the wire, step by step: the exact requests for each
 * scale-set call, answered as Azure answered the Azure CLI's recorded
 * `vmss identity assign` / `vmss identity remove` (a Uniform, Manual scale
 * set: GET with `ETag: "1"`, a PATCH holding only `identity` answered 200
 * `Updating` with `ETag: "2"` and `Azure-AsyncOperation`, status polls
 * `InProgress` then `Succeeded`, a GET of the result; removing the last
 * identity PATCHes `{"identity":{"type":"None","userAssignedIdentities":null}}`
 * and the scale set then shows no `identity`), and as docs/arm.md §8 says of
 * extensions, instances and `manualupgrade`.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { isInvalidInputError } from "../../src/index.js";
import { type CapturedRequest, capture } from "../support/capture.js";
import { ARM, SUB, fastClient, uaiId } from "../support/fakes.js";
import { useNock } from "../support/nock.js";

useNock();

afterEach(() => nock.cleanAll());

const API = "2024-11-01";
const ssPath = (name: string) => `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
const withApi = (path: string) => `${path}?api-version=${API}`;
const PRINCIPAL = "bbbbbbbb-bbbb-bbbb-bbbb-000000000001";
const TENANT = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
let operations = 0;

/** A status URL as Compute signs it (`p=`, then the api-version), under the scale set's location. */
function statusUrl(): { path: string; url: string } {
  const path = `/subscriptions/${SUB}/providers/Microsoft.Compute/locations/westus/operations/${String(++operations).padStart(8, "0")}-6629-493f-81ff-31c64356c36b`;
  return { path, url: `${ARM}${path}?p=7b868834-a188-4556-8f0e-38ea6fa689ce&api-version=${API}` };
}

/** The scale set as the recording's GET and PATCH show it. */
function scaleSet(name: string, etag: number, options: { identity?: unknown; state?: string; mode?: string; policy?: string; os?: string; extensions?: unknown[] } = {}) {
  return {
    name,
    id: ssPath(name),
    type: "Microsoft.Compute/virtualMachineScaleSets",
    location: "westus",
    tags: {},
    ...(options.identity ? { identity: options.identity } : {}),
    sku: { name: "Standard_D2s_v3", tier: "Standard", capacity: 3 },
    etag: `"${etag}"`,
    properties: {
      singlePlacementGroup: true,
      orchestrationMode: options.mode ?? "Uniform",
      upgradePolicy: { mode: options.policy ?? "Manual" },
      virtualMachineProfile: {
        storageProfile: { osDisk: { osType: options.os ?? "Linux", createOption: "FromImage", caching: "ReadWrite" } },
        ...(options.extensions ? { extensionProfile: { extensions: options.extensions } } : {}),
      },
      provisioningState: options.state ?? "Succeeded",
      overprovision: true,
      uniqueId: "226d993c-69a9-42ed-9698-66be5bdac1db",
    },
  };
}

/** The response headers the recording shows on a scale-set read and write. */
const readHeaders = (etag: number) => ({
  etag: `"${etag}"`,
  "x-ms-request-id": `11111111-0000-0000-0000-00000000000${etag}`,
  "x-ms-ratelimit-remaining-resource": "Microsoft.Compute/GetVMScaleSetSubscriptionMaximum;2395,Microsoft.Compute/GetVMScaleSetResource;35",
});
const writeHeaders = (etag: number, asyncOperation: string) => ({
  etag: `"${etag}"`,
  "azure-asyncoperation": asyncOperation,
  "azure-asyncnotification": "Enabled",
  "x-ms-ratelimit-remaining-resource": "Microsoft.Compute/VMScaleSetActionsSubscriptionMaximum;1499,Microsoft.Compute/VMScaleSetActionsResource;11",
  "x-ms-ratelimit-remaining-subscription-writes": "199",
});
const inProgress = { startTime: "2026-05-08T01:48:18.3955103+00:00", status: "InProgress", name: "op" };
const succeeded = { startTime: "2026-05-08T01:48:18.3955103+00:00", endTime: "2026-05-08T01:48:27.1+00:00", status: "Succeeded", name: "op" };

/** `METHOD path` of each request, with If-Match and the body: what went over the wire. */
const wire = (seen: CapturedRequest[]) => seen.map((r) => ({ request: `${r.method} ${r.path}`, ...(r.headers["if-match"] ? { ifMatch: r.headers["if-match"] } : {}), ...(r.body === undefined ? {} : { body: r.body }) }));

const msiModelEntry = (os: string, state = "Succeeded") => ({
  name: `ManagedIdentityExtensionFor${os}`,
  properties: { publisher: "Microsoft.ManagedIdentity", type: `ManagedIdentityExtensionFor${os}`, typeHandlerVersion: "1.0", autoUpgradeMinorVersion: true, settings: { port: 50342 }, provisioningState: state },
});
const extensionResource = (ss: string, os: string, state: string) => ({
  id: `${ssPath(ss)}/extensions/ManagedIdentityExtensionFor${os}`,
  type: "Microsoft.Compute/virtualMachineScaleSets/extensions",
  ...msiModelEntry(os, state),
});
const instance = (ss: string, id: string, latestModelApplied: boolean) => ({
  instanceId: id,
  id: `${ssPath(ss)}/virtualMachines/${id}`,
  name: `${ss}_${id}`,
  type: "Microsoft.Compute/virtualMachines",
  location: "westus",
  properties: { latestModelApplied, provisioningState: "Succeeded" },
});

describe("identity of a scale set (the recorded vmss identity assign / remove)", () => {
  it("enable the system identity: GET, PATCH with If-Match and only identity, polls, GET; no instance is touched", async () => {
    const op = statusUrl();
    const system = { type: "SystemAssigned", principalId: PRINCIPAL, tenantId: TENANT };
    const scope = nock(ARM)
      .get(withApi(ssPath("vmss3"))).reply(200, scaleSet("vmss3", 1), readHeaders(1))
      .patch(withApi(ssPath("vmss3"))).reply(200, scaleSet("vmss3", 2, { identity: system, state: "Updating" }), writeHeaders(2, op.url))
      .get(op.path).query(true).reply(200, inProgress)
      .get(op.path).query(true).reply(200, succeeded)
      .get(withApi(ssPath("vmss3"))).reply(200, scaleSet("vmss3", 2, { identity: system }), readHeaders(2));
    const seen = capture(scope);
    const result = await fastClient().vmss("rg", "vmss3").enableSystemAssigned();
    expect(wire(seen)).toEqual([
      { request: `GET ${withApi(ssPath("vmss3"))}` },
      { request: `PATCH ${withApi(ssPath("vmss3"))}`, ifMatch: '"1"', body: { identity: { type: "SystemAssigned" } } },
      { request: `GET ${op.path}?p=7b868834-a188-4556-8f0e-38ea6fa689ce&api-version=${API}` },
      { request: `GET ${op.path}?p=7b868834-a188-4556-8f0e-38ea6fa689ce&api-version=${API}` },
      { request: `GET ${withApi(ssPath("vmss3"))}` },
    ]);
    expect(seen[1]!.headers["content-type"]).toBe("application/json");
    expect(new Set(seen.map((r) => r.headers["x-ms-correlation-request-id"])).size).toBe(1);
    expect(result).toMatchObject({ changed: true, attempts: 1, identity: { type: "SystemAssigned", systemAssigned: { principalId: PRINCIPAL, tenantId: TENANT }, userAssigned: [] } });
    expect(scope.isDone()).toBe(true);
  });

  it("remove every identity: the PATCH the recording shows, and a result with no identity", async () => {
    const op = statusUrl();
    const scope = nock(ARM)
      .get(withApi(ssPath("vmss3"))).reply(200, scaleSet("vmss3", 2, { identity: { type: "SystemAssigned", principalId: PRINCIPAL, tenantId: TENANT } }), readHeaders(2))
      // Removing the system identity first reads its principal's role assignments, to name those it orphans.
      .get(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments`)
      .query({ $filter: `principalId eq '${PRINCIPAL}'`, "api-version": "2022-04-01" })
      .reply(200, { value: [] })
      .patch(withApi(ssPath("vmss3"))).reply(200, scaleSet("vmss3", 3, { state: "Updating" }), writeHeaders(3, op.url))
      .get(op.path).query(true).reply(200, inProgress)
      .get(op.path).query(true).reply(200, succeeded)
      .get(withApi(ssPath("vmss3"))).reply(200, scaleSet("vmss3", 3), readHeaders(3));
    const seen = capture(scope);
    const result = await fastClient().vmss(`${ssPath("vmss3")}`).identity().removeAll().apply();
    expect(wire(seen)[2]).toEqual({ request: `PATCH ${withApi(ssPath("vmss3"))}`, ifMatch: '"2"', body: { identity: { type: "None", userAssignedIdentities: null } } });
    expect(result.identity).toEqual({ type: "None", userAssigned: [] });
    expect(result.orphanedRoleAssignments).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it("attach a user-assigned identity to a Flexible scale set", async () => {
    const op = statusUrl();
    const X = uaiId("rg", "app-identity");
    const scope = nock(ARM)
      .get(withApi(ssPath("flex"))).reply(200, scaleSet("flex", 1, { mode: "Flexible" }), readHeaders(1))
      .patch(withApi(ssPath("flex"))).reply(200, scaleSet("flex", 2, { mode: "Flexible", state: "Updating", identity: { type: "UserAssigned", userAssignedIdentities: { [X]: {} } } }), writeHeaders(2, op.url))
      .get(op.path).query(true).reply(200, succeeded)
      .get(withApi(ssPath("flex"))).reply(200, scaleSet("flex", 2, { mode: "Flexible", identity: { type: "UserAssigned", userAssignedIdentities: { [X]: { principalId: PRINCIPAL, clientId: "cccccccc-cccc-cccc-cccc-000000000001" } } } }), readHeaders(2));
    const seen = capture(scope);
    const result = await fastClient().vmss("rg", "flex").assignUserAssigned(X);
    expect(wire(seen)[1]).toEqual({ request: `PATCH ${withApi(ssPath("flex"))}`, ifMatch: '"1"', body: { identity: { type: "UserAssigned", userAssignedIdentities: { [X]: {} } } } });
    expect(result.identity.userAssigned).toEqual([{ id: X, principalId: PRINCIPAL, clientId: "cccccccc-cccc-cccc-cccc-000000000001" }]);
    expect(scope.isDone()).toBe(true);
  });

  it("a system identity on a Flexible scale set: one GET, then SystemIdentityNotSupported, no PATCH", async () => {
    const scope = nock(ARM).get(withApi(ssPath("flex"))).reply(200, scaleSet("flex", 1, { mode: "Flexible" }), readHeaders(1));
    const seen = capture(scope);
    const error = await fastClient().vmss("rg", "flex").identity().enableSystemAssigned().apply().catch((e: unknown) => e);
    expect(isInvalidInputError(error, "SystemIdentityNotSupported")).toBe(true);
    expect(wire(seen)).toEqual([{ request: `GET ${withApi(ssPath("flex"))}` }]);
    expect(scope.isDone()).toBe(true);
  });
});

describe("the MSI extension on a scale set (docs/arm.md §6, §8)", () => {
  it("Manual with upgradeInstances: GET, PUT without location, poll, GET the extension, list the instances (two pages), manualupgrade of those behind, poll, its Location", async () => {
    const put = statusUrl();
    const upgrade = statusUrl();
    const extPath = withApi(`${ssPath("ss")}/extensions/ManagedIdentityExtensionForLinux`);
    const instancesPath = withApi(`${ssPath("ss")}/virtualMachines`);
    const page2 = `${instancesPath}&$skiptoken=page2`;
    const scope = nock(ARM)
      .get(withApi(ssPath("ss"))).reply(200, scaleSet("ss", 1), readHeaders(1))
      .put(extPath).reply(201, extensionResource("ss", "Linux", "Creating"), { "azure-asyncoperation": put.url })
      .get(put.path).query(true).reply(200, succeeded)
      .get(extPath).reply(200, extensionResource("ss", "Linux", "Succeeded"))
      .get(instancesPath).reply(200, { value: [instance("ss", "0", false), instance("ss", "1", true)], nextLink: `${ARM}${page2}` })
      .get(page2).reply(200, { value: [instance("ss", "2", false)] })
      .post(withApi(`${ssPath("ss")}/manualupgrade`)).reply(202, "", { "azure-asyncoperation": upgrade.url, location: upgrade.url.replace("/operations/", "/operationResults/") })
      .get(upgrade.path).query(true).reply(200, succeeded)
      // A POST's operation ends with a read of its Location (core-lro's rule for POST, as the Azure SDK's beginUpdateInstances).
      .get(upgrade.path.replace("/operations/", "/operationResults/")).query(true).reply(204);
    const seen = capture(scope);
    const result = await fastClient().vmss("rg", "ss").msiExtension.install({}, { upgradeInstances: true });
    expect(wire(seen)).toEqual([
      { request: `GET ${withApi(ssPath("ss"))}` },
      {
        request: `PUT ${extPath}`,
        body: { properties: { publisher: "Microsoft.ManagedIdentity", type: "ManagedIdentityExtensionForLinux", typeHandlerVersion: "1.0", autoUpgradeMinorVersion: true, settings: { port: 50342 } } },
      },
      { request: `GET ${put.path}?p=7b868834-a188-4556-8f0e-38ea6fa689ce&api-version=${API}` },
      { request: `GET ${extPath}` },
      { request: `GET ${instancesPath}` },
      { request: `GET ${page2}` },
      { request: `POST ${withApi(`${ssPath("ss")}/manualupgrade`)}`, body: { instanceIds: ["0", "2"] } },
      { request: `GET ${upgrade.path}?p=7b868834-a188-4556-8f0e-38ea6fa689ce&api-version=${API}` },
      { request: `GET ${upgrade.path.replace("/operations/", "/operationResults/")}?p=7b868834-a188-4556-8f0e-38ea6fa689ce&api-version=${API}` },
    ]);
    expect(result).toEqual({ extension: extensionResource("ss", "Linux", "Succeeded"), upgradePolicy: "Manual", instancesPending: 0, upgradedInstances: ["0", "2"] });
    expect(scope.isDone()).toBe(true);
  });

  it("Manual without upgradeInstances: DELETE, poll, list the instances, count those without the latest model; no manualupgrade", async () => {
    const del = statusUrl();
    const extPath = withApi(`${ssPath("ss")}/extensions/ManagedIdentityExtensionForWindows`);
    const scope = nock(ARM)
      .get(withApi(ssPath("ss"))).reply(200, scaleSet("ss", 4, { os: "Windows", extensions: [msiModelEntry("Windows")] }), readHeaders(4))
      .delete(extPath).reply(202, "", { "azure-asyncoperation": del.url, location: `${del.url}&monitor=true` })
      .get(del.path).query(true).reply(200, inProgress)
      .get(del.path).query(true).reply(200, succeeded)
      .get(withApi(`${ssPath("ss")}/virtualMachines`)).reply(200, { value: ["0", "1", "2"].map((id) => instance("ss", id, false)) });
    const seen = capture(scope);
    const result = await fastClient().vmss("rg", "ss").msiExtension.remove();
    expect(wire(seen).map((r) => r.request)).toEqual([
      `GET ${withApi(ssPath("ss"))}`,
      `DELETE ${extPath}`,
      `GET ${del.path}?p=7b868834-a188-4556-8f0e-38ea6fa689ce&api-version=${API}`,
      `GET ${del.path}?p=7b868834-a188-4556-8f0e-38ea6fa689ce&api-version=${API}`,
      `GET ${withApi(`${ssPath("ss")}/virtualMachines`)}`,
    ]);
    expect(result).toEqual({ removed: true, name: "ManagedIdentityExtensionForWindows", upgradePolicy: "Manual", instancesPending: 3, upgradedInstances: [] });
    expect(scope.isDone()).toBe(true);
  });

  it("Automatic: GET, PUT, poll, GET the extension; the instances are neither listed nor upgraded", async () => {
    const put = statusUrl();
    const extPath = withApi(`${ssPath("auto")}/extensions/ManagedIdentityExtensionForLinux`);
    const scope = nock(ARM)
      .get(withApi(ssPath("auto"))).reply(200, scaleSet("auto", 1, { policy: "Automatic" }), readHeaders(1))
      .put(extPath).reply(201, extensionResource("auto", "Linux", "Creating"), { "azure-asyncoperation": put.url })
      .get(put.path).query(true).reply(200, succeeded)
      .get(extPath).reply(200, extensionResource("auto", "Linux", "Succeeded"));
    const seen = capture(scope);
    const result = await fastClient().vmss("rg", "auto").msiExtension.install({}, { upgradeInstances: true });
    expect(wire(seen).map((r) => r.request.split("?")[0])).toEqual([`GET ${ssPath("auto")}`, `PUT ${ssPath("auto")}/extensions/ManagedIdentityExtensionForLinux`, `GET ${put.path}`, `GET ${ssPath("auto")}/extensions/ManagedIdentityExtensionForLinux`]);
    expect(result).toMatchObject({ upgradePolicy: "Automatic", instancesPending: 0, upgradedInstances: [] });
    expect(scope.isDone()).toBe(true);
  });

  it("get(): the scale set's OS names the extension; a 404 is 'not installed'", async () => {
    const extPath = withApi(`${ssPath("ss")}/extensions/ManagedIdentityExtensionForLinux`);
    const scope = nock(ARM)
      .get(withApi(ssPath("ss"))).reply(200, scaleSet("ss", 1), readHeaders(1))
      .get(extPath).reply(404, { error: { code: "NotFound", message: "The entity was not found in this Azure location." } });
    const seen = capture(scope);
    expect(await fastClient().vmss("rg", "ss").msiExtension.get()).toBeUndefined();
    expect(wire(seen).map((r) => r.request)).toEqual([`GET ${withApi(ssPath("ss"))}`, `GET ${extPath}`]);
  });
});

describe("migrateFromMsiExtension on the wire", () => {
  const vmPath = (name: string) => `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}`;
  const vmEntry = (name: string, identity?: unknown) => ({
    id: vmPath(name),
    name,
    type: "Microsoft.Compute/virtualMachines",
    location: "westus",
    ...(identity ? { identity } : {}),
    properties: { provisioningState: "Succeeded", storageProfile: { osDisk: { osType: "Linux" } } },
    resources: [{ id: `${vmPath(name)}/extensions/ManagedIdentityExtensionForLinux`, name: "ManagedIdentityExtensionForLinux", type: "Microsoft.Compute/virtualMachines/extensions", properties: { type: "ManagedIdentityExtensionForLinux", settings: { port: 50342 } } }],
  });
  const system = { type: "SystemAssigned", principalId: PRINCIPAL, tenantId: TENANT };

  it("reads the two lists, then per resource only its DELETE, polls and (Manual, upgradeInstances) the instances and their upgrade", async () => {
    const vmDelete = statusUrl();
    const ssDelete = statusUrl();
    const upgrade = statusUrl();
    const scope = nock(ARM)
      .get(withApi(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines`)).reply(200, { value: [vmEntry("vm1", system), vmEntry("vm-none")] })
      .get(withApi(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets`)).reply(200, { value: [scaleSet("ss", 1, { identity: system, extensions: [msiModelEntry("Linux")] })] })
      .delete(withApi(`${vmPath("vm1")}/extensions/ManagedIdentityExtensionForLinux`)).reply(202, "", { "azure-asyncoperation": vmDelete.url })
      .get(vmDelete.path).query(true).reply(200, succeeded)
      .delete(withApi(`${ssPath("ss")}/extensions/ManagedIdentityExtensionForLinux`)).reply(202, "", { "azure-asyncoperation": ssDelete.url })
      .get(ssDelete.path).query(true).reply(200, succeeded)
      .get(withApi(`${ssPath("ss")}/virtualMachines`)).reply(200, { value: ["0", "1"].map((id) => instance("ss", id, false)) })
      .post(withApi(`${ssPath("ss")}/manualupgrade`)).reply(202, "", { "azure-asyncoperation": upgrade.url })
      .get(upgrade.path).query(true).reply(200, succeeded);
    const seen = capture(scope);
    const report = await fastClient().migrateFromMsiExtension({ resourceGroup: "rg" }, { upgradeInstances: true, concurrency: 1 });
    expect(wire(seen).map((r) => r.request.split("?")[0]!.replace(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/`, "")))
      .toEqual([
        "GET virtualMachines",
        "GET virtualMachineScaleSets",
        "DELETE virtualMachines/vm1/extensions/ManagedIdentityExtensionForLinux",
        `GET ${vmDelete.path}`,
        "DELETE virtualMachineScaleSets/ss/extensions/ManagedIdentityExtensionForLinux",
        `GET ${ssDelete.path}`,
        "GET virtualMachineScaleSets/ss/virtualMachines",
        "POST virtualMachineScaleSets/ss/manualupgrade",
        `GET ${upgrade.path}`,
      ]);
    expect(seen.find((r) => r.method === "POST")!.body).toEqual({ instanceIds: ["0", "1"] });
    expect(report.map((r) => [r.resourceId, r.kind, r.status, r.reasonCode])).toEqual([
      [vmPath("vm1"), "virtualMachine", "removed", undefined],
      [vmPath("vm-none"), "virtualMachine", "skipped", "NoIdentity"],
      [ssPath("ss"), "virtualMachineScaleSet", "removed", undefined],
    ]);
    expect(report[2]).toMatchObject({ upgradePolicy: "Manual", upgradedInstances: ["0", "1"], instancesPending: 0, identity: { type: "SystemAssigned" } });
    expect(scope.isDone()).toBe(true);
  });
});
