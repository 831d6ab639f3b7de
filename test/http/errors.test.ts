import { inspect } from "node:util";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { isRestError, type RestError } from "../../src/index.js";
import { ARM, SECRET_TOKEN, fastClient, uaiId, vmBody, vmPath } from "../support/fakes.js";
import { useNock } from "../support/nock.js";

useNock();

afterEach(() => nock.cleanAll());

async function failure(promise: Promise<unknown>): Promise<RestError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isRestError(e)).toBe(true);
  return e as RestError;
}

describe("ARM errors", () => {
  it("surface ARM's code, message, status and request id", async () => {
    nock(ARM)
      .get(vmPath("rg", "missing")).query(true)
      .reply(404, { error: { code: "ResourceNotFound", message: "The Resource 'Microsoft.Compute/virtualMachines/missing' was not found." } }, { "x-ms-request-id": "req-404" });
    const e = await failure(fastClient().vm("rg", "missing").getIdentity());
    expect(e.statusCode).toBe(404);
    expect(e.code).toBe("ResourceNotFound");
    expect(e.message).toContain("GET https://management.azure.com" + vmPath("rg", "missing"));
    expect(e.message).toContain("404 ResourceNotFound");
    expect(e.message).toContain("was not found");
    expect(e.message).toContain("x-ms-request-id: req-404");
  });

  it("surface a 403 LinkedAuthorizationFailed from the PATCH", async () => {
    const id = uaiId("rg", "id1");
    nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true)
      .reply(403, { error: { code: "LinkedAuthorizationFailed", message: "The client has permission to perform action on the VM but not on the linked scope." } }, { "x-ms-request-id": "req-403" });
    const e = await failure(fastClient().vm("rg", "vm1").assignUserAssigned(id));
    expect(e.code).toBe("LinkedAuthorizationFailed");
    expect(e.statusCode).toBe(403);
    expect(e.message).toMatch(/^PATCH .* failed with 403 LinkedAuthorizationFailed: The client has permission/);
    expect(e.message).toContain("req-403");
  });

  it("name the status when the body is not an ARM error", async () => {
    nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(400, "<html>bad gateway</html>", { "x-ms-request-id": "req-html" });
    const e = await failure(fastClient().vm("rg", "vm1").getIdentity());
    expect(e.code).toBe("HttpStatus400");
    expect(e.message).toContain("<html>bad gateway</html>");
    expect(e.message).toContain("req-html");
  });

  it("never carry the bearer token, however they are printed", async () => {
    nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(401, { error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." } });
    const e = await failure(fastClient().vm("rg", "vm1").getIdentity());
    for (const text of [e.message, inspect(e, { depth: 10 }), JSON.stringify(e), String(e.stack)]) {
      expect(text).not.toContain(SECRET_TOKEN);
      expect(text.toLowerCase()).not.toContain("bearer ");
    }
    expect(e.request?.headers.has("authorization")).toBe(false);
  });

  it("never carry the token when the connection fails", async () => {
    nock(ARM).get(vmPath("rg", "vm1")).query(true).replyWithError("socket hang up");
    const e = await failure(fastClient().vm("rg", "vm1").getIdentity());
    expect(e.code).toBe("REQUEST_SEND_ERROR");
    expect(inspect(e, { depth: 10 })).not.toContain(SECRET_TOKEN);
    expect(JSON.stringify(e)).not.toContain(SECRET_TOKEN);
  });
});
