/** Query parameters that carry no secret: everything else (e.g. the signature of an operation's status URL) is redacted. */
const SAFE_QUERY = new Set(["api-version", "$filter", "$top", "$expand", "$select", "$skiptoken", "monitor"]);

/** `url` with the value of every query parameter that may be a secret replaced by `REDACTED`. */
export function safeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\?.*$/, "?REDACTED");
  }
  const query = [...parsed.searchParams.entries()]
    .map(([name, value]) => `${name}=${SAFE_QUERY.has(name.toLowerCase()) ? value : "REDACTED"}`)
    .join("&");
  return `${parsed.origin}${parsed.pathname}${query ? `?${query}` : ""}`;
}
