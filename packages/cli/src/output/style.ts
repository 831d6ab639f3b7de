import type { CliIo } from "../io.js";

/** Text styles: ANSI when stdout is a terminal and `NO_COLOR` is unset, plain otherwise. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  accent(text: string): string;
}

const plain: Style = { bold: (t) => t, dim: (t) => t, accent: (t) => t };

const ansi: Style = {
  bold: (t) => `\u001b[1m${t}\u001b[22m`,
  dim: (t) => `\u001b[2m${t}\u001b[22m`,
  accent: (t) => `\u001b[36m${t}\u001b[39m`,
};

/** The style for this output: colour only on a terminal, and never with `NO_COLOR` set. */
export function styleFor(io: CliIo): Style {
  const noColor = io.env["NO_COLOR"] !== undefined && io.env["NO_COLOR"] !== "";
  return io.stdoutIsTTY && !noColor && io.env["TERM"] !== "dumb" ? ansi : plain;
}
