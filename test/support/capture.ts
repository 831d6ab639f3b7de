import type nock from "nock";

/** A request as nock saw it. */
export interface CapturedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Record every request that reaches `scope`'s interceptors, in order. */
export function capture(scope: nock.Scope): CapturedRequest[] {
  const seen: CapturedRequest[] = [];
  scope.on("request", (req: { method: string; path: string; headers: Record<string, string | string[]> }, _i: unknown, body: string) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : String(v);
    seen.push({ method: req.method, path: req.path, headers, body: body ? JSON.parse(body) : undefined });
  });
  return seen;
}
