/** An HTTP request to Azure Resource Manager, exactly as it will be sent (minus authentication). */
export interface RawArmRequest {
  /** The HTTP method. */
  method: "GET" | "PUT" | "PATCH" | "DELETE" | "POST";
  /** Absolute, with `api-version`. */
  url: string;
  /** Request headers; never `Authorization`. */
  headers: Record<string, string>;
  /** The JSON body, when there is one. */
  body?: unknown;
}

/** Build a request; a JSON body gets `Content-Type: application/json`. */
export function armRequest(
  method: RawArmRequest["method"],
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): RawArmRequest {
  const all: Record<string, string> = { accept: "application/json", ...headers };
  if (body !== undefined) all["content-type"] = "application/json";
  return body === undefined ? { method, url, headers: all } : { method, url, headers: all, body };
}

/** A URL without its query string: short enough for messages and logs. */
export function withoutQuery(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

const WRITE_METHODS = new Set(["PUT", "PATCH", "DELETE", "POST"]);

/** Whether a method may change something in ARM (every method but GET and HEAD): what ARM's write and delete budgets count. */
export function isWriteMethod(method: string): boolean {
  return WRITE_METHODS.has(method.toUpperCase());
}
