/** Pure parts of the command: formatting, targets, parsers, redaction, the static credential. */
import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { staticTokenCredential } from "../src/credential.js";
import { UsageError } from "../src/errors.js";
import { collectList, parseListenPort, parseOs, parsePort } from "../src/options/parsers.js";
import { parseIdsFile } from "../src/options/idsFile.js";
import { dependsOnResourceGroup, identityIdsFor, readIdentitySelection } from "../src/options/identities.js";
import { parseConcurrency, parseVmId, resolveVmTargets } from "../src/options/targets.js";
import { type RunFigures, addFigures } from "../src/fleet/figures.js";
import { type FleetRow, errorJson, summaryLine } from "../src/output/fleet.js";
import { RestError } from "@azure/core-rest-pipeline";
import { armIdentity, identitiesTable, identityChangeJson, identitySummary, identityTable } from "../src/output/identity.js";
import { formatDryRun, formatRequest, pathOf } from "../src/output/requests.js";
import { styleFor } from "../src/output/style.js";
import { formatKeyValues, formatTable } from "../src/output/table.js";
import { Redactor } from "../src/redact.js";
import { memoryIo } from "./helpers.js";

const UAI = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app";

describe("formatTable", () => {
  it("aligns every column and leaves no trailing spaces", () => {
    const text = formatTable(["A", "LONG HEADER", "C"], [["xxxx", "y", "z"], ["1", "2", ""]]);
    const lines = text.trimEnd().split("\n");
    expect(lines).toEqual(["A     LONG HEADER  C", "xxxx  y            z", "1     2"]);
    for (const line of lines) expect(line).toBe(line.trimEnd());
  });

  it("aligns key/value pairs", () => {
    expect(formatKeyValues([["A", "1"], ["LONGER", "2"]])).toBe("A       1\nLONGER  2\n");
  });

  it("wraps a long value under itself, at the width", () => {
    const id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm";
    const text = formatKeyValues([["ID", id]], { width: 60 });
    const lines = text.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    expect(lines.slice(1).every((l) => l.startsWith("    "))).toBe(true);
    expect(lines.map((l) => l.slice(4)).join("")).toBe(id);
  });
});

describe("identityTable", () => {
  it("says when a VM has no identity", () => {
    expect(identityTable({ type: "None", userAssigned: [] }, 80)).toBe("Type: None (no managed identity)\n");
  });

  it("lists the system identity first, then each user-assigned one, every id whole", () => {
    const text = identityTable(
      {
        type: "SystemAssigned, UserAssigned",
        systemAssigned: { principalId: "11111111-2222-3333-4444-555555555555", tenantId: "t-1" },
        userAssigned: [{ id: UAI, principalId: "p-uai", clientId: "c-uai" }],
      },
      80,
    );
    expect(text).toBe(
      [
        "Type: SystemAssigned, UserAssigned",
        "",
        "System-assigned identity",
        "  Principal ID  11111111-2222-3333-4444-555555555555",
        "  Tenant ID     t-1",
        "",
        "User-assigned identity app",
        "  Resource group  rg",
        "  Principal ID    p-uai",
        "  Client ID       c-uai",
        "",
      ].join("\n"),
    );
  });

  it("lines up several VMs by display width, CJK resource groups included", () => {
    const text = identitiesTable(
      [
        { name: "vm-a", resourceGroup: "東京-リソース", identity: { type: "SystemAssigned", userAssigned: [] } },
        { name: "vm-b", resourceGroup: "rg", identity: { type: "UserAssigned", userAssigned: [{ id: UAI }] } },
      ],
      80,
    );
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^VM {4}RESOURCE GROUP {2}TYPE {12}USER-ASSIGNED$/);
    // "東京-リソース" is 13 columns wide (6 wide characters and a hyphen), as wide as "RESOURCE GROUP" less one.
    expect(lines[1]).toBe("vm-a  東京-リソース   SystemAssigned  -");
    expect(lines[2]).toBe("vm-b  rg              UserAssigned    app");
  });

  it("summarises", () => {
    expect(identitySummary({ type: "UserAssigned", userAssigned: [{ id: UAI }] })).toBe("UserAssigned (1 user-assigned)");
    expect(identitySummary({ type: "None", userAssigned: [] })).toBe("None");
  });
});

