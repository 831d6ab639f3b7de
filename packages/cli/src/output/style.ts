import type { CliIo } from "../io.js";

/** Text styles: ANSI when stdout is a terminal and `NO_COLOR` is unset, plain otherwise. */
export interface Style {
  /** Whether the styles add escape codes. */
  readonly colored: boolean;
  bold(text: string): string;
  dim(text: string): string;
  accent(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

const same = (t: string): string => t;
const plain: Style = { colored: false, bold: same, dim: same, accent: same, green: same, yellow: same };

const sgr = (on: number, off: number) => (t: string): string => `\u001b[${on}m${t}\u001b[${off}m`;
const ansi: Style = {
  colored: true,
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  accent: sgr(36, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
};

/** The style for this output: colour only on a terminal, and never with `NO_COLOR` set. */
export function styleFor(io: CliIo): Style {
  const noColor = io.env["NO_COLOR"] !== undefined && io.env["NO_COLOR"] !== "";
  return io.stdoutIsTTY && !noColor && io.env["TERM"] !== "dumb" ? ansi : plain;
}
