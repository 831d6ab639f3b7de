/** VM extensions: PUT/GET/DELETE, the location rules and the DELETE polling. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm } from "../../src/testing/index.js";
import { call, pollToEnd, vmPath } from "./helpers.js";

let arm: FakeArm;
beforeEach(async () => {
  arm = await startFakeArm({ pollsUntilDone: 1, autoCompleteAfterMs: Infinity });
  arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Windows" });
});
afterEach(async () => arm.close());

const NAME = "ManagedIdentityExtensionForWindows";
const extPath = (name = NAME, vm = "vm") => `${vmPath(arm, "rg", vm)}/extensions/${name}`;
const msi = (extra: Record<string, unknown> = {}) => ({
  location: "westeurope",
  properties: {
    publisher: "Microsoft.ManagedIdentity",
    type: NAME,
    typeHandlerVersion: "1.0",
    autoUpgradeMinorVersion: true,
    settings: { port: 50342 },
  },
  ...extra,
});

describe("PUT extension", () => {
  it("creates: 201 with the extension body, Creating, and an operation", async () => {
    const reply = await call(arm, "PUT", extPath(), { body: msi() });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      id: `${vmPath(arm, "rg", "vm")}/extensions/${NAME}`,
      name: NAME,
      type: "Microsoft.Compute/virtualMachines/extensions",
      location: "westeurope",
      properties: { ...msi().properties, provisioningState: "Creating" },
    });
    const url = reply.headers.get("azure-asyncoperation")!;
    expect(url).toMatch(/\/providers\/Microsoft\.Compute\/locations\/westeurope\/operations\//);

    await pollToEnd(arm, url);
    const get = await call(arm, "GET", extPath());
    expect(get.status).toBe(200);
    expect(get.body.properties.provisioningState).toBe("Succeeded");
    expect(arm.getExtension("rg", "vm", NAME.toLowerCase())).toEqual(get.body);
  });

  it("updates: 200, Updating, new settings", async () => {
    await pollToEnd(arm, (await call(arm, "PUT", extPath(), { body: msi() })).headers.get("azure-asyncoperation")!);
    const body = msi();
    body.properties.settings = { port: 50343 };
    const reply = await call(arm, "PUT", extPath(), { body });
    expect(reply.status).toBe(200);
    expect(reply.body.properties).toMatchObject({ provisioningState: "Updating", settings: { port: 50343 } });
  });

  it("requires a location: 400 LocationRequired", async () => {
    const reply = await call(arm, "PUT", extPath(), { body: { properties: msi().properties } });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("LocationRequired");
  });

  it("requires the VM's location, compared as ARM does", async () => {
    const wrong = await call(arm, "PUT", extPath(), { body: msi({ location: "eastus" }) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: "InvalidParameter", target: "location" });
    expect(wrong.body.error.message).toMatch(/eastus.*westeurope/);
    expect(arm.getExtension("rg", "vm", NAME)).toBeUndefined();

    expect((await call(arm, "PUT", extPath(), { body: msi({ location: "West Europe" }) })).status).toBe(201);
  });

  it.each(["publisher", "type", "typeHandlerVersion"])("requires properties.%s", async (property) => {
    const body = msi();
    delete (body.properties as Record<string, unknown>)[property];
    const reply = await call(arm, "PUT", extPath(), { body });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: "InvalidParameter", target: `properties.${property}` });
  });

  it("never returns protectedSettings", async () => {
    const body = msi();
    (body.properties as Record<string, unknown>).protectedSettings = { secret: "s3cr3t" };
    const reply = await call(arm, "PUT", extPath(), { body });
    expect(JSON.stringify(reply.body)).not.toContain("s3cr3t");
    expect(reply.body.properties).not.toHaveProperty("protectedSettings");
  });

  it("answers 404 ParentResourceNotFound when the VM is missing", async () => {
    const reply = await call(arm, "PUT", extPath(NAME, "ghost"), { body: msi() });
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("ParentResourceNotFound");
  });

  it("is a write on the VM: 409 while another write runs, and the VM shows Updating", async () => {
    await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: {} });
    const conflict = await call(arm, "PUT", extPath(), { body: msi() });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe("ConflictingConcurrentWriteNotAllowed");

    arm.completeOperations();
    await call(arm, "PUT", extPath(), { body: msi() });
    expect(arm.getVm("rg", "vm")!.properties.provisioningState).toBe("Updating");
    expect((await call(arm, "PATCH", vmPath(arm, "rg", "vm"), { body: {} })).status).toBe(409);
  });

  it("lists the extension under the VM's resources", async () => {
    await call(arm, "PUT", extPath(), { body: msi() });
    arm.completeOperations();
    const vm = await call(arm, "GET", vmPath(arm, "rg", "vm"));
    expect(vm.body.resources).toEqual([arm.getExtension("rg", "vm", NAME)]);
  });
});

describe("GET extension", () => {
  it("answers 404 NotFound for a missing extension", async () => {
    const reply = await call(arm, "GET", extPath());
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("NotFound");
  });

  it("answers 404 ResourceNotFound when the VM is missing", async () => {
    const reply = await call(arm, "GET", extPath(NAME, "ghost"));
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("ResourceNotFound");
  });

  it("finds the extension case-insensitively, in its stored casing", async () => {
    await call(arm, "PUT", extPath(), { body: msi() });
    const reply = await call(arm, "GET", extPath(NAME.toLowerCase()));
    expect(reply.status).toBe(200);
    expect(reply.body.name).toBe(NAME);
  });
});

describe("DELETE extension", () => {
  async function installed(): Promise<void> {
    await call(arm, "PUT", extPath(), { body: msi() });
    arm.completeOperations();
  }

  it("answers 202 with no body, Azure-AsyncOperation and Location", async () => {
    await installed();
    const reply = await call(arm, "DELETE", extPath());
    expect(reply.status).toBe(202);
    expect(reply.body).toBeUndefined();
    expect(reply.headers.get("azure-asyncoperation")).toMatch(/\/operations\/[0-9a-f-]{36}\?api-version=/);
    expect(reply.headers.get("location")).toMatch(/\/operationResults\/[0-9a-f-]{36}\?api-version=/);
    // As ARM: no Retry-After unless retryAfterSeconds asks for one.
    expect(reply.headers.get("retry-after")).toBeNull();
    expect(arm.getExtension("rg", "vm", NAME)!.properties.provisioningState).toBe("Deleting");
  });

  it("polls through Location: 202 while running, then 204, and the extension is gone", async () => {
    await installed();
    const location = (await call(arm, "DELETE", extPath())).headers.get("location")!;
    const running = await call(arm, "GET", location);
    expect(running.status).toBe(202);
    expect(running.headers.get("location")).toBe(location);
    const done = await call(arm, "GET", location);
    expect(done.status).toBe(204);
    expect((await call(arm, "GET", extPath())).status).toBe(404);
    expect(arm.getVm("rg", "vm")).not.toHaveProperty("resources");
  });

  it("polls through Azure-AsyncOperation too", async () => {
    await installed();
    const url = (await call(arm, "DELETE", extPath())).headers.get("azure-asyncoperation")!;
    expect((await pollToEnd(arm, url)).map((s) => s.status)).toEqual(["InProgress", "Succeeded"]);
    expect(arm.getExtension("rg", "vm", NAME)).toBeUndefined();
  });

  it("answers a failed deletion's Location with its error", async () => {
    await installed();
    arm.failOperations({ code: "VMExtensionHandlerNonTransientError", message: "boom" });
    const location = (await call(arm, "DELETE", extPath())).headers.get("location")!;
    await call(arm, "GET", location);
    const failed = await call(arm, "GET", location);
    expect(failed.status).toBe(500);
    expect(failed.body.error).toEqual({ code: "VMExtensionHandlerNonTransientError", message: "boom" });
    expect(arm.getExtension("rg", "vm", NAME)!.properties.provisioningState).toBe("Failed");
  });

  it("answers 204 for a missing extension", async () => {
    const reply = await call(arm, "DELETE", extPath());
    expect(reply.status).toBe(204);
    expect(reply.headers.get("azure-asyncoperation")).toBeNull();
  });

  it("answers 404 ParentResourceNotFound when the VM is missing", async () => {
    const reply = await call(arm, "DELETE", extPath(NAME, "ghost"));
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("ParentResourceNotFound");
  });
});
