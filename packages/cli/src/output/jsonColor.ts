import type { Style } from "./style.js";

/** A JSON token: a string (key or value), a number, or a literal. */
const TOKEN = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;

/** Indented JSON with keys, strings and other values in colour (`-o jsonc` on a terminal). */
export function colorJson(json: string, style: Style): string {
  return json.replace(TOKEN, (match, str: string | undefined, colon: string | undefined, num: string | undefined, literal: string | undefined) => {
    if (str !== undefined) return colon !== undefined ? style.accent(str) + colon : style.green(str);
    if (num !== undefined) return style.yellow(num);
    if (literal !== undefined) return style.yellow(literal);
    return match;
  });
}
