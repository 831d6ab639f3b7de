/**
 * ARM scopes (a subscription, a resource group or a resource id) as role
 * assignments and denials use them. Compared case-insensitively, segment by segment.
 */

/** The scope's path segments, without empty ones: `/subscriptions/s/` is `["subscriptions", "s"]`. */
export function scopeSegments(scope: string): string[] {
  return scope.split("/").filter((s) => s !== "");
}

/** `/` joined segments with a leading slash and no trailing one; `/` for none. */
export function scopeOf(segments: readonly string[]): string {
  return `/${segments.join("/")}`;
}

/** The lower-cased, slash-normalised form two equal scopes share. */
export function scopeKey(scope: string): string {
  return scopeOf(scopeSegments(scope)).toLowerCase();
}

/** Whether `inner` is `outer` or lies below it. */
export function isWithinScope(inner: string, outer: string): boolean {
  const a = scopeSegments(inner.toLowerCase());
  const b = scopeSegments(outer.toLowerCase());
  return b.length <= a.length && b.every((segment, i) => segment === a[i]);
}

/**
 * Whether the segments name a subscription, a resource group or a resource
 * in one: `subscriptions/{s}[/resourceGroups/{rg}[/providers/{ns}/{type}/{name}[/{type}/{name}]...]]`.
 */
export function isResourceScope(segments: readonly string[]): boolean {
  const [sub, , rg, , providers, , ...rest] = segments.map((s) => s.toLowerCase());
  if (sub !== "subscriptions" || segments.length < 2) return false;
  if (segments.length === 2) return true;
  if (rg !== "resourcegroups" || segments.length < 4) return false;
  if (segments.length === 4) return true;
  return providers === "providers" && segments.length >= 8 && rest.length % 2 === 0;
}

/** The subscription a scope lies in, or undefined for one above every subscription. */
export function subscriptionOfScope(segments: readonly string[]): string | undefined {
  return segments[0]?.toLowerCase() === "subscriptions" ? segments[1] : undefined;
}
