/**
 * Which of Azure's budgets a request spends: ARM's front door bucket for its
 * method (per subscription), and the Compute policies that requests of its
 * class have been seen to report (per subscription, and per resource).
 */

/** ARM's front-door bucket of a request, per subscription and caller. */
export type ArmBucket = "reads" | "writes" | "deletes";

/** A request as the budgets see it. */
export interface RequestClass {
  /** The subscription it is charged to, lower-cased; undefined above every subscription (Resource Graph). */
  subscription?: string;
  /** ARM's bucket; undefined for requests ARM does not charge to a subscription. */
  arm?: ArmBucket;
  /** Requests of the same class report the same Compute policies, e.g. `PATCH vm`, `GET operation`. */
  key: string;
  /** The resource a per-resource policy counts for (a VM, a scale set, an operation), lower-cased. */
  resource?: string;
}

/** ARM's bucket for a method: GET and HEAD read, DELETE deletes, the rest write. */
export function armBucketOf(method: string): ArmBucket {
  const m = method.toUpperCase();
  if (m === "GET" || m === "HEAD") return "reads";
  return m === "DELETE" ? "deletes" : "writes";
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Classify a request by its method and URL. */
export function classify(method: string, url: string): RequestClass {
  const parts = new URL(url).pathname.split("/").filter(Boolean).map(decode);
  const lower = parts.map((p) => p.toLowerCase());
  const m = method.toUpperCase();
  if (lower[0] !== "subscriptions" || parts.length < 2) return { key: `${m} ${lower.slice(-1)[0] ?? ""}` };
  const subscription = lower[1]!;
  const base = { subscription, arm: armBucketOf(m) };
  const compute = lower.indexOf("microsoft.compute");
  if (compute < 0) {
    const provider = lower.includes("microsoft.authorization") ? "authorization" : lower.includes("microsoft.managedidentity") ? "identity" : "other";
    return { ...base, key: `${m} ${provider}` };
  }
  const rest = lower.slice(compute + 1);
  const [collection, name, child, childName] = rest;
  const resourcePath = (depth: number) => "/" + lower.slice(0, compute + 1 + depth).join("/");
  if (collection === "locations" && (child === "operations" || child === "operationresults")) {
    return { ...base, key: `${m} operation`, resource: resourcePath(4) };
  }
  const kind = collection === "virtualmachinescalesets" ? "vmss" : collection === "virtualmachines" ? "vm" : collection ?? "compute";
  if (name === undefined) return { ...base, key: `${m} ${kind}-list` };
  const resource = resourcePath(2);
  if (child === undefined) return { ...base, key: `${m} ${kind}`, resource };
  if (child === "extensions") return { ...base, key: `${m} ${kind}-extension${childName === undefined ? "-list" : ""}`, resource };
  return { ...base, key: `${m} ${kind}-${child}`, resource };
}

/** One Compute policy's count, from `x-ms-ratelimit-remaining-resource`. */
export interface ComputeRemaining {
  /** E.g. `UpdateVMSubscriptionMaximum`. */
  policy: string;
  remaining: number;
  /** Whether it counts per resource (`...Resource`) rather than per subscription. */
  perResource: boolean;
}

/**
 * Parse `x-ms-ratelimit-remaining-resource`, e.g.
 * `Microsoft.Compute/UpdateVMSubscriptionMaximum;1498,Microsoft.Compute/UpdateVMResource;10`.
 * Unknown shapes are skipped, never guessed at.
 */
export function parseComputeRemaining(header: string | undefined): ComputeRemaining[] {
  if (!header) return [];
  const out: ComputeRemaining[] = [];
  for (const item of header.split(",")) {
    const match = /^\s*(?:[\w.]+\/)?([\w.-]+);(\d+)\s*$/.exec(item);
    if (!match) continue;
    const policy = match[1]!;
    out.push({ policy, remaining: Number(match[2]), perResource: /Resource$/i.test(policy) });
  }
  return out;
}
