/**
 * The subset of KQL (Kusto) the emulator's Resource Graph answers. Anything
 * outside it is refused with a {@link KqlError}, never answered wrongly:
 *
 * ```
 * query      := [ "resources" | "Resources" ] { "|" operator }     (a query may start with its first operator)
 * operator   := "where" condition
 *             | "project" column { "," column }
 *             | ( "take" | "limit" ) integer
 * condition  := comparison { "and" comparison }
 * comparison := path ( "==" | "=~" | "!=" | "!~" ) string
 *             | path ( "in" | "in~" | "!in" | "!in~" ) "(" string { "," string } ")"
 * path       := column { "." name | "[" string "]" }                (e.g. tags['env'], tags.env, properties.provisioningState)
 * column     := id | name | type | location | resourceGroup | subscriptionId | tenantId | kind | tags | identity | properties
 * string     := '...' | "..."                                       (backslash escapes)
 * ```
 */

/** The columns of the `resources` table the emulator has. */
export const COLUMNS = [
  "id",
  "name",
  "type",
  "location",
  "resourceGroup",
  "subscriptionId",
  "tenantId",
  "kind",
  "tags",
  "identity",
  "properties",
] as const;

/** A column of the `resources` table. */
export type Column = (typeof COLUMNS)[number];

/** A comparison operator of the subset. */
export type ComparisonOperator = "==" | "=~" | "!=" | "!~" | "in" | "in~" | "!in" | "!in~";

/** `path op value(s)`. */
export interface Comparison {
  column: Column;
  /** Property names below the column, e.g. `["env"]` for `tags['env']`. */
  steps: string[];
  operator: ComparisonOperator;
  values: string[];
}

/** One operator of the query. */
export type Stage =
  | { kind: "where"; conditions: Comparison[] }
  | { kind: "project"; columns: Column[] }
  | { kind: "take"; count: number };

/** A parsed query. */
export interface KqlQuery {
  stages: Stage[];
}

/** A query outside the subset, with where it went wrong. */
export class KqlError extends Error {
  override readonly name = "KqlError";
  constructor(
    message: string,
    /** 1-based line of the offending token. */
    readonly line: number,
    /** 0-based position of the offending token in its line. */
    readonly characterPositionInLine: number,
    /** The offending token ("" at the end of the query). */
    readonly token: string,
  ) {
    super(message);
  }
}

type TokenKind = "name" | "string" | "number" | "symbol" | "end";

interface Token {
  kind: TokenKind;
  text: string;
  /** The string's value for "string" tokens; else the text. */
  value: string;
  offset: number;
}

/** Longest first. Symbols outside the subset are tokens too, so that the parser names the construct they belong to. */
const SYMBOLS = ["==", "=~", "!=", "!~", "<=", ">=", "|", ",", "(", ")", "[", "]", ".", "!", "=", "<", ">", "+", "-", "*", "/", "%", ";", ":", "~", "{", "}"];

function tokenize(query: string, fail: (message: string, offset: number, token: string) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i] as string;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const start = i;
    if (/[A-Za-z_]/.test(c)) {
      while (i < query.length && /[A-Za-z0-9_]/.test(query[i] as string)) i += 1;
      // `in~` is one operator.
      if (query.slice(start, i) === "in" && query[i] === "~") i += 1;
      tokens.push({ kind: "name", text: query.slice(start, i), value: query.slice(start, i), offset: start });
    } else if (/[0-9]/.test(c)) {
      while (i < query.length && /[0-9]/.test(query[i] as string)) i += 1;
      tokens.push({ kind: "number", text: query.slice(start, i), value: query.slice(start, i), offset: start });
    } else if (c === "'" || c === '"') {
      let value = "";
      i += 1;
      for (;;) {
        if (i >= query.length) fail("The string literal is not closed.", start, query.slice(start));
        const d = query[i] as string;
        if (d === "\\" && i + 1 < query.length) {
          value += query[i + 1];
          i += 2;
        } else if (d === c) {
          i += 1;
          break;
        } else {
          value += d;
          i += 1;
        }
      }
      tokens.push({ kind: "string", text: query.slice(start, i), value, offset: start });
    } else {
      const symbol = SYMBOLS.find((s) => query.startsWith(s, i));
      if (!symbol) fail(`Unexpected character '${c}'.`, start, c);
      i += symbol.length;
      tokens.push({ kind: "symbol", text: symbol, value: symbol, offset: start });
    }
  }
  tokens.push({ kind: "end", text: "", value: "", offset: query.length });
  return tokens;
}

const OPERATOR_WORDS = new Set(["where", "project", "take", "limit"]);
const COMPARISONS = new Set<string>(["==", "=~", "!=", "!~"]);
const MEMBERSHIP = new Set<string>(["in", "in~"]);

