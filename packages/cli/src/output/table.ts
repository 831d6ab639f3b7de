/**
 * Lay out rows in aligned columns separated by two spaces, with a header row.
 * The last column is not padded, so no line ends in spaces.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return all.map(line).join("\n") + "\n";
}

/** Two-column `key  value` lines, keys aligned. */
export function formatKeyValues(pairs: readonly (readonly [string, string])[], indent = ""): string {
  const width = Math.max(0, ...pairs.map(([key]) => key.length));
  return pairs.map(([key, value]) => `${indent}${key.padEnd(width)}  ${value}`.trimEnd()).join("\n") + "\n";
}

/** A cell for a value that may be missing. */
export function cell(value: string | number | boolean | undefined | null): string {
  return value === undefined || value === null || value === "" ? "-" : String(value);
}
