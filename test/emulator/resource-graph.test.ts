/** Resource Graph: the KQL subset, paging with $skipToken, its 400s and its user quota. */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeArm, type FakeArm, type FakeArmOptions } from "../../src/testing/index.js";
import { call, manualClock, vmPath } from "./helpers.js";

let arm: FakeArm;
afterEach(async () => arm?.close());

const GRAPH = "/providers/Microsoft.ResourceGraph/resources";
const GRAPH_API = "2024-04-01";
const VM_TYPE = "microsoft.compute/virtualmachines";
let time = manualClock();

async function start(options: FakeArmOptions = {}): Promise<FakeArm> {
  time = manualClock();
  arm = await startFakeArm({ clock: time.now, pollsUntilDone: 0, subscriptionIds: ["sub-a", "sub-b"], ...options });
  arm.addVms(4, { resourceGroup: (i) => (i < 2 ? "Web" : "data"), location: "West Europe", osType: "Linux", tags: { env: "prod" } });
  arm.addVm({ resourceGroup: "web", name: "dev-1", location: "northeurope", osType: "Windows", tags: { env: "Dev", team: "x" } });
  arm.addVm({ resourceGroup: "web", name: "b-vm", location: "westeurope", osType: "Linux", subscriptionId: "sub-b" });
  arm.addUserAssignedIdentity({ resourceGroup: "web", name: "shared", location: "westeurope" });
  return arm;
}

const query = (q: string, extra: Record<string, unknown> = {}, options = {}) =>
  call(arm, "POST", GRAPH, { apiVersion: GRAPH_API, body: { query: q, ...extra }, ...options });
const names = (reply: { body: any }) => reply.body.data.map((row: any) => row.name);

