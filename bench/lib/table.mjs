// The one results table, as text for the terminal and as Markdown for the docs.
const HEADER = ["measure", "ours", "@azure/arm-compute", "ours/peer", "target"];

export function textTable(rows) {
  const cells = [HEADER, ...rows.map(rowCells)];
  const widths = HEADER.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

export function markdownTable(rows) {
  // Leading spaces mark a row that details the one above; Markdown would drop them.
  const escape = (c) => c.replace(/^ {2}/, "↳ ").replaceAll("|", "\\|");
  return [
    `| ${HEADER.join(" | ")} |`,
    `|${HEADER.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${rowCells(r).map(escape).join(" | ")} |`),
  ].join("\n");
}

function rowCells({ measure, ours, peer, ratio, target }) {
  return [measure, ours, peer, ratio ?? "", target ?? ""];
}

/** "0.82" for two numbers, "—" when the ratio means nothing. */
export function ratio(ours, peer) {
  return peer > 0 && Number.isFinite(ours) ? (ours / peer).toFixed(2) : "—";
}

export const fixed = (n, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
