// The results tables, as text for the terminal and as Markdown for the docs.
// A table is a header (column names) and rows (arrays of cells, as strings);
// the first column is left-aligned, the others right-aligned.

/** The comparison table's header: one measure, ours, the peer, their ratio, the target. */
export const COMPARISON = ["measure", "ours", "@azure/arm-compute", "ours/peer", "target"];

/** A row of the comparison table from its named cells. */
export function comparisonRow({ measure, ours, peer, ratio, target }) {
  return [measure, ours, peer, ratio ?? "", target ?? ""];
}

export function textTable(header, rows) {
  const cells = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

export function markdownTable(header, rows) {
  // Leading spaces mark a row that details the one above; Markdown would drop them.
  const escape = (c) => c.replace(/^ {2}/, "↳ ").replaceAll("|", "\\|");
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(escape).join(" | ")} |`),
  ].join("\n");
}

/** "0.82" for two numbers, "—" when the ratio means nothing. */
export function ratio(ours, peer) {
  return peer > 0 && Number.isFinite(ours) ? (ours / peer).toFixed(2) : "—";
}

export const fixed = (n, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** "met" or "NOT met" for a value that must not exceed its limit. */
export const verdict = (value, limit) => (value <= limit ? "met" : "NOT met");
