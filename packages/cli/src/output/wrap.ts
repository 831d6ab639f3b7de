import { displayWidth } from "./width.js";

/** Options of {@link wrapLine} and {@link wrapText}. */
export interface WrapOptions {
  /**
   * What continuation lines start with. Default: the line's own leading
   * whitespace plus two spaces (a hanging indent), or for a `Usage:` line
   * enough to align under the command.
   */
  indent?: string;
  /**
   * Whether a line that starts at the margin (no leading whitespace) gets a
   * hanging indent too (default), or continues at the margin like a paragraph.
   */
  hangAtMargin?: boolean;
}

/** Characters after which a token too long for a line may be broken (paths, query strings, lists). */
const BREAK_AFTER = new Set(["/", "&", ",", ";"]);
/** Characters before which it may be broken. */
const BREAK_BEFORE = new Set(["?"]);
/** Where a piece that is still too long may be broken next (names, GUIDs). */
const BREAK_AFTER_LAST = new Set(["-", "_", "."]);

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Split a token at its break opportunities: `/a/b?x=1` gives `/`, `a/`, `b`, `?x=1`. */
function pieces(token: string, after: ReadonlySet<string> = BREAK_AFTER, before: ReadonlySet<string> = BREAK_BEFORE): string[] {
  const out: string[] = [];
  let current = "";
  for (const { segment } of graphemes.segment(token)) {
    if (before.has(segment) && current !== "") {
      out.push(current);
      current = "";
    }
    current += segment;
    if (after.has(segment)) {
      out.push(current);
      current = "";
    }
  }
  if (current !== "") out.push(current);
  return out;
}

/** The pieces of a token, each at most `width` columns: at `/`, `?`, `&`; then at `-`, `_`, `.`; then between characters. */
function fittingPieces(token: string, width: number): string[] {
  return pieces(token).flatMap((piece) =>
    displayWidth(piece) <= width
      ? [piece]
      : pieces(piece, BREAK_AFTER_LAST, new Set()).flatMap((p) => (displayWidth(p) <= width ? [p] : hardSplit(p, width))),
  );
}

/** Cut `text` into parts of at most `width` columns, between graphemes (the last resort). */
function hardSplit(text: string, width: number): string[] {
  const out: string[] = [];
  let current = "";
  for (const { segment } of graphemes.segment(text)) {
    if (current !== "" && displayWidth(current + segment) > width) {
      out.push(current);
      current = "";
    }
    current += segment;
  }
  if (current !== "") out.push(current);
  return out;
}

/** The continuation indent of a line, unless given. */
function defaultIndent(line: string, lead: string, hangAtMargin: boolean): string {
  const usage = /^(\s*Usage: )/.exec(line);
  if (usage) return " ".repeat(usage[1]!.length + 2);
  return lead === "" && !hangAtMargin ? "" : `${lead}  `;
}

/**
 * Wrap one line (no newline in it) to `width` display columns. Lines break at
 * spaces; a word longer than a whole line (a URL, a resource id) breaks after
 * `/`, `&`, `,` or `;`, or before `?`; a piece still too long after `-`, `_`
 * or `.`; and only as a last resort between two characters. Lines that fit are returned unchanged; no line ends in a
 * space.
 */
export function wrapLine(line: string, width: number, options: WrapOptions = {}): string[] {
  if (displayWidth(line) <= width) return [line];
  const lead = /^\s*/.exec(line)?.[0] ?? "";
  let indent = options.indent ?? defaultIndent(line, lead, options.hangAtMargin ?? true);
  // Keep at least half the line for text.
  if (displayWidth(indent) > width / 2) indent = displayWidth(lead) > width / 2 ? "" : lead;
  const indentWidth = displayWidth(indent);

  const out: string[] = [];
  let current = lead;
  let currentWidth = displayWidth(lead);
  let blank = true;
  const newLine = (): void => {
    out.push(current.trimEnd());
    current = indent;
    currentWidth = indentWidth;
    blank = true;
  };
  const add = (text: string): void => {
    current += text;
    currentWidth += displayWidth(text);
    blank = false;
  };

  for (const chunk of line.slice(lead.length).match(/\s*\S+/g) ?? []) {
    const chunkWidth = displayWidth(chunk);
    if (currentWidth + chunkWidth <= width) {
      add(chunk);
      continue;
    }
    const word = chunk.trimStart();
    const space = chunk.slice(0, chunk.length - word.length);
    if (displayWidth(word) <= width - indentWidth) {
      if (!blank) newLine();
      add(word);
      continue;
    }
    // A word longer than any line: fill the current line with its first pieces, then go on.
    let first = true;
    for (const piece of fittingPieces(word, width - indentWidth)) {
      const sep = first && !blank ? space : "";
      if (currentWidth + displayWidth(sep + piece) > width) {
        newLine();
        add(piece);
      } else {
        add(sep + piece);
      }
      first = false;
    }
  }
  out.push(current.trimEnd());
  return out;
}

/** Wrap every line of `text` to `width` columns (see {@link wrapLine}); line ends are kept. */
export function wrapText(text: string, width: number, options: WrapOptions = {}): string {
  return text
    .split("\n")
    .flatMap((line) => wrapLine(line, width, options))
    .join("\n");
}

/**
 * Split text into lines of at most `width` columns for a table cell or a
 * value column: at spaces, else at the break opportunities of
 * {@link wrapLine}; never empty.
 */
export function wrapCell(text: string, width: number): string[] {
  const lines = text.split("\n").flatMap((line) => wrapLine(line, Math.max(1, width), { indent: "" }));
  return lines.length > 0 ? lines : [""];
}
