/**
 * Paging of list answers: a page is a slice of an ordered index, and the next
 * page is named by an absolute `nextLink` carrying an opaque skip token.
 */
import type { RouteRequest } from "./context.js";
import { ArmError, invalidParameter } from "./errors.js";

/**
 * How a provider names its continuation: Compute and managed identity send
 * `$skiptoken` and refuse a bad one as 400 `InvalidParameter`; Authorization
 * (role assignments) sends `$skipToken` and answers 400 `InvalidSkipToken`.
 */
export interface SkipTokenStyle {
  parameter: string;
  /** @throws ArmError for a token not made here. */
  invalid(token: string): ArmError;
}

function notAToken(token: string, parameter: string): ArmError {
  return invalidParameter(`The value '${token}' of parameter ${parameter} is not a valid skip token.`, parameter);
}

/** Compute's and managed identity's paging. */
export const COMPUTE_PAGING: SkipTokenStyle = {
  parameter: "$skiptoken",
  invalid: (token) => notAToken(token, "$skiptoken"),
};

/** Authorization's paging (role assignment lists). */
export const AUTHORIZATION_PAGING: SkipTokenStyle = {
  parameter: "$skipToken",
  invalid: (token) => new ArmError(400, "InvalidSkipToken", `The skip token '${token}' is not valid: use the nextLink of the previous page.`),
};

/** An opaque token for the position `offset`. */
export function encodeOffset(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64url");
}

/** The position a token names. @throws ArmError 400 `InvalidParameter` for a token not made here. */
export function decodeOffset(token: string, parameter: string): number {
  const offset = offsetOf(token);
  if (offset === undefined) throw notAToken(token, parameter);
  return offset;
}

function offsetOf(token: string): number | undefined {
  const match = /^offset:(\d{1,15})$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  return match ? Number(match[1]) : undefined;
}

/** One page of a list answer. */
export interface Page<T> {
  items: T[];
  /** Absolute URL of the next page; absent on the last. */
  nextLink?: string;
}

/**
 * The page of `items` the request asks for (by the provider's skip token,
 * default the first), `pageSize` entries long. The items are a live index: a
 * page costs its own length, whatever the size of the whole.
 */
export function pageOf<T>(items: readonly T[], req: RouteRequest, pageSize: number, style: SkipTokenStyle = COMPUTE_PAGING): Page<T> {
  const token = req.url.searchParams.get(style.parameter);
  const offset = token === null ? 0 : offsetOf(token);
  if (offset === undefined) throw style.invalid(token as string);
  const end = offset + pageSize;
  const page: Page<T> = { items: items.slice(offset, end) };
  if (end < items.length) {
    const next = new URL(req.url.href);
    next.searchParams.set(style.parameter, encodeOffset(end));
    page.nextLink = next.href;
  }
  return page;
}

/** A list answer, `{ value, nextLink? }`: the requested page of `items`, each rendered. */
export function listAnswer<T, U>(
  items: readonly T[],
  req: RouteRequest,
  pageSize: number,
  render: (item: T) => U,
  style: SkipTokenStyle = COMPUTE_PAGING,
): { value: U[]; nextLink?: string } {
  const page = pageOf(items, req, pageSize, style);
  return { value: page.items.map(render), ...(page.nextLink !== undefined && { nextLink: page.nextLink }) };
}
