import type { CompiledQuery } from "../options/query.js";
import { formatAutoTable } from "./autoTable.js";
import { colorJson } from "./jsonColor.js";
import type { Style } from "./style.js";
import { formatTsv } from "./tsv.js";
import { DEFAULT_WIDTH } from "./width.js";
import { wrapText } from "./wrap.js";

/** Output formats of `-o/--output`, as the Azure CLI names them. */
export const OUTPUT_FORMATS = ["json", "jsonc", "table", "tsv", "none"] as const;

/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** How a {@link Printer} prints. */
export interface PrinterOptions {
  format: OutputFormat;
  /** `--query`, applied to the result before it is formatted. */
  query?: CompiledQuery | undefined;
  /** Colours for `jsonc` (none unless stdout is a terminal). */
  style?: Style;
  /** Line width of text output. Default 80. */
  width?: number;
}

/** A `--query` that failed on the command's result (e.g. a function given the wrong type). */
export class QueryError extends Error {
  constructor(
    readonly expression: string,
    cause: unknown,
  ) {
    super(`--query ${JSON.stringify(expression)} failed on the result: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = "QueryError";
  }
}

/** The result as plain JSON data (what `-o json` shows and `--query` sees). */
export function toJsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/** Every object and array inside a JSON value. */
function objectsOf(value: unknown, into = new WeakSet<object>()): WeakSet<object> {
  if (typeof value === "object" && value !== null && !into.has(value)) {
    into.add(value);
    for (const child of Object.values(value)) objectsOf(child, into);
  }
  return into;
}

/** Indented JSON with a final newline; `undefined` prints as `null`. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null, null, 2) + "\n";
}

/**
 * Prints results on stdout as the Azure CLI does: `--query` first, then the
 * format. `table` without a query is the command's own text, wrapped to the
 * line width; with a query it is a table of the query's result. A `null`
 * result prints nothing, in every format.
 */
export class Printer {
  readonly format: OutputFormat;
  readonly width: number;
  private readonly query: CompiledQuery | undefined;
  private readonly style: Style | undefined;

  constructor(
    private readonly write: (text: string) => void,
    options: PrinterOptions,
  ) {
    this.format = options.format;
    this.query = options.query;
    this.style = options.style;
    this.width = options.width ?? DEFAULT_WIDTH;
  }

  /** Whether the whole result is printed as JSON (`-o json|jsonc` without `--query`), errors included. */
  get wholeJson(): boolean {
    return (this.format === "json" || this.format === "jsonc") && this.query === undefined;
  }

  /** Whether results print as the command's own text for people (`-o table` without `--query`). */
  get forPeople(): boolean {
    return this.format === "table" && this.query === undefined;
  }

  /** Print a result: the command's text (`table(value, width)`) for people, else the data in the chosen format. */
  result<T>(value: T, table: (value: T, width: number) => string): void {
    if (this.format === "none") return;
    if (this.forPeople) {
      this.write(wrapText(table(value, this.width), this.width));
      return;
    }
    const data = toJsonValue(value);
    const resultObjects = objectsOf(data);
    let shown: unknown = data;
    if (this.query) {
      try {
        shown = this.query.search(data);
      } catch (e) {
        throw new QueryError(this.query.expression, e);
      }
    }
    if (shown === null || shown === undefined) return;
    if (this.format === "tsv") this.write(formatTsv(shown, (o) => resultObjects.has(o)));
    else if (this.format === "table") this.write(formatAutoTable(shown, this.width));
    else {
      const json = toJson(shown);
      this.write(this.format === "jsonc" && this.style?.colored ? colorJson(json, this.style) : json);
    }
  }

  /** Print text for people as is, wrapped to the line width (nothing with `-o none`). */
  text(text: string): void {
    if (this.format !== "none") this.write(wrapText(text, this.width));
  }
}
