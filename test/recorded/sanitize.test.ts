/**
 * The afterRecord sanitizer (test/recordings/sanitize.ts), on a synthetic live
 * recording: a token request, a bearer-authenticated GET and PATCH, a gzip
 * response, real-looking subscription / tenant / principal / client ids.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import nock from "nock";
import { afterAll, describe, expect, it } from "vitest";
import { VmIdentityClient } from "../../src/index.js";
import {
  afterRecord,
  FAKE_SUBSCRIPTION_ID,
  FAKE_TENANT_ID,
  isFakeGuid,
  isFakeSubscriptionId,
  type RecordedDefinition,
  RecordingSanitizer,
  sanitizeDefinitions,
} from "../recordings/sanitize.js";
import { restoreNetwork } from "./harness.js";
import { useNock } from "../support/nock.js";

useNock();

afterAll(restoreNetwork);

// Real-looking (random) ids, as a live recording would hold them.
const SUB = "9b2f6c3e-4d1a-4f5e-8c7b-2a1d0e9f8b7c";
const TENANT = "5e0c8f2a-1b3d-4c6e-9f7a-8b2d4e6f1a3c";
const SYSTEM_PRINCIPAL = "0d4b7e1f-3a6c-4e9b-8d2f-5c1a7e3b9d6f";
const UAI_PRINCIPAL = "6f3a9c2e-8b1d-4f7a-a5e3-2c9b6d1f4a8e";
const UAI_CLIENT = "a1c5e9b3-7d2f-4b6a-9e8c-3f1d5b7a2c4e";
const OPERATION = "e7b3d1f9-2c6a-4e8b-b4d2-9a1f3c5e7b2d";
const JWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tIiwidGlkIjoiNWUwYyJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
const REAL_IDS = [SUB, TENANT, SYSTEM_PRINCIPAL, UAI_PRINCIPAL, UAI_CLIENT];

const vmPathOf = (sub: string) => `/subscriptions/${sub}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachines/myVM`;
const uaiOf = (sub: string) => `/subscriptions/${sub}/resourceGroups/myResourceGroup/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myUserAssignedIdentity`;
const statusUrlOf = (sub: string) =>
  `https://management.azure.com/subscriptions/${sub}/providers/Microsoft.Compute/locations/westus/operations/${OPERATION}?p=${OPERATION}&api-version=2024-11-01`;

const identityHeld = {
  type: "SystemAssigned, UserAssigned",
  principalId: SYSTEM_PRINCIPAL,
  tenantId: TENANT,
  userAssignedIdentities: { [uaiOf(SUB)]: { principalId: UAI_PRINCIPAL, clientId: UAI_CLIENT } },
};

/** What nock's recorder hands to afterRecord for a live session (enable_reqheaders_recording: true). */
function syntheticRecording(): RecordedDefinition[] {
  return [
    {
      scope: "https://login.microsoftonline.com:443",
      method: "POST",
      path: `/${TENANT}/oauth2/v2.0/token`,
      body: `client_id=04b07795-8ddb-461a-bbee-02f9e1bf7b46&grant_type=refresh_token&refresh_token=0.AXoA-secret`,
      status: 200,
      response: { token_type: "Bearer", access_token: JWT, refresh_token: "0.AXoA-secret", expires_in: 3599 },
      rawHeaders: { "content-type": "application/json; charset=utf-8", "set-cookie": "fpc=secret; path=/" },
      responseIsBinary: false,
    },
    {
      scope: "https://management.azure.com:443",
      method: "GET",
      path: `${vmPathOf(SUB)}?api-version=2024-11-01`,
      body: "",
      status: 200,
      response: { name: "myVM", id: vmPathOf(SUB), location: "westus", identity: identityHeld, etag: '"5"' },
      rawHeaders: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": "1234",
        ETag: '"5"',
        "x-ms-request-id": "f00dcafe-0000-4000-8000-000000000001",
        "x-ms-correlation-request-id": "c0ffee00-0000-4000-8000-000000000001",
      },
      reqheaders: {
        accept: "application/json",
        authorization: `Bearer ${JWT}`,
        "x-ms-correlation-request-id": "c0ffee00-0000-4000-8000-000000000001",
        "x-ms-client-request-id": "c11e0000-0000-4000-8000-000000000001",
      },
      responseIsBinary: false,
    },
    {
      scope: "https://management.azure.com:443",
      method: "PATCH",
      path: `${vmPathOf(SUB)}?api-version=2024-11-01`,
      body: { identity: { type: "SystemAssigned", userAssignedIdentities: null } },
      status: 200,
      response: { name: "myVM", id: vmPathOf(SUB), identity: { type: "SystemAssigned", principalId: SYSTEM_PRINCIPAL, tenantId: TENANT }, properties: { provisioningState: "Updating" } },
      // Older nock recorded raw headers as a flat array.
      rawHeaders: ["Azure-AsyncOperation", statusUrlOf(SUB), "ETag", '"6"', "Transfer-Encoding", "chunked", "x-ms-request-id", "f00dcafe-0000-4000-8000-000000000002"],
      reqheaders: {
        Authorization: `Bearer ${JWT}`,
        "Content-Type": "application/json",
        "If-Match": '"5"',
        "x-ms-correlation-request-id": "c0ffee00-0000-4000-8000-000000000001",
      },
      responseIsBinary: false,
    },
    {
      scope: "https://management.azure.com:443",
      method: "GET",
      path: new URL(statusUrlOf(SUB)).pathname + new URL(statusUrlOf(SUB)).search,
      body: "",
      status: 200,
      // A gzip-encoded reply is recorded as hex chunks.
      response: [gzipSync(Buffer.from(JSON.stringify({ name: OPERATION, status: "Succeeded", tenant: TENANT, principalId: UAI_PRINCIPAL }))).toString("hex")],
      rawHeaders: { "content-type": "application/json", "content-encoding": "gzip", "x-ms-request-id": "f00dcafe-0000-4000-8000-000000000003" },
      responseIsBinary: false,
    },
    {
      scope: "https://management.azure.com:443",
      method: "PUT",
      path: `${vmPathOf(SUB).toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/")}?api-version=2024-11-01`,
      body: { location: "westus", properties: { osProfile: { adminUsername: "azureuser", adminPassword: "P@ssw0rd-live!" } } },
      status: 201,
      response: { id: vmPathOf(SUB.toUpperCase()), echo: `Bearer ${JWT}` },
      rawHeaders: { "x-ms-request-id": "f00dcafe-0000-4000-8000-000000000004" },
      responseIsBinary: false,
    },
  ];
}

