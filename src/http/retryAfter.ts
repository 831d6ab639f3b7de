/**
 * How long a response asks the client to wait, in ms: `retry-after-ms` or
 * `x-ms-retry-after-ms` (milliseconds), else `Retry-After` (seconds or an HTTP
 * date). Undefined when it does not say.
 */
export function retryAfterInMs(header: (name: string) => string | undefined): number | undefined {
  const ms = Number(header("retry-after-ms") ?? header("x-ms-retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = header("retry-after");
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
