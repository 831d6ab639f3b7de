import { safeUrl } from "./safeUrl.js";
import type { PipelinePolicy } from "./types.js";

/** Options of {@link requestLogPolicy}. */
export interface RequestLogOptions {
  /** Where each entry goes (whole lines, ending in a newline). */
  write(text: string): void;
  /** Also the headers of every request and response, and response bodies. */
  debug: boolean;
  /** The clock; `performance.now` by default. */
  now?: () => number;
}

const WRITES = new Set(["PUT", "PATCH", "POST", "DELETE"]);
const SECRET_HEADERS = new Set(["authorization", "cookie", "set-cookie", "x-ms-authorization-auxiliary"]);

/** A JSON text pretty-printed and indented, or the text itself when it is not JSON. */
function indented(text: string, prefix: string): string {
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // not JSON: as is
  }
  return pretty
    .split("\n")
    .map((line) => prefix + line)
    .join("\n") + "\n";
}

function headerLines(headers: Iterable<[string, string]>, mark: string): string {
  let out = "";
  for (const [name, value] of headers) out += `  ${mark} ${name}: ${SECRET_HEADERS.has(name.toLowerCase()) ? "REDACTED" : value}\n`;
  return out;
}

/**
 * A policy that logs every attempt of every request in one line: method, URL
 * (query values that may be secrets redacted), status, duration and
 * `x-ms-request-id`; below it the body of each write. With `debug`, also the
 * request and response headers (Authorization redacted) and response bodies.
 * Added per retry, so that every attempt shows.
 */
export function requestLogPolicy(options: RequestLogOptions): PipelinePolicy {
  const now = options.now ?? (() => performance.now());
  return {
    name: "vmIdentityCliRequestLog",
    async sendRequest(request, next) {
      const started = now();
      const head = `${request.method} ${safeUrl(request.url)}`;
      const body = typeof request.body === "string" && WRITES.has(request.method) ? request.body : undefined;
      try {
        const response = await next(request);
        const ms = Math.round(now() - started);
        const requestId = response.headers.get("x-ms-request-id");
        let text = `${head} -> ${response.status} in ${ms} ms${requestId ? ` (x-ms-request-id: ${requestId})` : ""}\n`;
        if (options.debug) text += headerLines(request.headers, ">");
        if (body !== undefined) text += indented(body, "  ");
        if (options.debug) {
          text += headerLines(response.headers, "<");
          if (response.bodyAsText) text += indented(response.bodyAsText, "  < ");
        }
        options.write(text);
        return response;
      } catch (e) {
        const ms = Math.round(now() - started);
        let text = `${head} -> no response after ${ms} ms: ${(e as Error).message}\n`;
        if (options.debug) text += headerLines(request.headers, ">");
        if (body !== undefined) text += indented(body, "  ");
        options.write(text);
        throw e;
      }
    },
  };
}