describe("ARM's identity shape", () => {
  const identity = {
    type: "SystemAssigned, UserAssigned" as const,
    systemAssigned: { principalId: "p-sys", tenantId: "t-1" },
    userAssigned: [{ id: UAI, principalId: "p-uai", clientId: "c-uai" }],
  };

  it("puts the system principal at the top and keys user-assigned identities by id, as az vm identity show", () => {
    expect(armIdentity(identity)).toEqual({
      type: "SystemAssigned, UserAssigned",
      principalId: "p-sys",
      tenantId: "t-1",
      userAssignedIdentities: { [UAI]: { principalId: "p-uai", clientId: "c-uai" } },
    });
    expect(armIdentity({ type: "None", userAssigned: [] })).toEqual({ type: "None" });
  });

  it("gives assign and remove the fields of az vm identity assign", () => {
    const json = identityChangeJson({ identity, changed: true, requestIds: ["r1"] } as never);
    expect(json.systemAssignedIdentity).toBe("p-sys");
    expect(json.userAssignedIdentities).toEqual({ [UAI]: { principalId: "p-uai", clientId: "c-uai" } });
    expect(json.identity.principalId).toBe("p-sys");
    expect(identityChangeJson({ identity: { type: "None", userAssigned: [] }, changed: false, requestIds: [] } as never)).toMatchObject({
      systemAssignedIdentity: "",
      userAssignedIdentities: {},
    });
  });
});

describe("formatRequest", () => {
  const request = {
    method: "PATCH" as const,
    url: "https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm?api-version=2024-11-01",
    headers: { accept: "application/json", "if-match": '"3"' },
    body: { identity: { type: "SystemAssigned" } },
  };

  it("prints the request line, headers, a blank line and the JSON body", () => {
    expect(formatRequest(request)).toBe(
      `PATCH ${request.url}\naccept: application/json\nif-match: "3"\n\n{\n  "identity": {\n    "type": "SystemAssigned"\n  }\n}\n`,
    );
  });

  it("can print the path only, the conditional headers only, indented", () => {
    const text = formatRequest(request, { pathOnly: true, headers: "conditional", indent: "  " });
    expect(text.split("\n").slice(0, 3)).toEqual([`  PATCH ${pathOf(request.url)}`, '  if-match: "3"', ""]);
    expect(text).not.toContain("accept");
  });

  it("says when a dry run would send nothing", () => {
    expect(formatDryRun([])).toMatch(/^Dry run: nothing was sent\. Nothing would change/);
    expect(formatDryRun([request, request])).toContain("These 2 requests would be sent, in order:");
  });
});

