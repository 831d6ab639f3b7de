import { newRestError } from "../http/lazyDependencies.js";
import { asRecord } from "../core/record.js";
import { armRequest, withoutQuery } from "../core/request.js";
import type { Operation } from "../http/operation.js";

/**
 * The entries of an ARM list (`{ value: [...], nextLink? }`), page by page
 * as they are consumed. A `nextLink` is followed only on the origin requests
 * go to (the token goes with it), as status URLs are.
 */
export async function* listEntries(op: Operation, firstPageUrl: string): AsyncGenerator<Record<string, unknown>> {
  const origin = new URL(op.target.endpoint).origin;
  for (let next: string | undefined = firstPageUrl; next; ) {
    const url: URL = new URL(next, origin);
    if (url.origin !== origin) {
      throw newRestError(`Refusing to follow the nextLink ${withoutQuery(next)}: it is not on ${origin}, where the list was sent.`, { code: "UntrustedNextLink" });
    }
    const page: Record<string, unknown> = asRecord((await op.send(armRequest("GET", url.href))).body) ?? {};
    for (const entry of Array.isArray(page["value"]) ? page["value"] : []) {
      const record = asRecord(entry);
      if (record) yield record;
    }
    next = typeof page["nextLink"] === "string" && page["nextLink"] ? page["nextLink"] : undefined;
  }
}
