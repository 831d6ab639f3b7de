import { InvalidArgumentError } from "commander";
import { type JSONValue, TreeInterpreter, compile } from "@jmespath-community/jmespath";

/** A `--query` expression, compiled when the command line is parsed. */
export interface CompiledQuery {
  /** The expression as given. */
  expression: string;
  /** Apply it to a JSON value. */
  search(value: unknown): unknown;
}

/** A `--query` value that is a Resource Graph (KQL) query selecting VMs, not a JMESPath expression. */
export interface GraphQueryValue {
  kql: string;
}

/** What `--query` holds: a JMESPath expression for the output, or a Resource Graph query. */
export type QueryValue = CompiledQuery | GraphQueryValue;

/** Whether a parsed `--query` value is a Resource Graph query. */
export function isGraphQuery(value: QueryValue | undefined): value is GraphQueryValue {
  return value !== undefined && "kql" in value;
}

/**
 * How a Resource Graph query starts: a table then `|` (`resources | where ...`),
 * or one of the tabular operators Resource Graph lets a query start with.
 */
const KQL_START = /^\s*(?:[A-Za-z_][A-Za-z0-9_]*\s*\||(?:where|project|extend|take|limit|top|order|sort|summarize|distinct|join|mv-expand)\s)/i;

/**
 * Parse `--query`: a JMESPath expression, compiled now so that a mistake is a
 * usage error before any request. Backtick literals that are not JSON
 * (`` `abc` ``) are read as strings, as the Azure CLI reads them. A value
 * that is not JMESPath but reads as a Resource Graph query
 * (`resources | where ...`) selects the VMs of a command on several VMs,
 * as `--graph-query` does.
 */
export function parseQuery(expression: string): QueryValue {
  if (expression.trim() === "") throw new InvalidArgumentError("--query must not be empty (is a shell variable unset?).");
  let ast: ReturnType<typeof compile>;
  try {
    ast = compile(expression, { enable_legacy_literals: true });
  } catch (e) {
    if (KQL_START.test(expression)) return { kql: expression };
    throw new InvalidArgumentError(
      `not a valid JMESPath expression: ${(e as Error).message}. Example: --query "[].{name: name, type: type}". ` +
        'To select VMs with a Resource Graph query, pass it to --graph-query (e.g. --graph-query "resources | where resourceGroup =~ \'web\'").',
    );
  }
  return { expression, search: (value) => TreeInterpreter.search(ast, value as JSONValue) };
}
