/**
 * A response as the handlers produce it. Header names may use any casing; the
 * pipeline lower-cases them before writing so that later values win.
 */
export interface ArmResponse {
  status: number;
  headers?: Record<string, string> | undefined;
  /** JSON-serialised unless it is a string (sent as is); absent means no body. */
  body?: unknown;
}

/** What the pipeline decided to do with a request. */
export type Outcome =
  | { kind: "respond"; response: ArmResponse }
  /** Destroy the socket with a TCP reset. */
  | { kind: "reset" }
  /** Never answer; the socket is closed when the emulator closes. */
  | { kind: "hang" };

/** A 200 (or `status`) JSON response. */
export function json(body: unknown, status = 200, headers?: Record<string, string>): ArmResponse {
  return { status, headers, body };
}

/** A response without a body. */
export function empty(status: number, headers?: Record<string, string>): ArmResponse {
  return { status, headers };
}
