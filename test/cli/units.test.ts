/** Pure parts of the command: formatting, targets, parsers, redaction, the static credential. */
import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { staticTokenCredential } from "../../src/cli/credential.js";
import { UsageError } from "../../src/cli/errors.js";
import { collectIds, parseListenPort, parseOs, parsePort } from "../../src/cli/options/parsers.js";
import { resolveVmTarget } from "../../src/cli/options/targets.js";
import { identitySummary, identityTable } from "../../src/cli/output/identity.js";
import { formatDryRun, formatRequest, pathOf } from "../../src/cli/output/requests.js";
import { styleFor } from "../../src/cli/output/style.js";
import { formatKeyValues, formatTable } from "../../src/cli/output/table.js";
import { Redactor } from "../../src/cli/redact.js";
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
