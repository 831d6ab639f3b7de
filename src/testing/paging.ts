/**
 * Paging of list answers: a page is a slice of an ordered index, and the next
 * page is named by an absolute `nextLink` carrying an opaque `$skiptoken`.
 */
import type { RouteRequest } from "./context.js";
import { invalidParameter } from "./errors.js";

const SKIP_TOKEN = "$skiptoken";

/** An opaque token for the position `offset`. */
export function encodeOffset(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64url");
}

/** The position a token names. @throws ArmError 400 `InvalidParameter` for a token not made here. */
export function decodeOffset(token: string, parameter: string): number {
  const match = /^offset:(\d{1,15})$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!match) throw invalidParameter(`The value '${token}' of parameter ${parameter} is not a valid skip token.`, parameter);
  return Number(match[1]);
}

/** One page of a list answer. */
export interface Page<T> {
  items: T[];
  /** Absolute URL of the next page; absent on the last. */
  nextLink?: string;
}

/**
 * The page of `items` the request asks for (`$skiptoken`, default the first),
 * `pageSize` entries long. The items are a live index: a page costs its own
 * length, whatever the size of the whole.
 */
export function pageOf<T>(items: readonly T[], req: RouteRequest, pageSize: number): Page<T> {
  const token = req.url.searchParams.get(SKIP_TOKEN);
  const offset = token === null ? 0 : decodeOffset(token, SKIP_TOKEN);
  const end = offset + pageSize;
  const page: Page<T> = { items: items.slice(offset, end) };
  if (end < items.length) {
    const next = new URL(req.url.href);
    next.searchParams.set(SKIP_TOKEN, encodeOffset(end));
    page.nextLink = next.href;
  }
  return page;
}
