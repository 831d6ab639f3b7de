import { InvalidArgumentError } from "commander";
import { type JSONValue, TreeInterpreter, compile } from "@jmespath-community/jmespath";

/** A `--query` expression, compiled when the command line is parsed. */
export interface CompiledQuery {
  /** The expression as given. */
  expression: string;
  /** Apply it to a JSON value. */
  search(value: unknown): unknown;
}

/**
 * Parse `--query`: a JMESPath expression, compiled now so that a mistake is a
 * usage error before any request. Backtick literals that are not JSON
 * (`` `abc` ``) are read as strings, as the Azure CLI reads them.
 */
export function parseQuery(expression: string): CompiledQuery {
  if (expression.trim() === "") throw new InvalidArgumentError("--query must not be empty (is a shell variable unset?).");
  let ast: ReturnType<typeof compile>;
  try {
    ast = compile(expression, { enable_legacy_literals: true });
  } catch (e) {
    throw new InvalidArgumentError(`not a valid JMESPath expression: ${(e as Error).message}. Example: --query "[].{name: name, type: type}".`);
  }
  return { expression, search: (value) => TreeInterpreter.search(ast, value as JSONValue) };
}
