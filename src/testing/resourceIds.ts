/**
 * ARM resource ids and path templates. ARM ids are case-insensitive, so every
 * comparison here lower-cases; the casing a resource was created with is kept
 * for display.
 */

/** Path parameters captured by {@link matchTemplate}. */
export type RouteParams = Record<string, string>;

/** A path template split into segments; `{name}` segments capture. */
export type Template = readonly string[];

/** Splits a template such as `subscriptions/{sub}/resourceGroups/{rg}`. */
export function template(path: string): Template {
  return path.split("/").filter((s) => s !== "");
}

/**
 * Matches decoded path segments against a template, literal segments
 * case-insensitively. Returns the captures, or undefined when it does not match.
 */
export function matchTemplate(segments: readonly string[], tpl: Template): RouteParams | undefined {
  if (segments.length !== tpl.length) return undefined;
  const params: RouteParams = {};
  for (let i = 0; i < tpl.length; i++) {
    const part = tpl[i] as string;
    const segment = segments[i] as string;
    if (part.startsWith("{") && part.endsWith("}")) params[part.slice(1, -1)] = segment;
    else if (part.toLowerCase() !== segment.toLowerCase()) return undefined;
  }
  return params;
}

/**
 * Splits a URL path into percent-decoded segments, ignoring empty ones.
 * Returns undefined when a segment is not valid percent-encoding.
 */
export function decodePath(pathname: string): string[] | undefined {
  try {
    return pathname.split("/").filter((s) => s !== "").map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** `{resourceGroup}/{name}` lower-cased: the store's key for a resource in one subscription. */
export function resourceKey(resourceGroup: string, name: string): string {
  return `${resourceGroup}/${name}`.toLowerCase();
}

/** The id of a VM, with `/resourceGroups/` as Compute writes it. */
export function vmResourceId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${name}`;
}

/** The id of a user-assigned identity, with `/resourcegroups/` as the identity service writes it. */
export function uaiResourceId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
}

const UAI_ID =
  /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.managedidentity\/userassignedidentities\/([^/]+)$/i;

/** The parts of a user-assigned identity id, or undefined when `id` is not one. */
export function parseUaiResourceId(
  id: string,
): { subscriptionId: string; resourceGroup: string; name: string } | undefined {
  const m = UAI_ID.exec(id);
  if (!m) return undefined;
  return { subscriptionId: m[1] as string, resourceGroup: m[2] as string, name: m[3] as string };
}

/** `"West Europe"` and `"westeurope"` name the same region. */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, "").toLowerCase();
}

/**
 * The named captures of a matched route, typed. A missing one is a bug in
 * the route table, not a client error.
 */
export function captures<K extends string>(params: RouteParams, ...names: K[]): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const name of names) {
    const value = params[name];
    if (value === undefined) throw new Error(`Route does not capture '${name}'.`);
    out[name] = value;
  }
  return out;
}
