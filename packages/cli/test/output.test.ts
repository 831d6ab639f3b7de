/** Output for people and for scripts: wrapping, display width, tsv and tables as the Azure CLI makes them, --query. */
import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { type CompiledQuery, isGraphQuery, parseQuery } from "../src/options/query.js";
import { formatAutoTable } from "../src/output/autoTable.js";
import { colorJson } from "../src/output/jsonColor.js";
import { Printer, QueryError } from "../src/output/printer.js";
import { styleFor } from "../src/output/style.js";
import { formatTable } from "../src/output/table.js";
import { formatTsv } from "../src/output/tsv.js";
import { displayWidth, outputWidth } from "../src/output/width.js";
import { wrapLine, wrapText } from "../src/output/wrap.js";
import { memoryIo } from "./helpers.js";

const VM_URL =
  "PATCH https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachines/myVM?api-version=2024-11-01";

function printed(options: ConstructorParameters<typeof Printer>[1], value: unknown, table = (): string => "TABLE\n"): string {
  const out: string[] = [];
  new Printer((t) => out.push(t), options).result(value, table);
  return out.join("");
}

describe("wrapping", () => {
  it("leaves a line that fits alone", () => {
    expect(wrapLine("short line", 80)).toEqual(["short line"]);
  });

  it("wraps at spaces with a hanging indent, never in a word", () => {
    const words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau";
    const lines = wrapLine(`  ${words}`, 30);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(30);
    expect(lines[0]!.startsWith("  alpha")).toBe(true);
    expect(lines.slice(1).every((l) => l.startsWith("    ") && !l.startsWith("     "))).toBe(true);
    expect(lines.map((l) => l.trim()).join(" ")).toBe(words);
  });

  it("breaks a URL after a slash or before the query, not inside a name", () => {
    const lines = wrapLine(VM_URL, 80);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    expect(lines).toEqual([
      "PATCH https://management.azure.com/subscriptions/",
      "  00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup/providers/",
      "  Microsoft.Compute/virtualMachines/myVM?api-version=2024-11-01",
    ]);
  });

  it("aligns a wrapped usage line under the command", () => {
    const lines = wrapLine("Usage: vm-identity assign (-g RG -n VM | --ids ID... | --ids-file FILE) [--identities ID...] [--dry-run] [options]", 60);
    expect(lines[1]!.startsWith("         ")).toBe(true);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
  });

  it("measures wide characters as two columns", () => {
    const lines = wrapText("資源 グループ の 名前 は 東京 です そして 大阪 も あります", 12).split("\n");
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(12);
  });

  it("lays out for the terminal's width when stdout is one, else 80", () => {
    expect(outputWidth({ stdoutIsTTY: false, stdoutColumns: 200 })).toBe(80);
    expect(outputWidth({ stdoutIsTTY: true, stdoutColumns: 120 })).toBe(120);
    expect(outputWidth({ stdoutIsTTY: true })).toBe(80);
    expect(outputWidth({ stdoutIsTTY: true, stdoutColumns: 10 })).toBe(40);
  });
});

describe("tables", () => {
  it("fits the width by wrapping the widest column at word boundaries, keeping the columns aligned", () => {
    const text = formatTable(
      ["NAME", "RESOURCE GROUP", "STATUS", "RESULT"],
      [
        ["web-frontend-vm-0001", "production-westeurope-rg", "changed", "SystemAssigned, UserAssigned (2 user-assigned)"],
        ["db", "rg", "failed", "ResourceNotFound (404)"],
      ],
      { width: 60 },
    );
    const lines = text.trimEnd().split("\n");
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(60);
    const statusColumn = lines[0]!.indexOf("STATUS");
    for (const line of lines.filter((l) => /changed|failed/.test(l))) expect(line.indexOf(/changed/.test(line) ? "changed" : "failed")).toBe(statusColumn);
    expect(text).toContain("SystemAssigned,");
    expect(text).not.toMatch(/SystemAssig\n/);
  });

  it("keeps the columns it is told to keep whole", () => {
    const guid = "5e3b9a2c-0000-4000-8000-000000000001";
    const text = formatTable(["KIND", "PRINCIPAL ID"], [["system-assigned identity of a long description", guid]], { width: 50, keep: [1] });
    expect(text).toContain(guid);
  });
});

describe("-o tsv, as the Azure CLI", () => {
  it("prints one line per element, the values of an object sorted by key, tab-separated", () => {
    expect(formatTsv([{ name: "b", id: "2" }, { name: "a", id: "1" }])).toBe("2\tb\n1\ta\n");
    expect(formatTsv({ type: "SystemAssigned", principalId: "p" })).toBe("p\tSystemAssigned\n");
  });

  it("keeps the order of objects a --query built", () => {
    const built = { name: "b", id: "2" };
    expect(formatTsv([built], (o) => o !== built)).toBe("b\t2\n");
  });

  it("prints a nested array as its length, a nested object as nothing, null as None and booleans like Python", () => {
    expect(formatTsv([{ a: [1, 2, 3], b: { c: 1 }, d: null, e: true, f: false, g: 1.5 }])).toBe("3\t\tNone\tTrue\tFalse\t1.5\n");
    expect(formatTsv(true)).toBe("true\n");
    expect(formatTsv(["x", 2])).toBe("x\n2\n");
    expect(formatTsv([["x", 2]])).toBe("x\t2\n");
    expect(formatTsv(null)).toBe("");
  });
});

