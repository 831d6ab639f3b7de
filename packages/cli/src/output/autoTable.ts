import { formatTable } from "./table.js";

/**
 * `-o table` of a `--query` result, laid out as the Azure CLI does it: one
 * row per array element; the columns are the keys of the objects, in their
 * order, with the first letter capitalised, skipping values that are null,
 * arrays or objects; an element that is an array gives `Column1`, `Column2`,
 * ...; a scalar gives one `Result` column. A line of dashes under the header.
 * Unlike the Azure CLI, no key (`id`, `type`, `etag`) is left out.
 */
export function formatAutoTable(value: unknown, width: number): string {
  if (value === null || value === undefined) return "";
  const items = Array.isArray(value) ? value : [value];
  const columns: string[] = [];
  const rows: Map<string, string>[] = items.map((item) => {
    const row = new Map<string, string>();
    const put = (column: string, cell: unknown): void => {
      if (cell === null || cell === undefined || typeof cell === "object") return;
      if (!columns.includes(column)) columns.push(column);
      row.set(column, typeof cell === "boolean" ? (cell ? "True" : "False") : String(cell));
    };
    if (Array.isArray(item)) item.forEach((cell, i) => put(`Column${i + 1}`, cell));
    else if (typeof item === "object" && item !== null) {
      for (const [key, cell] of Object.entries(item as Record<string, unknown>)) put(key.charAt(0).toUpperCase() + key.slice(1), cell);
    } else put("Result", item);
    return row;
  });
  if (columns.length === 0) return "";
  return formatTable(columns, rows.map((row) => columns.map((c) => row.get(c) ?? "")), { width, rule: true });
}