describe("the afterRecord sanitizer", () => {
  const sanitized = sanitizeDefinitions(syntheticRecording(), { subscriptionIds: [SUB] });
  const text = JSON.stringify(sanitized);

  it("drops traffic that is not ARM (the token endpoint and its response)", () => {
    expect(sanitized.map((d) => d.scope)).toEqual(Array(4).fill("https://management.azure.com:443"));
    expect(text).not.toContain("login.microsoftonline.com");
    expect(text).not.toContain("refresh_token");
  });

  it("leaves no token: no Authorization header, no `Bearer `, no JWT, no secret fields", () => {
    expect(text).not.toMatch(/authorization/i);
    expect(text).not.toContain("Bearer ");
    expect(text).not.toContain("eyJ");
    expect(text).not.toContain("P@ssw0rd");
    expect(sanitized[3]!.body).toMatchObject({ properties: { osProfile: { adminUsername: "azureuser", adminPassword: "REDACTED" } } });
    expect(sanitized[3]!.response).toMatchObject({ echo: "REDACTED" });
  });

  it("keeps only the request headers replay matches on, lower-cased", () => {
    expect(sanitized[0]!.reqheaders).toBeUndefined();
    expect(sanitized[1]!.reqheaders).toEqual({ "content-type": "application/json", "if-match": '"5"' });
  });

  it("replaces the subscription everywhere, in any case: paths, ids, map keys, header URLs", () => {
    for (const real of REAL_IDS) expect(text.toLowerCase()).not.toContain(real);
    expect(sanitized[0]!.path).toBe(`${vmPathOf(FAKE_SUBSCRIPTION_ID)}?api-version=2024-11-01`);
    expect(sanitized[1]!.rawHeaders).toMatchObject({ "azure-asyncoperation": statusUrlOf(FAKE_SUBSCRIPTION_ID) });
    expect(sanitized[3]!.path).toContain(`/subscriptions/${FAKE_SUBSCRIPTION_ID}/`);
    expect(sanitized[3]!.response).toMatchObject({ id: vmPathOf(FAKE_SUBSCRIPTION_ID) });
    // The operation id is not an identity: kept, as ARM sent it.
    expect(sanitized[2]!.path).toContain(OPERATION);
  });

  it("replaces tenant, principal and client ids with fixed fakes, the same real id always by the same fake", () => {
    const P1 = "bbbbbbbb-bbbb-bbbb-bbbb-000000000001";
    const P2 = "bbbbbbbb-bbbb-bbbb-bbbb-000000000002";
    const C1 = "cccccccc-cccc-cccc-cccc-000000000001";
    expect(sanitized[0]!.response).toEqual({
      name: "myVM",
      id: vmPathOf(FAKE_SUBSCRIPTION_ID),
      location: "westus",
      identity: {
        type: "SystemAssigned, UserAssigned",
        principalId: P1,
        tenantId: FAKE_TENANT_ID,
        userAssignedIdentities: { [uaiOf(FAKE_SUBSCRIPTION_ID)]: { principalId: P2, clientId: C1 } },
      },
      etag: '"5"',
    });
    expect(sanitized[1]!.response).toMatchObject({ identity: { principalId: P1, tenantId: FAKE_TENANT_ID } });
    // Found inside the decoded gzip body too, even under a field name that is not `tenantId`.
    expect(sanitized[2]!.response).toEqual({ name: OPERATION, status: "Succeeded", tenant: FAKE_TENANT_ID, principalId: P2 });
  });

  it("decodes compressed bodies and drops headers that replay would get wrong", () => {
    for (const def of sanitized) {
      const names = Object.keys(def.rawHeaders as Record<string, string>);
      expect(names.every((n) => n === n.toLowerCase())).toBe(true);
      for (const dropped of ["content-length", "transfer-encoding", "content-encoding", "set-cookie"]) expect(names).not.toContain(dropped);
    }
    expect(sanitized[1]!.rawHeaders).toEqual({
      "azure-asyncoperation": statusUrlOf(FAKE_SUBSCRIPTION_ID),
      etag: '"6"',
      "x-ms-request-id": "f00dcafe-0000-4000-8000-000000000002",
    });
  });

  it("finds a subscription in the recording even when it is not named in the options", () => {
    const again = sanitizeDefinitions(syntheticRecording());
    expect(JSON.stringify(again).toLowerCase()).not.toContain(SUB);
    expect(again[0]!.path).toBe(`${vmPathOf(FAKE_SUBSCRIPTION_ID)}?api-version=2024-11-01`);
  });

  it("is idempotent: a sanitized recording is a fixed point", () => {
    expect(sanitizeDefinitions(sanitized, { subscriptionIds: [SUB] })).toEqual(sanitized);
    expect(sanitizeDefinitions(sanitized)).toEqual(sanitized);
  });

  it("replaces named literals (a real SSH public key) in bodies sent and received", () => {
    const realKey = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQC7realKey/with+slashes== me@laptop";
    const fakeKey = "ssh-rsa AAAAfake azureuser@example";
    const keyed: RecordedDefinition = {
      scope: "https://management.azure.com:443",
      method: "PUT",
      path: `${vmPathOf(SUB)}?api-version=2024-11-01`,
      body: { properties: { osProfile: { linuxConfiguration: { ssh: { publicKeys: [{ keyData: realKey }] } } } } },
      status: 201,
      response: { properties: { osProfile: { linuxConfiguration: { ssh: { publicKeys: [{ keyData: realKey }] } } } } },
      rawHeaders: {},
    };
    const [out] = sanitizeDefinitions([keyed], { subscriptionIds: [SUB], replacements: [[realKey, fakeKey]] });
    expect(JSON.stringify(out)).not.toContain("realKey");
    expect(out!.body).toEqual({ properties: { osProfile: { linuxConfiguration: { ssh: { publicKeys: [{ keyData: fakeKey }] } } } } });
    expect(out!.response).toEqual(out!.body);
  });

  it("afterRecord(options) is the same transformation, as a nock.back hook", () => {
    expect(afterRecord({ subscriptionIds: [SUB] })(syntheticRecording())).toEqual(sanitized);
  });

  it("maps other values (a test's result while recording) with the same fakes", () => {
    const sanitizer = new RecordingSanitizer({ subscriptionIds: [SUB] });
    sanitizer.definitions(syntheticRecording());
    expect(sanitizer.value({ principalId: UAI_PRINCIPAL, id: uaiOf(SUB), tenantId: TENANT })).toEqual({
      principalId: "bbbbbbbb-bbbb-bbbb-bbbb-000000000002",
      id: uaiOf(FAKE_SUBSCRIPTION_ID),
      tenantId: FAKE_TENANT_ID,
    });
  });

  it("recognises the fakes it makes, and only those", () => {
    for (const fake of [FAKE_SUBSCRIPTION_ID, FAKE_TENANT_ID, "bbbbbbbb-bbbb-bbbb-bbbb-000000000002", "11111111-1111-1111-1104-000000000003"]) {
      expect(isFakeGuid(fake)).toBe(true);
    }
    for (const real of REAL_IDS) expect(isFakeGuid(real)).toBe(false);
    expect(isFakeSubscriptionId(FAKE_SUBSCRIPTION_ID)).toBe(true);
    expect(isFakeSubscriptionId("11111111-1111-1111-1111-111111111111")).toBe(true);
    expect(isFakeSubscriptionId(SUB)).toBe(false);
    expect(isFakeSubscriptionId("00000000-0000-0000-0000-000000000001")).toBe(false);
  });

  it("produces a fixture nock.back replays: the sanitized GET answers vm.getIdentity()", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vm-identity-sanitized-"));
    try {
      writeFileSync(path.join(dir, "get.json"), JSON.stringify([sanitized[0]], null, 4));
      nock.back.fixtures = dir;
      nock.back.setMode("lockdown");
      const { nockDone, context } = await nock.back("get.json");
      const credential = { getToken: async () => ({ token: "fake-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };
      const client = new VmIdentityClient(credential, FAKE_SUBSCRIPTION_ID, { updateIntervalInMs: 0 });
      const identity = await client.vm("myResourceGroup", "myVM").getIdentity();
      nockDone();
      context.assertScopesFinished();
      expect(identity).toEqual({
        type: "SystemAssigned, UserAssigned",
        systemAssigned: { principalId: "bbbbbbbb-bbbb-bbbb-bbbb-000000000001", tenantId: FAKE_TENANT_ID },
        userAssigned: [{ id: uaiOf(FAKE_SUBSCRIPTION_ID), principalId: "bbbbbbbb-bbbb-bbbb-bbbb-000000000002", clientId: "cccccccc-cccc-cccc-cccc-000000000001" }],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