describe("the KQL subset", () => {
  it("answers where type =~ ... | project id, name over every subscription", async () => {
    await start();
    const reply = await query(`resources | where type =~ 'Microsoft.Compute/virtualMachines' | project id, name`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      totalRecords: 6,
      count: 6,
      resultTruncated: "false",
      facets: [],
      data: expect.any(Array),
    });
    expect(names(reply)).toEqual(["vm-0", "vm-1", "vm-2", "vm-3", "dev-1", "b-vm"]);
    expect(reply.body.data[0]).toEqual({ id: arm.getVm("Web", "vm-0")!.id, name: "vm-0" });
  });

  it("compares == case-sensitively and =~ without case, over lower-cased type, group and location", async () => {
    await start();
    expect(names(await query(`Resources | where type == 'Microsoft.Compute/virtualMachines'`))).toEqual([]);
    expect(names(await query(`where type == '${VM_TYPE}' and resourceGroup == 'web' and location == 'westeurope'`))).toEqual(["vm-0", "vm-1", "b-vm"]);
    expect(names(await query(`where tags['env'] == 'prod' | where name =~ 'VM-3'`))).toEqual(["vm-3"]);
    expect(names(await query(`where tags.env =~ 'dev'`))).toEqual(["dev-1"]);
    expect(names(await query(`where tags["env"] == "Dev" and tags.team == 'x'`))).toEqual(["dev-1"]);
  });

  it("filters on subscriptionId and id, with !=, !~, in~ and !in", async () => {
    await start();
    const id = arm.getVm("web", "vm-1")!.id;
    expect(names(await query(`where subscriptionId == 'sub-b'`))).toEqual(["b-vm"]);
    expect(names(await query(`where id =~ '${id.toUpperCase()}'`))).toEqual(["vm-1"]);
    expect(names(await query(`where type =~ '${VM_TYPE}' and tags.env != 'prod' and name !~ 'B-VM'`))).toEqual(["dev-1"]);
    expect(names(await query(`where name in~ ('VM-0', 'dev-1')`))).toEqual(["vm-0", "dev-1"]);
    expect(names(await query(`where type =~ '${VM_TYPE}' and resourceGroup !in ('web')`))).toEqual(["vm-2", "vm-3"]);
  });

  it("has rows for extensions and user-assigned identities, and projects identity and properties", async () => {
    await start();
    arm.addVm({ resourceGroup: "web", name: "msi", location: "westeurope", osType: "Linux", identity: { type: "SystemAssigned" } });
    await call(arm, "PUT", `${vmPath(arm, "web", "msi")}/extensions/ManagedIdentityExtensionForLinux`, {
      body: { location: "westeurope", properties: { publisher: "Microsoft.ManagedIdentity", type: "ManagedIdentityExtensionForLinux", typeHandlerVersion: "1.0" } },
    });
    const exts = await query(
      `resources | where type == 'microsoft.compute/virtualmachines/extensions' and properties.type =~ 'managedidentityextensionforlinux' | project id, name, type`,
    );
    expect(exts.body.data).toEqual([
      {
        id: `${arm.getVm("web", "msi")!.id}/extensions/ManagedIdentityExtensionForLinux`,
        name: "ManagedIdentityExtensionForLinux",
        type: "microsoft.compute/virtualmachines/extensions",
      },
    ]);
    const uais = await query(`where type =~ 'Microsoft.ManagedIdentity/userAssignedIdentities' | project name, properties`);
    expect(uais.body.data).toEqual([{ name: "shared", properties: arm.getUserAssignedIdentity("web", "shared")!.properties }]);
    const msi = await query(`where name == 'msi' and type == '${VM_TYPE}' | project id, identity, resourceGroup, location, subscriptionId`);
    expect(msi.body.data[0]).toEqual({
      id: arm.getVm("web", "msi")!.id,
      identity: arm.getVm("web", "msi")!.identity,
      resourceGroup: "web",
      location: "westeurope",
      subscriptionId: "sub-a",
    });
  });

  it("returns every column without project, and takes the first rows with take or limit", async () => {
    await start();
    const [row] = (await query(`where name == 'dev-1'`)).body.data;
    expect(Object.keys(row).sort()).toEqual(["id", "identity", "kind", "location", "name", "properties", "resourceGroup", "subscriptionId", "tags", "tenantId", "type"]);
    expect(row.tags).toEqual({ env: "Dev", team: "x" });
    expect(names(await query(`where type =~ '${VM_TYPE}' | take 2`))).toEqual(["vm-0", "vm-1"]);
    expect(names(await query(`where type =~ '${VM_TYPE}' | limit 1 | project name`))).toEqual(["vm-0"]);
  });

  it("limits the query to the subscriptions the body names", async () => {
    await start();
    expect(names(await query(`where type =~ '${VM_TYPE}'`, { subscriptions: ["SUB-B"] }))).toEqual(["b-vm"]);
    expect(names(await query(`where type =~ '${VM_TYPE}'`, { subscriptions: ["unknown"] }))).toEqual([]);
  });
});

describe("paging", () => {
  it("pages $top rows at a time with $skipToken, the same selection throughout", async () => {
    await start();
    const q = `resources | where type =~ '${VM_TYPE}' | project id, name`;
    const first = await query(q, { options: { $top: 4 } });
    expect(first.body).toMatchObject({ totalRecords: 6, count: 4, resultTruncated: "false", $skipToken: expect.any(String) });
    // A VM added meanwhile does not shift the pages of this query.
    arm.addVm({ resourceGroup: "web", name: "a-late", location: "westeurope", osType: "Linux" });
    const second = await query(q, { options: { $top: 4, $skipToken: first.body.$skipToken } });
    expect(second.body).toMatchObject({ totalRecords: 6, count: 2, resultTruncated: "false" });
    expect(second.body).not.toHaveProperty("$skipToken");
    expect([...names(first), ...names(second)]).toEqual(["vm-0", "vm-1", "vm-2", "vm-3", "dev-1", "b-vm"]);
  });

  it("caps a page at listPageSize and defaults $top to 100", async () => {
    await start({ listPageSize: 3 });
    const capped = await query(`where type =~ '${VM_TYPE}' | project id`, { options: { $top: 1000 } });
    expect(capped.body.count).toBe(3);
    await arm.close();
    await start();
    arm.addVms(150, { resourceGroup: "bulk", location: "westeurope", osType: "Linux" });
    const page = await query(`where resourceGroup == 'bulk' | project id`);
    expect(page.body).toMatchObject({ totalRecords: 150, count: 100, $skipToken: expect.any(String) });
  });

  it("honours $skip on the first page", async () => {
    await start();
    expect(names(await query(`where type =~ '${VM_TYPE}' | project id, name`, { options: { $skip: 4 } }))).toEqual(["dev-1", "b-vm"]);
  });

  it("cannot page a projection without id: the first page says resultTruncated", async () => {
    await start();
    const reply = await query(`where type =~ '${VM_TYPE}' | project name`, { options: { $top: 2 } });
    expect(reply.body).toMatchObject({ totalRecords: 6, count: 2, resultTruncated: "true" });
    expect(reply.body).not.toHaveProperty("$skipToken");
  });

  it("refuses a skip token it did not issue", async () => {
    await start();
    const reply = await query(`resources`, { options: { $skipToken: "nope" } });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("BadRequest");
  });
});

