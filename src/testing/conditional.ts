/** HTTP conditional headers on VM writes (ARM honours them since Compute 2023-09-01). */
import { ArmError } from "./errors.js";

function matches(header: string, etag: string): boolean {
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t === etag;
  });
}

/**
 * Checks `If-Match` and `If-None-Match` against the resource's current ETag
 * (undefined when it does not exist). `*` matches any existing resource.
 *
 * @throws ArmError 412 `PreconditionFailed` when a condition does not hold.
 */
export function checkPreconditions(headers: Readonly<Record<string, string>>, etag: string | undefined): void {
  const ifMatch = headers["if-match"];
  const ifNoneMatch = headers["if-none-match"];
  const failed =
    (ifMatch !== undefined && (etag === undefined || !matches(ifMatch, etag))) ||
    (ifNoneMatch !== undefined && etag !== undefined && matches(ifNoneMatch, etag));
  if (failed) {
    throw new ArmError(
      412,
      "PreconditionFailed",
      `The condition specified using HTTP conditional header(s) is not met: the resource's current ETag is ${
        etag ?? "none (it does not exist)"
      }.`,
    );
  }
}