describe("resolveVmTargets", () => {
  const SUB = "11111111-1111-1111-1111-111111111111";
  const id = (name: string, sub = SUB) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}`;
  const io = memoryIo();

  it("takes -g and -n, in the default subscription", async () => {
    expect(await resolveVmTargets({ resourceGroup: "rg", name: "vm" }, io)).toEqual({
      mode: "one",
      vm: { subscriptionId: undefined, resourceGroup: "rg", name: "vm" },
    });
  });

  it("takes one --ids as one VM in its own subscription, several as several", async () => {
    expect(await resolveVmTargets({ ids: [id("vm")] }, io)).toEqual({
      mode: "one",
      vm: { subscriptionId: SUB, resourceGroup: "rg", name: "vm", id: id("vm") },
    });
    const other = "22222222-2222-2222-2222-222222222222";
    const many = await resolveVmTargets({ ids: [id("a"), id("b", other)] }, io);
    expect(many).toMatchObject({ mode: "many", vms: [{ subscriptionId: SUB, name: "a" }, { subscriptionId: other, name: "b" }] });
  });

  it("takes --vm-name in extension commands", async () => {
    expect(await resolveVmTargets({ resourceGroup: "rg", vmName: "vm", name: "ext" }, io, { nameOption: "vm-name" })).toMatchObject({ mode: "one", vm: { name: "vm" } });
  });

  it.each([
    [{}, /No VM given/],
    [{ resourceGroup: "rg" }, /Missing the VM name/],
    [{ name: "vm" }, /Missing the resource group/],
    [{ resourceGroup: "rg", name: "vm", ids: [id("vm")] }, /either with --ids or with -g/],
    [{ ids: true as const }, /The selection is empty: --ids was given no VM id/],
    [{ resourceGroup: "rg", name: id("vm") }, /-n\/--name takes a VM name, not a resource id: pass .* to --ids/],
  ])("rejects %j", async (options, message) => {
    await expect(resolveVmTargets(options, io)).rejects.toThrow(UsageError);
    await expect(resolveVmTargets(options, io)).rejects.toThrow(message);
  });

  it("on commands for several VMs: -g alone, --subscriptions, --tag, --location and a Resource Graph query select them", async () => {
    const several = { several: true };
    expect(await resolveVmTargets({ resourceGroup: "rg" }, io, several)).toEqual({ mode: "select", selection: { kind: "group", resourceGroup: "rg" } });
    expect(await resolveVmTargets({ resourceGroup: "rg", tag: { env: "prod" }, location: "westeurope" }, io, several)).toEqual({
      mode: "select",
      selection: { kind: "group", resourceGroup: "rg", tags: { env: "prod" }, location: "westeurope" },
    });
    expect(await resolveVmTargets({ subscriptions: ["Production", SUB] }, io, several)).toEqual({
      mode: "select",
      selection: { kind: "subscriptions", subscriptions: ["Production", SUB] },
    });
    expect(await resolveVmTargets({ tag: { env: "prod" } }, io, several)).toEqual({ mode: "select", selection: { kind: "subscriptions", tags: { env: "prod" } } });
    expect(await resolveVmTargets({ graphQuery: "resources | project id", subscriptions: [SUB] }, io, several)).toEqual({
      mode: "select",
      selection: { kind: "query", query: "resources | project id", subscriptions: [SUB] },
    });
    // The global --query, when it holds KQL, is the same as --graph-query.
    expect(await resolveVmTargets({}, io, { several: true, graphQuery: "resources | project id" })).toEqual({
      mode: "select",
      selection: { kind: "query", query: "resources | project id" },
    });
  });

  it("--journal and --shard make one VM a run on several", async () => {
    expect(await resolveVmTargets({ resourceGroup: "rg", name: "vm", shard: "1/2" }, io, { several: true })).toEqual({
      mode: "many",
      vms: [{ subscriptionId: undefined, resourceGroup: "rg", name: "vm" }],
    });
    expect(await resolveVmTargets({ ids: [id("vm")], journal: "run.jsonl" }, io, { several: true })).toMatchObject({ mode: "many", vms: [{ name: "vm" }] });
  });

  it.each([
    [{ ids: [id("a"), id("b")], tag: { env: "prod" } }, /--tag select VMs by themselves: they cannot be combined with --ids or --ids-file/],
    [{ idsFile: "vms.txt", subscriptions: [SUB] }, /--subscriptions select VMs by themselves/],
    [{ resourceGroup: "rg", subscriptions: [SUB] }, /-g selects the VMs of a resource group in one subscription: name that subscription with --subscription/],
    [{ resourceGroup: "rg", name: "vm", tag: { env: "prod" } }, /-n\/--name names one VM, and --tag select several/],
    [{ resourceGroup: "rg", graphQuery: "resources" }, /--graph-query selects the VMs itself: put the resource group in the query \(\| where resourceGroup =~ 'rg'\)/],
    [{ graphQuery: "resources", tag: { a: "b" } }, /--tag and --location filter a listed selection/],
  ])("refuses the selection %j", async (options, message) => {
    await expect(resolveVmTargets(options, io, { several: true })).rejects.toThrow(message);
  });

  it("refuses two Resource Graph queries", async () => {
    await expect(resolveVmTargets({ graphQuery: "resources" }, io, { several: true, graphQuery: "resources | take 1" })).rejects.toThrow(/Two Resource Graph queries/);
  });

  it("says what an --ids value should be, with an example, when it is a name or another resource's id", () => {
    expect(() => parseVmId("win-vm", "--ids")).toThrow(
      '--ids "win-vm" is not a VM resource id: expected a full id such as /subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<vm>. To name the VM win-vm by name, pass -g <group> and its name instead.',
    );
    expect(() => parseVmId(UAI, "--ids value 2")).toThrow(
      /^--ids value 2 \(it names a Microsoft.ManagedIdentity\/userAssignedIdentities, not a VM\): Invalid virtual machine id .*expected \/subscriptions\/<GUID>\/resourceGroups\/<group>\/providers\/Microsoft.Compute\/virtualMachines\/<name>\. \[InvalidResourceId\]$/,
    );
  });
});

describe("--identities", () => {
  const vm = { subscriptionId: "11111111-1111-1111-1111-111111111111", resourceGroup: "vm-rg" };

  it("is the system-assigned identity when nothing is named (as az vm identity)", () => {
    expect(readIdentitySelection({})).toMatchObject({ system: true, ids: [], names: [] });
    expect(readIdentitySelection({}, { defaultToSystem: false })).toMatchObject({ system: false });
  });

  it("takes [system], ids and bare names; --system and --user-assigned are aliases", () => {
    const selection = readIdentitySelection({ identities: ["[System]", UAI, "app-identity"], userAssigned: ["ops"] });
    expect(selection).toMatchObject({ system: true, ids: [UAI], names: ["app-identity", "ops"] });
    expect(readIdentitySelection({ system: true })).toMatchObject({ system: true });
    expect(readIdentitySelection({ userAssigned: [UAI] })).toMatchObject({ system: false, ids: [UAI] });
  });

  it("resolves bare names in the VM's subscription and resource group, or in --identity-resource-group, without a request", () => {
    const selection = readIdentitySelection({ identities: ["app", UAI] });
    expect(identityIdsFor(selection, vm)).toEqual([
      UAI,
      "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/vm-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app",
    ]);
    expect(dependsOnResourceGroup(selection)).toBe(true);
    const elsewhere = readIdentitySelection({ identities: ["app"], identityResourceGroup: "ids-rg" });
    expect(identityIdsFor(elsewhere, vm)).toEqual([
      "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/ids-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app",
    ]);
    expect(dependsOnResourceGroup(elsewhere)).toBe(false);
  });

  it.each([
    ["bad name!", /Invalid --identities value "bad name!": not a valid identity name\. Expected \[system\], the name of a user-assigned identity/],
    ["/subscriptions/x/whatever", /^Invalid --identities value "\/subscriptions\/x\/whatever": it does not have that form \[InvalidUserAssignedIdentityId\]\. Expected/],
    [
      "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm",
      /: it names a Microsoft.Compute\/virtualMachines, not a user-assigned identity\. Expected \[system\]/,
    ],
  ])("refuses %j before any request, saying what it expects", (value, message) => {
    expect(() => readIdentitySelection({ identities: [value] })).toThrow(message);
  });

  it("refuses a bad --identity-resource-group", () => {
    expect(() => readIdentitySelection({ identities: ["a"], identityResourceGroup: "bad/group" })).toThrow(/Invalid --identity-resource-group/);
  });
});

describe("parsers", () => {
  it("parse ports", () => {
    expect(parsePort("50342")).toBe(50342);
    for (const bad of ["0", "65536", "1.5", "abc", "-1", ""]) expect(() => parsePort(bad)).toThrow(InvalidArgumentError);
    expect(parseListenPort("0")).toBe(0);
  });

  it("parse OS types in any casing", () => {
    expect(parseOs("windows")).toBe("Windows");
    expect(parseOs("LINUX")).toBe("Linux");
    expect(() => parseOs("mac")).toThrow(InvalidArgumentError);
  });

  it("collect lists from repeated flags and comma lists", () => {
    const collect = collectList("an id");
    expect(collect("a,b", ["x"])).toEqual(["x", "a", "b"]);
    expect(() => collect(" , ", undefined)).toThrow(InvalidArgumentError);
  });
});

describe("Redactor", () => {
  it("replaces registered secrets and bearer tokens", () => {
    const r = new Redactor();
    r.add("s3cr3t-token-value");
    r.add("short"); // too short to redact safely
    expect(r.redact("token s3cr3t-token-value and short")).toBe("token [REDACTED] and short");
    expect(r.redact("authorization: Bearer abcdefghijklmnopqrstuvwxyz.123")).toBe("authorization: Bearer [REDACTED]");
    expect(r.redact("expected a bearer token")).toBe("expected a bearer token");
  });
});

describe("staticTokenCredential", () => {
  it("returns the token, without a Bearer prefix, expiring at the JWT's exp", async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const jwt = `e30.${Buffer.from(JSON.stringify({ exp })).toString("base64url")}.sig`;
    const token = await staticTokenCredential(`Bearer ${jwt}`).getToken("scope");
    expect(token).toEqual({ token: jwt, expiresOnTimestamp: exp * 1000 });
  });

  it("gives an opaque token an hour", async () => {
    const token = await staticTokenCredential("opaque-token").getToken("scope");
    expect(token!.expiresOnTimestamp).toBeGreaterThan(Date.now() + 50 * 60 * 1000);
  });

  it("rejects a token with spaces", () => {
    expect(() => staticTokenCredential("two words")).toThrow(UsageError);
  });
});

describe("styleFor", () => {
  it("uses no colour when stdout is not a terminal or NO_COLOR is set", () => {
    expect(styleFor(memoryIo()).bold("x")).toBe("x");
    expect(styleFor({ ...memoryIo({ NO_COLOR: "1" }), stdoutIsTTY: true }).bold("x")).toBe("x");
    expect(styleFor({ ...memoryIo(), stdoutIsTTY: true }).bold("x")).not.toBe("x");
  });
});

describe("several VMs: pure parts", () => {
  const row = (status: FleetRow["status"]): FleetRow => ({ resourceId: "/x", status, json: {}, detail: "" });
  const stats: RunFigures = {
    requests: 1,
    throttled: 1,
    throttledBy: {},
    peakConcurrency: 16,
    confirmations: { vmReads: 0, sweeps: 0, sweepPages: 0 },
    fromJournal: 0,
    duplicates: 0,
  };

  it("summaryLine: changed, unchanged, failed and unknown counted apart, requests, 429s and peak concurrency (no more than the VMs), singular forms", () => {
    const rows = [row("changed"), row("changed"), row("unchanged"), row("failed"), row("unknown")];
    expect(summaryLine(rows, { dryRun: false, stats: { ...stats, requests: 12, throttled: 3 } })).toBe(
      "5 VMs: 2 changed, 1 unchanged, 1 failed, 1 unknown (12 requests; 3 429s absorbed; peak concurrency 5)\n",
    );
    expect(summaryLine([row("changed")], { dryRun: false, stats })).toBe(
      "1 VM: 1 changed, 0 unchanged, 0 failed, 0 unknown (1 request; 1 429 absorbed; peak concurrency 1)\n",
    );
    expect(summaryLine(rows, { dryRun: false })).toBe("5 VMs: 2 changed, 1 unchanged, 1 failed, 1 unknown\n");
    expect(summaryLine(rows, { dryRun: true })).toBe("5 VMs: 2 would change, 1 unchanged, 1 failed, 1 unknown (dry run: nothing was sent)\n");
  });

  it("summaryLine: which budget each 429 was blamed on, how outcomes were read (sweeps and VM reads), the journal, duplicates and the shard", () => {
    const rows = [row("changed"), row("changed"), row("unchanged")];
    const figures: RunFigures = {
      ...stats,
      requests: 9,
      throttled: 3,
      throttledBy: { armWrites: 2, managedIdentity: 1, armReads: 0 },
      confirmations: { vmReads: 1, sweeps: 2, sweepPages: 5 },
      fromJournal: 1,
      duplicates: 1,
    };
    expect(summaryLine(rows, { dryRun: false, stats: figures, shard: "2/4" })).toBe(
      "shard 2/4: 3 VMs: 2 changed, 1 unchanged, 0 failed, 0 unknown (9 requests; 3 429s absorbed (armWrites 2, managedIdentity 1); " +
        "outcomes read by 2 list sweeps of 5 pages and 1 VM read; 1 done before, per the journal; 1 duplicate; peak concurrency 3)\n",
    );
    const bySweep = { ...stats, confirmations: { vmReads: 0, sweeps: 1, sweepPages: 1 } };
    expect(summaryLine(rows, { dryRun: false, stats: bySweep })).toContain("; outcomes read by 1 list sweep of 1 page;");
    const byReads = { ...stats, confirmations: { vmReads: 3, sweeps: 0, sweepPages: 0 } };
    expect(summaryLine(rows, { dryRun: false, stats: byReads })).toContain("; outcomes read by 3 VM reads;");
  });

  it("addFigures: sums, merges the 429s by budget, and adds peaks only of runs at the same time", () => {
    const a: RunFigures = { ...stats, requests: 2, throttledBy: { armWrites: 1 }, peakConcurrency: 4, confirmations: { vmReads: 1, sweeps: 1, sweepPages: 2 } };
    const b: RunFigures = { ...stats, requests: 3, throttledBy: { armWrites: 2, armReads: 1 }, peakConcurrency: 6, fromJournal: 2 };
    expect(addFigures(a, b, true)).toEqual({
      requests: 5,
      throttled: 2,
      throttledBy: { armWrites: 3, armReads: 1 },
      peakConcurrency: 10,
      confirmations: { vmReads: 1, sweeps: 1, sweepPages: 2 },
      fromJournal: 2,
      duplicates: 0,
    });
    expect(addFigures(a, b, false)!.peakConcurrency).toBe(6);
    expect(addFigures(undefined, b, true)).toBe(b);
  });

  it("parseIdsFile: one id a line; blank lines, comments, CRLF and a BOM ignored; lines numbered for errors", () => {
    expect(parseIdsFile("\uFEFF# head\r\n/a\r\n\r\n  /b  # tail\n#/c\n", "f.txt")).toEqual([
      { id: "/a", where: "f.txt line 2" },
      { id: "/b", where: "f.txt line 4" },
    ]);
    // A file of no id is an empty selection, which the command reports (exit 0), not a mistake.
    expect(parseIdsFile("# only comments\n\n", "f.txt")).toEqual([]);
  });

  it("parseConcurrency: adaptive or a positive integer", () => {
    expect(parseConcurrency("adaptive")).toBe("adaptive");
    expect(parseConcurrency("Adaptive")).toBe("adaptive");
    expect(parseConcurrency("12")).toBe(12);
    for (const bad of ["0", "-1", "1.5", "", "x", "1e3"]) expect(() => parseConcurrency(bad)).toThrow(InvalidArgumentError);
  });

  it("errorJson: ARM's code, message, status and request id; the error's name when it has no code; never a stack", () => {
    const rest = new RestError("GET ... failed with 404 ResourceNotFound", { code: "ResourceNotFound", statusCode: 404 });
    expect(errorJson(rest)).toEqual({ code: "ResourceNotFound", message: "GET ... failed with 404 ResourceNotFound", statusCode: 404 });
    const plain = new TypeError("boom");
    expect(errorJson(plain)).toEqual({ code: "TypeError", message: "boom" });
  });
});
