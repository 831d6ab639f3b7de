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