/**
 * Parses a query of the subset.
 *
 * @throws KqlError naming the first token outside the subset and its position.
 */
export function parseKql(query: string): KqlQuery {
  const fail = (message: string, offset: number, token: string): never => {
    const before = query.slice(0, offset).split("\n");
    throw new KqlError(message, before.length, (before.at(-1) as string).length, token);
  };
  const tokens = tokenize(query, fail);
  let at = 0;
  const peek = () => tokens[at] as Token;
  const next = () => tokens[at++] as Token;
  const failAt = (token: Token, message: string): never => fail(message, token.offset, token.text);
  const expect = (text: string, what = `'${text}'`): Token => {
    const token = next();
    if (token.text !== text) failAt(token, `Expected ${what}${token.kind === "end" ? " before the end of the query" : `, found '${token.text}'`}.`);
    return token;
  };
  const stringLiteral = (): string => {
    const token = next();
    if (token.kind !== "string") failAt(token, `Expected a string literal, found '${token.text}'. The emulator compares with string literals only.`);
    return token.value;
  };
  let schema = new Set<string>(COLUMNS);
  const column = (): Column => {
    const token = next();
    if (token.kind !== "name") failAt(token, `Expected a column name, found '${token.text}'.`);
    if (!schema.has(token.text)) {
      const known = (COLUMNS as readonly string[]).includes(token.text);
      failAt(
        token,
        known
          ? `The column '${token.text}' is not in the result after 'project'.`
          : `Failed to resolve scalar expression named '${token.text}': the emulator's resources table has ${[...schema].join(", ")}.`,
      );
    }
    return token.text as Column;
  };

  const comparison = (): Comparison => {
    const col = column();
    const steps: string[] = [];
    for (;;) {
      if (peek().text === ".") {
        next();
        const name = next();
        if (name.kind !== "name") failAt(name, `Expected a property name after '.', found '${name.text}'.`);
        steps.push(name.text);
      } else if (peek().text === "[") {
        next();
        steps.push(stringLiteral());
        expect("]");
      } else break;
    }
    let token = next();
    let negated = false;
    if (token.text === "!" && MEMBERSHIP.has(peek().text)) {
      negated = true;
      token = next();
    }
    if (COMPARISONS.has(token.text) && !negated) {
      return { column: col, steps, operator: token.text as ComparisonOperator, values: [stringLiteral()] };
    }
    if (MEMBERSHIP.has(token.text)) {
      expect("(");
      const values = [stringLiteral()];
      while (peek().text === ",") {
        next();
        values.push(stringLiteral());
      }
      expect(")");
      return { column: col, steps, operator: `${negated ? "!" : ""}${token.text}` as ComparisonOperator, values };
    }
    return failAt(
      token,
      `The operator '${token.text}' is not supported by the ARM emulator: use ==, =~, !=, !~, in, in~, !in or !in~ against string literals.`,
    );
  };

  const operator = (): Stage => {
    const word = next();
    switch (word.text) {
      case "where": {
        const conditions = [comparison()];
        while (peek().text === "and") {
          next();
          conditions.push(comparison());
        }
        if (peek().kind !== "end" && peek().text !== "|") {
          failAt(peek(), `'${peek().text}' is not supported by the ARM emulator here: conditions combine with 'and' only.`);
        }
        return { kind: "where", conditions };
      }
      case "project": {
        const columns = [column()];
        while (peek().text === ",") {
          next();
          columns.push(column());
        }
        if (new Set(columns).size !== columns.length) failAt(word, "A column is projected twice.");
        schema = new Set(columns);
        return { kind: "project", columns };
      }
      case "take":
      case "limit": {
        const count = next();
        if (count.kind !== "number") failAt(count, `Expected a number of rows after '${word.text}', found '${count.text}'.`);
        return { kind: "take", count: Number(count.value) };
      }
      default:
        return failAt(
          word,
          word.kind === "end"
            ? "Expected an operator after '|'."
            : `The operator '${word.text}' is not supported by the ARM emulator: it answers where, project, take and limit.`,
        );
    }
  };

  const stages: Stage[] = [];
  const first = peek();
  if (first.kind === "name" && (first.text === "resources" || first.text === "Resources")) {
    next();
  } else if (!(first.kind === "name" && OPERATOR_WORDS.has(first.text))) {
    failAt(
      first,
      first.kind === "end"
        ? "The query is empty."
        : `The table '${first.text}' is not supported by the ARM emulator: it answers queries of 'resources'.`,
    );
  } else {
    stages.push(operator());
  }
  while (peek().kind !== "end") {
    expect("|", "'|' between operators");
    stages.push(operator());
  }
  return { stages };
}
