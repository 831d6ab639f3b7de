/**
 * Selecting many VMs: by resource group, by subscription (with tags and a
 * location to filter on), or by an Azure Resource Graph query. List pages
 * carry each VM's identity and extensions, so a fleet plans from them
 * without a GET per VM; Resource Graph's rows lag and carry no etag, so a VM
 * selected by a query is read before it is written.
 */
import { InvalidInputError, describeValue } from "../core/errors.js";
import { asRecord } from "../core/record.js";
import { armRequest } from "../core/request.js";
import { type ResourceGroupScoped, parseVmResourceId } from "../core/resourceId.js";
import { type ResourceSnapshot, snapshotOf } from "../core/snapshot.js";
import { validateLocation, validateResourceGroupName, validateSubscriptionId } from "../core/validation.js";
import type { Operation } from "../http/operation.js";

/** What `client.vms(...)` takes besides ids: a resource group, subscriptions with filters, or a query. */
export type VmSelection =
  | {
      /** Every VM of this resource group (in `subscriptionId`, default the client's). */
      resourceGroup: string;
      subscriptionId?: string;
      tags?: Record<string, string>;
      location?: string;
    }
  | {
      /** Every VM of these subscriptions (default: the client's), filtered by tags and location. */
      subscriptions?: readonly string[];
      tags?: Record<string, string>;
      location?: string;
    }
  | {
      /** An Azure Resource Graph query whose rows hold each VM's `id`. */
      query: string;
      /** The subscriptions it runs over (default: the client's). */
      subscriptions?: readonly string[];
    };

/** A list a fleet's VMs came from: sweeping it again is how their outcomes are read in bulk. */
export interface ListScope {
  /** The first page's URL. */
  readonly url: string;
  readonly subscriptionId: string;
  /** Pages seen so far (all of them once `complete`). */
  pages: number;
  complete: boolean;
}

/** One VM a selection yields. */
export interface SelectedVm {
  resourceId: string;
  vm: ResourceGroupScoped;
  /** The VM as its list page showed it; absent for a Resource Graph row (it lags: read the VM first). */
  snapshot?: ResourceSnapshot;
  scope?: ListScope;
}

/** Resource Graph's api-version. */
export const RESOURCE_GRAPH_API_VERSION = "2024-04-01";

function checkTags(tags: unknown): Record<string, string> | undefined {
  if (tags === undefined) return undefined;
  const record = asRecord(tags);
  if (!record || !Object.values(record).every((v) => typeof v === "string")) {
    throw new InvalidInputError("InvalidOption", `Invalid tags ${describeValue(tags)}: expected an object of string values such as { env: "prod" }.`, tags);
  }
  return record as Record<string, string>;
}

/** Check a selection before any request; returns it with defaults filled in. */
export function checkSelection(selection: VmSelection, defaultSubscription: string): VmSelection {
  const s = selection as Record<string, unknown>;
  const subscriptions = (value: unknown): string[] => {
    if (value === undefined) return [defaultSubscription];
    if (!Array.isArray(value) || value.length === 0) {
      throw new InvalidInputError("InvalidOption", `Invalid subscriptions ${describeValue(value)}: expected a non-empty array of subscription ids.`, value);
    }
    return value.map((id) => validateSubscriptionId(id));
  };
  if ("query" in s) {
    if (typeof s["query"] !== "string" || s["query"].trim() === "") {
      throw new InvalidInputError("InvalidOption", `Invalid query ${describeValue(s["query"])}: expected a Resource Graph (KQL) query such as "resources | where type =~ 'microsoft.compute/virtualmachines'".`, s["query"]);
    }
    return { query: s["query"], subscriptions: subscriptions(s["subscriptions"]) };
  }
  const tags = checkTags(s["tags"]);
  const location = s["location"] === undefined ? undefined : validateLocation(s["location"]);
  const filters = { ...(tags ? { tags } : {}), ...(location ? { location } : {}) };
  if ("resourceGroup" in s) {
    return {
      resourceGroup: validateResourceGroupName(s["resourceGroup"]),
      subscriptionId: s["subscriptionId"] === undefined ? defaultSubscription : validateSubscriptionId(s["subscriptionId"]),
      ...filters,
    };
  }
  return { subscriptions: subscriptions(s["subscriptions"]), ...filters };
}

/** Whether a list entry has every tag given (names without case, values exactly) and is in `location` (without case or spaces). */
export function matches(body: Record<string, unknown>, tags: Record<string, string> | undefined, location: string | undefined): boolean {
  const norm = (l: unknown) => (typeof l === "string" ? l.replace(/\s+/g, "").toLowerCase() : "");
  if (location !== undefined && norm(body["location"]) !== norm(location)) return false;
  if (tags) {
    const held = asRecord(body["tags"]) ?? {};
    for (const [k, v] of Object.entries(tags)) {
      const key = Object.keys(held).find((h) => h.toLowerCase() === k.toLowerCase());
      if (key === undefined || held[key] !== v) return false;
    }
  }
  return true;
}