describe("queries outside the subset", () => {
  it.each([
    ["resources | extend x = 1", "extend", 12],
    ["resources | where name == 'a' or name == 'b'", "or", 30],
    ["resources | where name contains 'a'", "contains", 23],
    ["resources | where colour == 'red'", "colour", 18],
    ["securityresources", "securityresources", 0],
    ["resources | where name == 'open", "'open", 26],
    ["resources | where name == 1", "1", 26],
    ["resources | project name | where type == 'x'", "type", 33],
  ])("%s is a 400 like Resource Graph's, naming the token", async (text, token, position) => {
    await start();
    const reply = await query(text);
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("BadRequest");
    expect(reply.body.error.message).toMatch(/^Please provide below info when asking for support: timestamp = .*, correlationId = [0-9a-f-]{36}\.$/);
    const [invalid, parser] = reply.body.error.details;
    expect(invalid).toEqual({
      code: "InvalidQuery",
      message: "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.",
    });
    expect(parser).toEqual({ code: "ParserFailure", message: expect.any(String), line: 1, characterPositionInLine: position, token });
  });

  it("reports the line of a multi-line query", async () => {
    await start();
    const reply = await query("resources\n| where type =~ 'x'\n| summarize count()");
    expect(reply.body.error.details[1]).toMatchObject({ line: 3, characterPositionInLine: 2, token: "summarize" });
  });

  it("refuses bodies without a query, bad options and management groups", async () => {
    await start();
    for (const body of [{}, { query: "" }, { query: "resources", options: { $top: 0 } }, { query: "resources", managementGroups: ["mg"] }, { query: "resources", options: { resultFormat: "table" } }]) {
      const reply = await call(arm, "POST", GRAPH, { apiVersion: GRAPH_API, body });
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe("BadRequest");
    }
  });
});

describe("the user quota", () => {
  it("allows 15 queries per 5 s per principal under limits 'azure', counting down in headers", async () => {
    await start({ limits: "azure" });
    const first = await query("resources | project id");
    expect(first.headers.get("x-ms-user-quota-remaining")).toBe("14");
    expect(first.headers.get("x-ms-user-quota-resets-after")).toBe("00:00:05");
    for (let i = 0; i < 14; i++) expect((await query("resources | project id")).status).toBe(200);
    const throttled = await query("resources | project id");
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe("RateLimiting");
    expect(throttled.headers.get("x-ms-user-quota-remaining")).toBe("0");
    expect(throttled.headers.get("retry-after")).toBe("5");
    expect(arm.stats.throttledBy.resourceGraph).toBe(1);

    // Another principal has its own quota; ARM's subscription budgets are not charged.
    const other = await query("resources | project id", {}, { credential: arm.credentialFor("reader") });
    expect(other.status).toBe(200);
    expect(other.headers.get("x-ms-ratelimit-remaining-subscription-writes")).toBeNull();

    time.advance(5000);
    expect((await query("resources | project id")).headers.get("x-ms-user-quota-remaining")).toBe("14");
  });

  it("reports the reset in real time under timeScale", async () => {
    await start({ limits: "azure", timeScale: 0.5 });
    expect((await query("resources | project id")).headers.get("x-ms-user-quota-resets-after")).toBe("00:00:10");
  });
});
