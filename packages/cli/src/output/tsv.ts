/**
 * `-o tsv`, laid out as the Azure CLI lays it out, so that shell scripts
 * written for `az ... -o tsv` read it the same way:
 *
 * - an array gives one line per element; anything else is one line;
 * - a line of an object holds its values separated by tabs: in key order for
 *   objects the command returned (as the Azure CLI sorts its results), in the
 *   query's order for objects a `--query` built (`{name: name, id: id}`);
 * - a line of an array holds its elements separated by tabs;
 * - inside a line, a nested array prints its length, a nested object nothing,
 *   `null` prints `None` and booleans `True`/`False`; a line that is only a
 *   boolean prints `true`/`false`.
 */

/** Whether an object came from the command's own result (sorted keys) rather than from a query. */
export type IsResultObject = (value: object) => boolean;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value inside a line. */
function cellOf(value: unknown): string {
  if (Array.isArray(value)) return String(value.length);
  if (isPlainObject(value)) return "";
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  return String(value);
}

/** One line for one element. */
function lineOf(value: unknown, isResultObject: IsResultObject): string {
  if (Array.isArray(value)) return value.map(cellOf).join("\t");
  if (isPlainObject(value)) {
    const keys = isResultObject(value) ? Object.keys(value).sort() : Object.keys(value);
    return keys.map((k) => cellOf(value[k])).join("\t");
  }
  if (typeof value === "boolean") return String(value);
  return cellOf(value);
}

/** The TSV text of a result (after `--query`); nothing for `null`. */
export function formatTsv(value: unknown, isResultObject: IsResultObject = () => true): string {
  if (value === null || value === undefined) return "";
  const rows = Array.isArray(value) ? value : [value];
  return rows.map((row) => lineOf(row, isResultObject) + "\n").join("");
}
