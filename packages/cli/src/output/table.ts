import { DEFAULT_WIDTH, displayWidth, padDisplay } from "./width.js";
import { wrapCell } from "./wrap.js";

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** The widest a line may be. Default {@link DEFAULT_WIDTH}. */
  width?: number;
  /** Columns (by index) never wrapped, e.g. GUIDs a reader copies. */
  keep?: readonly number[];
  /** Draw a line of dashes under the header, as the Azure CLI's tables have. */
  rule?: boolean;
}

const GAP = 2;
/** No wrapped column is made narrower than this, or than its header's longest word. */
const MIN_COLUMN = 8;

function naturalWidth(text: string): number {
  return Math.max(0, ...text.split("\n").map(displayWidth));
}

/** Column widths that fit `width`: the widest wrappable column gives way first. */
function fitColumns(natural: number[], headers: readonly string[], width: number, keep: ReadonlySet<number>): number[] {
  const widths = [...natural];
  const minimum = headers.map((h, i) => Math.min(natural[i] ?? 0, Math.max(MIN_COLUMN, ...h.split(/\s+/).map(displayWidth))));
  let total = widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  while (total > width) {
    let widest = -1;
    widths.forEach((w, i) => {
      if (!keep.has(i) && w > (minimum[i] ?? 0) && (widest < 0 || w > widths[widest]!)) widest = i;
    });
    if (widest < 0) break;
    widths[widest]!--;
    total--;
  }
  return widths;
}

/**
 * Lay out rows in columns separated by two spaces, under a header row,
 * measured in display columns (a CJK character takes two) so that every
 * column lines up. When the table is wider than `width`, the widest columns
 * wrap their cells at word boundaries (then after `/` or `-`) into several
 * lines. No line ends in spaces.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const all = [headers, ...rows];
  const natural = headers.map((_, i) => Math.max(...all.map((row) => naturalWidth(row[i] ?? ""))));
  const widths = fitColumns(natural, headers, options.width ?? DEFAULT_WIDTH, new Set(options.keep ?? []));
  const lines: string[] = [];
  for (const [r, row] of all.entries()) {
    if (r === 1 && options.rule) lines.push(widths.map((w) => "-".repeat(w)).join(" ".repeat(GAP)));
    const cells = widths.map((w, i) => wrapCell(row[i] ?? "", w));
    const height = Math.max(...cells.map((c) => c.length));
    for (let l = 0; l < height; l++) {
      const parts = cells.map((c, i) => (i === cells.length - 1 ? (c[l] ?? "") : padDisplay(c[l] ?? "", widths[i]!)));
      lines.push(parts.join(" ".repeat(GAP)).trimEnd());
    }
  }
  if (all.length === 1 && options.rule) lines.push(widths.map((w) => "-".repeat(w)).join(" ".repeat(GAP)));
  return lines.join("\n") + "\n";
}

/** Options of {@link formatKeyValues}. */
export interface KeyValueOptions {
  /** Prefix of every line. */
  indent?: string;
  /** The widest a line may be. Default {@link DEFAULT_WIDTH}. */
  width?: number;
}

/** Two-column `key  value` lines, keys aligned; a long value wraps under itself. */
export function formatKeyValues(pairs: readonly (readonly [string, string])[], options: KeyValueOptions = {}): string {
  const indent = options.indent ?? "";
  const keyWidth = Math.max(0, ...pairs.map(([key]) => displayWidth(key)));
  const valueWidth = Math.max(MIN_COLUMN, (options.width ?? DEFAULT_WIDTH) - displayWidth(indent) - keyWidth - GAP);
  const lines: string[] = [];
  for (const [key, value] of pairs) {
    wrapCell(value, valueWidth).forEach((part, i) => {
      const head = i === 0 ? padDisplay(key, keyWidth) : " ".repeat(keyWidth);
      lines.push(`${indent}${head}${" ".repeat(GAP)}${part}`.trimEnd());
    });
  }
  return lines.join("\n") + "\n";
}

/** A cell for a value that may be missing. */
export function cell(value: string | number | boolean | undefined | null): string {
  return value === undefined || value === null || value === "" ? "-" : String(value);
}
