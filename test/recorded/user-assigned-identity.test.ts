/**
 * Creating a user-assigned identity, replayed from a recording (docs/arm.md §7):
 * one synchronous PUT answered 201 with tenantId/principalId/clientId.
 */
import { afterAll, describe, expect, it } from "vitest";
import { expectArmResponseHeaders, expectCallHeaders, expectRequests, GUID } from "./expectations.js";
import {
  FAKE_SUBSCRIPTION_ID,
  FAKE_TENANT_ID,
  loadFixture,
  MANAGED_IDENTITY_API_VERSION,
  RESOURCE_GROUP,
  restoreNetwork,
  runRecorded,
  uaiIdFromIdentityService,
} from "./harness.js";
import { useNock } from "../support/nock.js";

useNock();

afterAll(restoreNetwork);

const step = "create-user-assigned-identity";
const NAME = "myUserAssignedIdentity";
const PATH = `/subscriptions/${FAKE_SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${NAME}?api-version=${MANAGED_IDENTITY_API_VERSION}`;
const TAGS = { purpose: "vm-identity-walkthrough" };

describe("create a user-assigned identity (create-user-assigned-identity.json)", () => {
  it("PUTs {location, tags} once, without waiting, and returns the ids the service assigned", async () => {
    const run = await runRecorded(step, (client) => client.userAssignedIdentity(RESOURCE_GROUP, NAME).createOrUpdate({ location: "westus", tags: TAGS }));
    expectRequests(run.exchanges, [{ method: "PUT", path: PATH, body: { location: "westus", tags: TAGS } }]);
    expectCallHeaders(run);
    expect(run.result).toEqual({
      // The identity service's own spelling (`/resourcegroups/`): the id to pass to assignUserAssigned().
      id: uaiIdFromIdentityService(NAME),
      name: NAME,
      location: "westus",
      tags: TAGS,
      principalId: "bbbbbbbb-bbbb-bbbb-bbbb-000000000001",
      clientId: "cccccccc-cccc-cccc-cccc-000000000001",
      tenantId: FAKE_TENANT_ID,
    });
  });

  it("fixture: 201, synchronous (no Azure-AsyncOperation or Location), properties tenantId/principalId/clientId", () => {
    const [put, ...rest] = loadFixture(step);
    expect(rest).toEqual([]);
    expect(put!.method).toBe("PUT");
    expect(put!.path).toBe(PATH);
    expect(put!.reqheaders).toEqual({ "content-type": "application/json" });
    expect(put!.status).toBe(201);
    const headers = expectArmResponseHeaders(put!);
    expect(headers["azure-asyncoperation"]).toBeUndefined();
    expect(headers["location"]).toBeUndefined();
    const body = put!.response as { id: string; properties: Record<string, string> };
    expect(body.id).toContain("/resourcegroups/");
    expect(body.id).not.toContain("/resourceGroups/");
    expect(body).toMatchObject({
      name: NAME,
      type: "Microsoft.ManagedIdentity/userAssignedIdentities",
      location: "westus",
      properties: { tenantId: expect.stringMatching(GUID), principalId: expect.stringMatching(GUID), clientId: expect.stringMatching(GUID) },
    });
  });
});
