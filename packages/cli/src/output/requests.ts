import type { RawArmRequest } from "azure-vm-identity";

/** Options of {@link formatRequest}. */
export interface FormatRequestOptions {
  /** Print the path and query only, not the origin. */
  pathOnly?: boolean;
  /** Which headers to print: all (default) or only the conditional ones (`if-match`, `if-none-match`). */
  headers?: "all" | "conditional";
  /** Prefix of every line. */
  indent?: string;
}

const CONDITIONAL = new Set(["if-match", "if-none-match"]);

/** The path and query of an absolute URL. */
export function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

/**
 * An HTTP request as text: the request line, the headers, a blank line and the
 * JSON body, e.g.
 *
 * ```
 * PATCH https://management.azure.com/subscriptions/.../virtualMachines/vm1?api-version=2024-11-01
 * if-match: "3"
 *
 * {"identity": {...}}
 * ```
 */
export function formatRequest(request: { method: string; url: string; headers?: Record<string, string>; body?: unknown }, options: FormatRequestOptions = {}): string {
  const indent = options.indent ?? "";
  const lines = [`${request.method} ${options.pathOnly ? pathOf(request.url) : request.url}`];
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (options.headers === "conditional" && !CONDITIONAL.has(name.toLowerCase())) continue;
    lines.push(`${name}: ${value}`);
  }
  if (request.body !== undefined) {
    lines.push("", ...JSON.stringify(request.body, null, 2).split("\n"));
  }
  return lines.map((line) => (line ? indent + line : "")).join("\n") + "\n";
}

/** What a dry run prints as JSON: the requests it would send, and for identity changes the current and desired state. */
export interface DryRunReport {
  dryRun: true;
  /** The requests, in the order they would be sent; empty when nothing would change. */
  requests: RawArmRequest[];
  [key: string]: unknown;
}

/** A dry run as text: a note that nothing was sent, then each request. */
export function formatDryRun(requests: readonly RawArmRequest[], preamble = ""): string {
  const head = "Dry run: nothing was sent.";
  if (requests.length === 0) return `${head} ${preamble}Nothing would change, so no request would be sent.\n`;
  const count = requests.length === 1 ? "This request would be sent:" : `These ${requests.length} requests would be sent, in order:`;
  return `${head} ${preamble}${count}\n\n` + requests.map((r) => formatRequest(r)).join("\n");
}
