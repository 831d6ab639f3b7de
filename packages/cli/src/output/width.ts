import stringWidth from "string-width";

/** The line width used when stdout is not a terminal (a file, a pipe, a test). */
export const DEFAULT_WIDTH = 80;

/** The narrowest width text is laid out for, however narrow the terminal says it is. */
export const MIN_WIDTH = 40;

/**
 * The number of terminal columns `text` takes: East Asian wide characters
 * (CJK) count two, combining marks and ANSI escape codes none.
 */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** `text` padded with spaces to `width` display columns (never cut). */
export function padDisplay(text: string, width: number): string {
  const missing = width - displayWidth(text);
  return missing > 0 ? text + " ".repeat(missing) : text;
}

/**
 * The width to lay text out for: the terminal's columns when stdout is a
 * terminal that reports them, else {@link DEFAULT_WIDTH}; never less than
 * {@link MIN_WIDTH}.
 */
export function outputWidth(io: { stdoutIsTTY: boolean; stdoutColumns?: number | undefined }): number {
  const columns = io.stdoutIsTTY ? io.stdoutColumns : undefined;
  if (columns === undefined || !Number.isFinite(columns) || columns <= 0) return DEFAULT_WIDTH;
  return Math.max(MIN_WIDTH, Math.floor(columns));
}
