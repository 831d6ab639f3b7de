import type { FakeArmRequest } from "./types.js";

/**
 * The most recent requests received, oldest first: a window of at most
 * `limit` entries, so that a long run holds bounded memory.
 */
export interface RequestLog {
  /** A live array: entries are appended, and the oldest dropped past the limit. */
  readonly entries: readonly FakeArmRequest[];
  /** Appends a request; the returned entry is completed as it is answered. */
  record(entry: Omit<FakeArmRequest, "status" | "faulted">): FakeArmRequest;
  clear(): void;
}

/**
 * A request's headers as the log keeps them: a credential (`authorization`,
 * `x-ms-authorization-auxiliary`) keeps its scheme, so that a test can see a
 * bearer token was sent, but not its value, so that no token reaches a test's
 * output or a printed log.
 */
export function loggedHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const logged = { ...headers };
  for (const name of ["authorization", "x-ms-authorization-auxiliary"]) {
    const value = logged[name];
    if (value !== undefined) logged[name] = value.split(",").map((part) => part.trim().replace(/^(\S+\s+)?\S.*$/, "$1REDACTED")).join(", ");
  }
  return logged;
}

/** Creates an empty request log that keeps at most `limit` entries (`Infinity` for all, 0 for none). */
export function createRequestLog(limit: number): RequestLog {
  const entries: FakeArmRequest[] = [];

  return {
    entries,
    record(entry) {
      const full: FakeArmRequest = { ...entry, status: undefined, faulted: false };
      if (limit === 0) return full;
      entries.push(full);
      // V8 trims the front of a large array in place: this stays O(1) per request.
      if (entries.length > limit) entries.shift();
      return full;
    },
    clear() {
      // Emptied in place: `arm.requests` hands out this very array.
      entries.length = 0;
    },
  };
}