describe("-o table with --query, as the Azure CLI", () => {
  it("makes columns of the keys, capitalised, with a rule under the header, and skips nested values", () => {
    expect(formatAutoTable([{ name: "vm1", type: "SystemAssigned", tags: {} }, { name: "vm2", type: "None" }], 80)).toBe(
      "Name  Type\n----  --------------\nvm1   SystemAssigned\nvm2   None\n",
    );
    expect(formatAutoTable("abc", 80)).toBe("Result\n------\nabc\n");
    expect(formatAutoTable([["a", "b"]], 80)).toBe("Column1  Column2\n-------  -------\na        b\n");
  });
});

/** A `--query` that must be JMESPath. */
function jmes(expression: string): CompiledQuery {
  const query = parseQuery(expression);
  if (isGraphQuery(query)) throw new Error(`${expression} was read as a Resource Graph query`);
  return query;
}

describe("--query", () => {
  it("is compiled when parsed: a mistake is a usage error that shows an example, and names --graph-query", () => {
    expect(() => parseQuery("[?name=='x'")).toThrow(InvalidArgumentError);
    expect(() => parseQuery("[?name=='x'")).toThrow(/not a valid JMESPath expression: .*Example: --query .*--graph-query/);
    expect(() => parseQuery(" ")).toThrow(/must not be empty/);
  });

  it("a value that is not JMESPath but reads as a Resource Graph query is one (it selects VMs); valid JMESPath stays JMESPath", () => {
    for (const kql of [
      "resources | where type =~ 'microsoft.compute/virtualmachines'",
      "Resources | where resourceGroup == 'web' | project id",
      "resources | where tags['env'] == 'prod'",
      "where type =~ 'microsoft.compute/virtualmachines'",
      "resources | take 5",
    ]) {
      expect(parseQuery(kql)).toEqual({ kql });
    }
    for (const expression of ["resources", "resources | where", "[].id | [0]", "principalId"]) {
      expect(isGraphQuery(parseQuery(expression)), expression).toBe(false);
    }
    // Neither: a usage error.
    expect(() => parseQuery("[].id |")).toThrow(InvalidArgumentError);
  });

  it("reads backtick literals that are not JSON as strings, as the Azure CLI does", () => {
    expect(jmes("[?type==`SystemAssigned`].name").search([{ name: "a", type: "SystemAssigned" }, { name: "b", type: "None" }])).toEqual(["a"]);
  });

  it("is applied before the format", () => {
    const query = jmes("{id: principalId, kind: type}");
    const value = { type: "SystemAssigned", principalId: "p-1" };
    expect(printed({ format: "tsv", query }, value)).toBe("p-1\tSystemAssigned\n");
    expect(printed({ format: "json", query }, value)).toBe('{\n  "id": "p-1",\n  "kind": "SystemAssigned"\n}\n');
    expect(printed({ format: "table", query }, value)).toBe("Id   Kind\n---  --------------\np-1  SystemAssigned\n");
    expect(printed({ format: "tsv", query: jmes("principalId") }, value)).toBe("p-1\n");
  });

  it("prints nothing for a null result, in every format", () => {
    for (const format of ["json", "jsonc", "tsv", "table"] as const) {
      expect(printed({ format, query: jmes("missing") }, { a: 1 })).toBe("");
    }
  });

  it("reports a query that fails on the result", () => {
    expect(() => printed({ format: "json", query: jmes("length(a)") }, { a: 5 })).toThrow(QueryError);
  });
});

describe("the formats", () => {
  it("table without --query is the command's own text, wrapped to the width", () => {
    expect(printed({ format: "table", width: 20 }, {}, () => "one two three four five six seven\n")).toBe("one two three four\n  five six seven\n");
  });

  it("none prints nothing; jsonc colours only on a terminal", () => {
    expect(printed({ format: "none" }, { a: 1 })).toBe("");
    expect(printed({ format: "jsonc", style: styleFor(memoryIo()) }, { a: 1 })).toBe('{\n  "a": 1\n}\n');
    const colored = printed({ format: "jsonc", style: styleFor({ ...memoryIo(), stdoutIsTTY: true }) }, { a: "x", b: true });
    expect(colored).toContain("\u001b[");
    expect(colored.replace(/\u001b\[\d+m/g, "")).toBe('{\n  "a": "x",\n  "b": true\n}\n');
    expect(colorJson('{"k": 1}', styleFor(memoryIo()))).toBe('{"k": 1}');
  });
});
