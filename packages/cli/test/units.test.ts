/** Pure parts of the command: formatting, targets, parsers, redaction, the static credential. */
import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { staticTokenCredential } from "../src/credential.js";
import { UsageError } from "../src/errors.js";
import { collectIds, parseListenPort, parseOs, parsePort } from "../src/options/parsers.js";
import { parseIdsFile } from "../src/options/fleetTargets.js";
import { parseConcurrency, resolveVmTarget } from "../src/options/targets.js";
import { type FleetRow, errorJson, summaryLine } from "../src/output/fleet.js";
import { RestError } from "azure-vm-identity";
import { identitySummary, identityTable } from "../src/output/identity.js";
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
});

describe("identityTable", () => {
  it("says when a VM has no identity", () => {
    expect(identityTable({ type: "None", userAssigned: [] })).toBe("Type: None (no managed identity)\n");
  });

  it("lists the system identity first, then each user-assigned one", () => {
    const text = identityTable({
      type: "SystemAssigned, UserAssigned",
      systemAssigned: { principalId: "p-sys", tenantId: "t-1" },
      userAssigned: [{ id: UAI, principalId: "p-uai", clientId: "c-uai" }],
    });
    const lines = text.split("\n");
    expect(lines[0]).toBe("Type: SystemAssigned, UserAssigned");
    const header = lines[2]!;
    expect(header).toMatch(/^KIND\s+PRINCIPAL ID\s+CLIENT ID\s+TENANT ID\s+RESOURCE ID$/);
    expect(lines[3]).toMatch(/^SystemAssigned\s+p-sys\s+-\s+t-1\s+-$/);
    expect(lines[4]).toMatch(/^UserAssigned\s+p-uai\s+c-uai\s+-\s+\/subscriptions\//);
    // Columns line up with the header.
    expect(lines[3]!.indexOf("p-sys")).toBe(header.indexOf("PRINCIPAL ID"));
    expect(lines[4]!.indexOf(UAI)).toBe(header.indexOf("RESOURCE ID"));
  });

  it("summarises", () => {
    expect(identitySummary({ type: "UserAssigned", userAssigned: [{ id: UAI }] })).toBe("UserAssigned (1 user-assigned)");
    expect(identitySummary({ type: "None", userAssigned: [] })).toBe("None");
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

describe("resolveVmTarget", () => {
  it("takes -g and -n", () => {
    expect(resolveVmTarget({ resourceGroup: "rg", name: "vm" })).toEqual({ kind: "name", resourceGroup: "rg", name: "vm" });
  });

  it("takes --ids and reads its subscription", () => {
    const id = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm";
    expect(resolveVmTarget({ ids: id })).toEqual({ kind: "id", id, subscriptionId: "11111111-1111-1111-1111-111111111111" });
  });

  it.each([
    [{}, /No VM given/],
    [{ resourceGroup: "rg" }, /Missing the VM name/],
    [{ name: "vm" }, /Missing the resource group/],
    [{ resourceGroup: "rg", name: "vm", ids: "/subscriptions/x" }, /either with --ids or with -g/],
  ])("rejects %j", (options, message) => {
    expect(() => resolveVmTarget(options)).toThrow(UsageError);
    expect(() => resolveVmTarget(options)).toThrow(message);
  });

  it("explains that --name is the extension's name in extension commands", () => {
    expect(() => resolveVmTarget({ resourceGroup: "rg", name: "vm" }, "vm-name")).toThrow(/--name is the extension's name/);
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

  it("collect ids from repeated flags and comma lists", () => {
    expect(collectIds("a,b", ["x"])).toEqual(["x", "a", "b"]);
    expect(() => collectIds(" , ", undefined)).toThrow(InvalidArgumentError);
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
  const stats = { writes: 3, throttled: 1, peakConcurrency: 16 };

  it("summaryLine: counts, 429s and peak concurrency (no more than the VMs), singular forms", () => {
    const rows = [row("changed"), row("changed"), row("unchanged"), row("failed")];
    expect(summaryLine(rows, { dryRun: false, stats: { ...stats, throttled: 3 } })).toBe(
      "4 VMs: 2 changed, 1 unchanged, 1 failed (3 429s absorbed, peak concurrency 4)\n",
    );
    expect(summaryLine([row("changed")], { dryRun: false, stats })).toBe("1 VM: 1 changed, 0 unchanged, 0 failed (1 429 absorbed, peak concurrency 1)\n");
    expect(summaryLine(rows, { dryRun: false })).toBe("4 VMs: 2 changed, 1 unchanged, 1 failed\n");
    expect(summaryLine(rows, { dryRun: true })).toBe("4 VMs: 2 would change, 1 unchanged, 1 failed (dry run: nothing was sent)\n");
  });

  it("parseIdsFile: one id a line; blank lines, comments, CRLF and a BOM ignored; lines numbered for errors", () => {
    expect(parseIdsFile("\uFEFF# head\r\n/a\r\n\r\n  /b  # tail\n#/c\n", "f.txt")).toEqual([
      { id: "/a", where: "f.txt line 2" },
      { id: "/b", where: "f.txt line 4" },
    ]);
    expect(() => parseIdsFile("# only comments\n\n", "f.txt")).toThrow(UsageError);
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
