/**
 * Creating a VM with an identity, replayed from recordings: PUT with
 * `If-None-Match: *` (201 Creating + Azure-AsyncOperation), polls, GET.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { RecordedDefinition } from "../recordings/sanitize.js";
import {
  expectArmResponseHeaders,
  expectCallHeaders,
  expectFullVmBody,
  expectRequests,
  expectStatusPolls,
  expectStatusUrl,
  expectVmGet,
  GUID,
  headersOf,
  identityOf,
  requestIdsOf,
} from "./expectations.js";
import {
  COMPUTE_API_VERSION,
  FAKE_SSH_PUBLIC_KEY,
  FAKE_SUBSCRIPTION_ID,
  FAKE_TENANT_ID,
  loadFixture,
  RESOURCE_GROUP,
  restoreNetwork,
  runRecorded,
  uaiIdFromIdentityService,
  uaiIdOnVm,
  vmPath,
} from "./harness.js";
import { useNock } from "../support/nock.js";

useNock();

afterAll(restoreNetwork);

const X = "myUserAssignedIdentity";
/**
 * The VM's ARM body, as a caller would write it (no identity: the builder adds it).
 * Sent with the live subscription and key when recording; expected with the fakes.
 */
const definition = (name: string, subscriptionId: string, sshKey: string = FAKE_SSH_PUBLIC_KEY) => ({
  location: "westus",
  properties: {
    hardwareProfile: { vmSize: "Standard_B1s" },
    storageProfile: {
      imageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
      osDisk: { osType: "Linux", createOption: "FromImage", caching: "ReadWrite", managedDisk: { storageAccountType: "Standard_LRS" } },
    },
    osProfile: {
      computerName: name,
      adminUsername: "azureuser",
      linuxConfiguration: {
        disablePasswordAuthentication: true,
        ssh: { publicKeys: [{ path: "/home/azureuser/.ssh/authorized_keys", keyData: sshKey }] },
      },
    },
    networkProfile: {
      networkInterfaces: [
        {
          id: `/subscriptions/${subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Network/networkInterfaces/${name}VMNic`,
          properties: { primary: true },
        },
      ],
    },
  },
});

const P1 = "bbbbbbbb-bbbb-bbbb-bbbb-000000000001";
const C1 = "cccccccc-cccc-cccc-cccc-000000000001";

function expectCreateFixture(defs: RecordedDefinition[], name: string, sentIdentity: unknown, creating: unknown, created: unknown): void {
  const vmUrl = `${vmPath(name)}?api-version=${COMPUTE_API_VERSION}`;
  expect(defs.map((d) => d.method)).toEqual(["PUT", ...defs.slice(1, -1).map(() => "GET"), "GET"]);
  const put = defs[0]!;
  expect(put.path).toBe(vmUrl);
  expect(put.body).toEqual({ ...definition(name, FAKE_SUBSCRIPTION_ID), identity: sentIdentity });
  expect(put.reqheaders).toEqual({ "content-type": "application/json", "if-none-match": "*" });
  expect(put.status).toBe(201);
  const headers = expectArmResponseHeaders(put);
  const vm = expectFullVmBody(put.response, name, "Creating");
  expect(headers["etag"]).toBe(vm["etag"]);
  expect(identityOf(vm)).toEqual(creating);
  const statusUrl = expectStatusUrl(headers["azure-asyncoperation"]);
  expectStatusPolls(defs.slice(1, -1), statusUrl);
  const final = defs.at(-1)!;
  expect(final.path).toBe(vmUrl);
  expect(identityOf(expectVmGet(final, name))).toEqual(created);
  expect(headersOf(final)["etag"]).toMatch(/^"\d+"$/);
}

describe("create a VM with a system-assigned identity (create-vm-system-identity.json)", () => {
  const step = "create-vm-system-identity";
  const name = "myVM2";
  const system = { type: "SystemAssigned", principalId: P1, tenantId: FAKE_TENANT_ID };

  it("PUTs the definition plus {identity: {type: SystemAssigned}} with If-None-Match: *, polls, reads the VM back", async () => {
    const run = await runRecorded(step, (client, { subscriptionId, sshPublicKey }) =>
      client.vm(RESOURCE_GROUP, name).create(definition(name, subscriptionId, sshPublicKey)).withSystemAssignedIdentity().apply(),
    );
    const vmUrl = `${vmPath(name)}?api-version=${COMPUTE_API_VERSION}`;
    expectRequests(run.exchanges, [
      { method: "PUT", path: vmUrl, ifNoneMatch: "*", body: { ...definition(name, FAKE_SUBSCRIPTION_ID), identity: { type: "SystemAssigned" } } },
      { polls: run.exchanges[0]!.responseHeaders["azure-asyncoperation"]! },
      { method: "GET", path: vmUrl },
    ]);
    expectCallHeaders(run, run.result.correlationId);
    expect(run.result.identity).toEqual({ type: "SystemAssigned", systemAssigned: { principalId: P1, tenantId: FAKE_TENANT_ID }, userAssigned: [] });
    expect(run.result.vm).toEqual(run.exchanges.at(-1)!.response);
    expect(run.result.extension).toBeUndefined();
    expect(run.result.requestIds).toEqual(requestIdsOf(run.exchanges));
    expect(run.result.correlationId).toMatch(GUID);
  });

  it("fixture: 201 Creating with Azure-AsyncOperation, then the VM with its principal", () => {
    expectCreateFixture(loadFixture(step), name, { type: "SystemAssigned" }, system, system);
  });
});

describe("create a VM with a user-assigned identity (create-vm-user-identity.json)", () => {
  const step = "create-vm-user-identity";
  const name = "myVM3";
  const sentIdentity = { type: "UserAssigned", userAssignedIdentities: { [uaiIdFromIdentityService(X)]: {} } };

  it("PUTs {type: UserAssigned, {X: {}}} with If-None-Match: * and reports X's ids from the final GET", async () => {
    const run = await runRecorded(step, (client, { subscriptionId, sshPublicKey }) =>
      client
        .vm(RESOURCE_GROUP, name)
        .create(definition(name, subscriptionId, sshPublicKey))
        .withUserAssignedIdentities(uaiIdFromIdentityService(X, subscriptionId))
        .apply(),
    );
    const vmUrl = `${vmPath(name)}?api-version=${COMPUTE_API_VERSION}`;
    expectRequests(run.exchanges, [
      { method: "PUT", path: vmUrl, ifNoneMatch: "*", body: { ...definition(name, FAKE_SUBSCRIPTION_ID), identity: sentIdentity } },
      { polls: run.exchanges[0]!.responseHeaders["azure-asyncoperation"]! },
      { method: "GET", path: vmUrl },
    ]);
    expectCallHeaders(run, run.result.correlationId);
    expect(run.result.identity).toEqual({ type: "UserAssigned", userAssigned: [{ id: uaiIdOnVm(X), principalId: P1, clientId: C1 }] });
    expect(run.result.requestIds).toEqual(requestIdsOf(run.exchanges));
  });

  it("fixture: `{}` for X while Creating, principalId/clientId once created", () => {
    expectCreateFixture(
      loadFixture(step),
      name,
      sentIdentity,
      { type: "UserAssigned", userAssignedIdentities: { [uaiIdOnVm(X)]: {} } },
      { type: "UserAssigned", userAssignedIdentities: { [uaiIdOnVm(X)]: { principalId: P1, clientId: C1 } } },
    );
  });
});
