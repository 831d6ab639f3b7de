import type { OutputFormat } from "../options/global.js";

/** Prints results on stdout in the chosen format. */
export class Printer {
  constructor(
    private readonly write: (text: string) => void,
    /** The format chosen with `-o/--output`. */
    readonly format: OutputFormat,
  ) {}

  /** Print `value` as indented JSON, or as the text `table()` makes from it. */
  result<T>(value: T, table: (value: T) => string): void {
    this.write(this.format === "json" ? toJson(value) : table(value));
  }

  /** Print text as is (whatever the format). */
  text(text: string): void {
    this.write(text);
  }
}

/** Indented JSON with a final newline; `undefined` prints as `null`. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null, null, 2) + "\n";
}
