/** PATCH bodies ARM rejects, and that a rejection changes nothing. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm } from "../../src/testing/index.js";
import { call, vmPath } from "./helpers.js";

let arm: FakeArm;
let X: string;
let Y: string;

beforeEach(async () => {
  arm = await startFakeArm({ autoCompleteAfterMs: Infinity });
  X = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "x", location: "westeurope" });
  Y = arm.addUserAssignedIdentity({ resourceGroup: "ids", name: "y", location: "westeurope" });
  arm.addVm({
    resourceGroup: "rg",
    name: "vm",
    location: "westeurope",
    osType: "Linux",
    identity: { type: "UserAssigned", userAssignedIdentities: { [X]: {} } },
  });
});
afterEach(async () => arm.close());

const patch = (body: unknown) => call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body });

describe("identity PATCH rejections", () => {
  const cases: Array<[string, () => unknown, string, RegExp]> = [
    ["an unknown type", () => ({ identity: { type: "Both" } }), "InvalidParameter", /'Both'.*identity\.type/],
    ["a reversed combined type", () => ({ identity: { type: "UserAssigned, SystemAssigned" } }), "InvalidParameter", /identity\.type/],
    ["a non-string type", () => ({ identity: { type: 3 } }), "InvalidParameter", /identity\.type/],
    [
      "a map with type SystemAssigned",
      () => ({ identity: { type: "SystemAssigned", userAssignedIdentities: { [Y]: {} } } }),
      "InvalidParameter",
      /identityIds should not be provided if the type is 'SystemAssigned'/,
    ],
    [
      "a map with type None (even of nulls)",
      () => ({ identity: { type: "None", userAssignedIdentities: { [X]: null } } }),
      "InvalidParameter",
      /identityIds should not be provided if the type is 'None'/,
    ],
    [
      "an empty map",
      () => ({ identity: { type: "UserAssigned", userAssignedIdentities: {} } }),
      "InvalidParameter",
      /must not be an empty object/,
    ],
    [
      "two ids differing only in case",
      () => ({ identity: { type: "UserAssigned", userAssignedIdentities: { [Y]: {}, [Y.toUpperCase()]: {} } } }),
      "InvalidParameter",
      /cannot be duplicated/,
    ],
    [
      "removing the last user-assigned identity while keeping UserAssigned",
      () => ({ identity: { type: "UserAssigned", userAssignedIdentities: { [X]: null } } }),
      "InvalidParameter",
      /requires at least one user-assigned identity/,
    ],
    [
      "a null map with type UserAssigned",
      () => ({ identity: { type: "UserAssigned", userAssignedIdentities: null } }),
      "InvalidParameter",
      /requires at least one user-assigned identity/,
    ],
    [
      "an id that is not a user-assigned identity id",
      () => ({ identity: { type: "UserAssigned", userAssignedIdentities: { "/subscriptions/s/resourceGroups/rg": {} } } }),
      "InvalidParameter",
      /is not a valid user-assigned identity id/,
    ],
    [
      "a value that is neither {} nor null",
      () => ({ identity: { type: "UserAssigned", userAssignedIdentities: { [Y]: true } } }),
      "InvalidParameter",
      /must be \{\} or null/,
    ],
    [
      "an identity that does not exist",
      () => ({
        identity: { type: "UserAssigned", userAssignedIdentities: { [X.replace("/x", "/missing")]: {} } },
      }),
      "InvalidIdentityValues",
      /userAssignedIdentities\/missing' was not found/,
    ],
    ["a null identity", () => ({ identity: null }), "InvalidParameter", /identity/],
    ["a string identity", () => ({ identity: "SystemAssigned" }), "InvalidParameter", /identity/],
    ["a non-object map", () => ({ identity: { type: "UserAssigned", userAssignedIdentities: [X] } }), "InvalidParameter", /object or null/],
  ];

  it.each(cases)("rejects %s with 400", async (_what, body, code, message) => {
    const before = arm.getVm("rg", "vm");
    const reply = await patch(body());
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe(code);
    expect(reply.body.error.message).toMatch(message);
    expect(reply.headers.get("azure-asyncoperation")).toBeNull();
    // Nothing changed and no write is running: a valid PATCH goes through at once.
    expect(arm.getVm("rg", "vm")).toEqual(before);
    expect((await patch({ identity: { type: "SystemAssigned, UserAssigned" } })).status).toBe(200);
  });

  it("names the offending property in target", async () => {
    const reply = await patch({ identity: { type: "SystemAssigned", userAssignedIdentities: { [Y]: {} } } });
    expect(reply.body.error.target).toBe("identity.userAssignedIdentities");
  });

  it("rejects an identity in another subscription as not found", async () => {
    const foreign = X.replace(arm.subscriptionId, "33333333-3333-4333-8333-333333333333");
    const reply = await patch({ identity: { type: "UserAssigned", userAssignedIdentities: { [foreign]: {} } } });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("InvalidIdentityValues");
  });
});

describe("other PATCH rejections", () => {
  it("rejects a body that is not JSON with 400 InvalidRequestContent", async () => {
    const reply = await patch("{not json");
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("InvalidRequestContent");
  });

  it("rejects an empty or non-object body", async () => {
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm"))).body.error.code).toBe("InvalidRequestContent");
    expect((await patch([1, 2])).body.error.code).toBe("InvalidRequestContent");
  });

  it("answers 404 ResourceNotFound for a missing VM", async () => {
    const reply = await call(arm, "PATCH", vmPath(arm, "rg", "ghost"), { body: { identity: { type: "SystemAssigned" } } });
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("ResourceNotFound");
  });

  it("refuses to move the VM", async () => {
    const reply = await patch({ location: "eastus" });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("InvalidResourceLocation");
    expect((await patch({ location: "West Europe" })).status).toBe(200);
  });

  it("refuses bad tags and properties", async () => {
    expect((await patch({ tags: { a: 1 } })).body.error).toMatchObject({ code: "InvalidParameter", target: "tags" });
    expect((await patch({ properties: "x" })).body.error).toMatchObject({ code: "InvalidParameter", target: "properties" });
  });
});
