/** One page of a list answer: `{ value, nextLink? }`, continued with `$skipToken`. */
import { ArmError } from "./errors.js";

/** The query parameter a `nextLink` carries: the index of the page's first entry. */
export const SKIP_TOKEN = "$skipToken";

/**
 * The page of `items` that `url` asks for (from its `$skipToken`, else the
 * first), with an absolute `nextLink` (the same URL, the next token) unless it is the last.
 *
 * @throws ArmError 400 `InvalidSkipToken` for a token this emulator did not issue.
 */
export function pageOf<T>(items: readonly T[], url: URL, pageSize: number): { value: T[]; nextLink?: string } {
  const token = url.searchParams.get(SKIP_TOKEN);
  const start = token === null ? 0 : Number(token);
  if (!Number.isInteger(start) || start < 0 || (token !== null && !/^\d+$/.test(token))) {
    throw new ArmError(400, "InvalidSkipToken", `The skip token '${token}' is not valid: use the nextLink of the previous page.`);
  }
  const end = start + pageSize;
  const page: { value: T[]; nextLink?: string } = { value: items.slice(start, end) };
  if (end < items.length) {
    const next = new URL(url.href);
    next.searchParams.set(SKIP_TOKEN, String(end));
    page.nextLink = next.href;
  }
  return page;
}