/** The VMs of one list (a resource group's or a subscription's), page by page. */
async function* listPages(op: Operation, scope: ListScope, tags?: Record<string, string>, location?: string): AsyncGenerator<SelectedVm> {
  for (let next: string | undefined = scope.url; next; ) {
    const page = await op.send(armRequest("GET", next));
    scope.pages++;
    const body = asRecord(page.body) ?? {};
    for (const entry of Array.isArray(body["value"]) ? body["value"] : []) {
      const vmBody = asRecord(entry);
      if (!vmBody || typeof vmBody["id"] !== "string" || !matches(vmBody, tags, location)) continue;
      let vm: ResourceGroupScoped;
      try {
        vm = parseVmResourceId(vmBody["id"]);
      } catch {
        continue; // not a VM id: nothing for a VM fleet to do
      }
      yield { resourceId: vmBody["id"], vm, snapshot: snapshotOf(vmBody), scope };
    }
    next = typeof body["nextLink"] === "string" && body["nextLink"] ? body["nextLink"] : undefined;
  }
  scope.complete = true;
}

/** Take from several generators in turn, so that each subscription's VMs start without waiting for another's. */
export async function* interleave<T>(sources: AsyncGenerator<T>[]): AsyncGenerator<T> {
  const live = [...sources];
  while (live.length > 0) {
    for (let i = 0; i < live.length; ) {
      const next = await live[i]!.next();
      if (next.done) live.splice(i, 1);
      else {
        yield next.value;
        i++;
      }
    }
  }
}

function vmListUrl(op: Operation, subscriptionId: string, resourceGroup?: string): string {
  const path = resourceGroup === undefined
    ? `/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.Compute/virtualMachines`
    : `/subscriptions/${encodeURIComponent(subscriptionId)}/resourceGroups/${encodeURIComponent(resourceGroup)}/providers/Microsoft.Compute/virtualMachines`;
  return `${op.target.endpoint}${path}?api-version=${encodeURIComponent(op.target.apiVersions.compute)}`;
}

/** The `id` of each of Resource Graph's rows, page by page (`$skipToken`); a row without one is refused, naming the query. */
export async function* resourceGraphIds(op: Operation, query: string, subscriptions: readonly string[]): AsyncGenerator<string> {
  const url = `${op.target.endpoint}/providers/Microsoft.ResourceGraph/resources?api-version=${RESOURCE_GRAPH_API_VERSION}`;
  let skipToken: string | undefined;
  do {
    const body = { subscriptions, query, options: { $top: 1000, ...(skipToken ? { $skipToken: skipToken } : {}) } };
    const page = asRecord((await op.send(armRequest("POST", url, body), { effects: false })).body) ?? {};
    for (const row of Array.isArray(page["data"]) ? page["data"] : []) {
      const id = asRecord(row)?.["id"];
      if (typeof id !== "string") {
        throw new InvalidInputError("InvalidOption", `The query's rows carry no id: project id (e.g. "| project id, name") so that each row names a VM. Query: ${describeValue(query)}.`, query);
      }
      yield id;
    }
    skipToken = typeof page["$skipToken"] === "string" && page["$skipToken"] ? page["$skipToken"] : undefined;
  } while (skipToken);
}

/** Resource Graph's rows that name VMs (others are passed over). */
async function* queryRows(op: Operation, query: string, subscriptions: readonly string[]): AsyncGenerator<SelectedVm> {
  for await (const id of resourceGraphIds(op, query, subscriptions)) {
    let vm: ResourceGroupScoped;
    try {
      vm = parseVmResourceId(id);
    } catch {
      continue; // a row that is not a VM
    }
    yield { resourceId: id, vm };
  }
}

/** The VMs a (checked) selection names, streamed as their pages arrive. */
export function selectVms(op: Operation, selection: VmSelection): AsyncGenerator<SelectedVm> {
  if ("query" in selection) return queryRows(op, selection.query, selection.subscriptions ?? [op.target.subscriptionId]);
  const scopeOf = (subscriptionId: string, resourceGroup?: string): ListScope => ({
    url: vmListUrl(op, subscriptionId, resourceGroup),
    subscriptionId,
    pages: 0,
    complete: false,
  });
  if ("resourceGroup" in selection) {
    return listPages(op, scopeOf(selection.subscriptionId ?? op.target.subscriptionId, selection.resourceGroup), selection.tags, selection.location);
  }
  const subscriptions = selection.subscriptions ?? [op.target.subscriptionId];
  return interleave(subscriptions.map((sub) => listPages(op, scopeOf(sub), selection.tags, selection.location)));
}
