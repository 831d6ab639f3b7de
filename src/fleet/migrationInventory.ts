/**
 * The inventory of a migration off the MSI extension: the VMs and scale sets
 * a selection names, each as read. From list pages (a resource group's or a
 * subscription's VMs and scale sets) no resource costs a read of its own:
 * VM entries list their extensions in `resources`, scale-set entries in
 * their model. Resources named by id, or by a Resource Graph row (rows lag
 * and show no extensions), are read one by one, a few at a time, in order.
 */
import { computeListUrl, vmssUrl, vmUrl } from "../core/armRequests.js";
import { InvalidInputError, describeValue } from "../core/errors.js";
import { type ComputeResourceKind, type ComputeResourceRef, computeResourceId, parseComputeResourceId } from "../core/resourceId.js";
import { armRequest } from "../core/request.js";
import { type ResourceSnapshot, snapshotOf } from "../core/snapshot.js";
import type { Operation } from "../http/operation.js";
import { listEntries } from "../operations/listPages.js";
import { type VmSelection, checkSelection, interleave, matches, resourceGraphIds } from "./selection.js";

/** A VM or scale set named by its resource id (or that of one of its extensions), or a VM by `{ resourceGroup, name }` in the client's subscription. */
export type MigrationTarget = string | { resourceGroup: string; name: string };

/** What a migration takes: what `client.vms()` takes, scale sets included. */
export type MigrationSelection = readonly MigrationTarget[] | AsyncIterable<MigrationTarget> | VmSelection;

/** One resource of the inventory, as read; or why it could not be. */
export interface Candidate {
  /** The id as given, or as its list page or row showed it. */
  resourceId: string;
  ref?: ComputeResourceRef;
  /** The resource as read (a list page, or its own GET). */
  snapshot?: ResourceSnapshot;
  error?: Error;
}

/** What the inventory is made from, resolved by the facade: checked ids (or a stream of them), or a checked list selection. */
export type MigrationSource =
  | { kind: "ids"; targets: (fleet: Operation) => AsyncIterable<{ resourceId: string; ref?: ComputeResourceRef; error?: Error }> }
  | { kind: "selection"; selection: VmSelection };

/** How many resources named by id are read at once. */
const READ_AHEAD = 8;

/** The URL of a VM or scale set. */
function urlOf(op: Operation, ref: ComputeResourceRef): string {
  return ref.kind === "virtualMachine" ? vmUrl(op.target, ref) : vmssUrl(op.target, ref);
}

/** Read one resource: its candidate, with the error when the read fails (a fleet reports it; it never rejects). */
async function readCandidate(op: Operation, resourceId: string, ref: ComputeResourceRef): Promise<Candidate> {
  try {
    const response = await op.send(armRequest("GET", urlOf(op, ref)));
    return { resourceId, ref, snapshot: snapshotOf(response.body, response.headers["etag"]) };
  } catch (e) {
    return { resourceId, ref, error: e as Error };
  }
}

/** Read up to `window` resources at once, yielding them in the order given. */
async function* readAhead(
  op: Operation,
  targets: AsyncIterable<{ resourceId: string; ref?: ComputeResourceRef; error?: Error }>,
  keep: (resourceId: string) => boolean,
): AsyncGenerator<Candidate> {
  const pending: Promise<Candidate>[] = [];
  for await (const target of targets) {
    if (!keep(target.resourceId)) continue;
    const { resourceId, ref, error } = target;
    pending.push(ref ? readCandidate(op, resourceId, ref) : Promise.resolve({ resourceId, ...(error ? { error } : {}) }));
    if (pending.length >= READ_AHEAD) yield await pending.shift()!;
  }
  while (pending.length > 0) yield await pending.shift()!;
}

/** The VMs or scale sets of one list, filtered by tags and location. */
async function* listed(
  op: Operation,
  kind: ComputeResourceKind,
  scope: { subscriptionId: string; resourceGroup?: string },
  tags: Record<string, string> | undefined,
  location: string | undefined,
): AsyncGenerator<Candidate> {
  const collection = kind === "virtualMachine" ? "virtualMachines" : "virtualMachineScaleSets";
  for await (const body of listEntries(op, computeListUrl(op.target, collection, scope))) {
    if (typeof body["id"] !== "string" || !matches(body, tags, location)) continue;
    let ref: ComputeResourceRef;
    try {
      ref = parseComputeResourceId(body["id"]);
    } catch {
      continue; // not a VM or scale set id: nothing to migrate
    }
    if (ref.kind === kind) yield { resourceId: body["id"], ref, snapshot: snapshotOf(body) };
  }
}

/** Both lists of one scope: its VMs, then its scale sets. */
async function* scopeLists(op: Operation, scope: { subscriptionId: string; resourceGroup?: string }, tags?: Record<string, string>, location?: string) {
  yield* listed(op, "virtualMachine", scope, tags, location);
  yield* listed(op, "virtualMachineScaleSet", scope, tags, location);
}

/** A Resource Graph query's rows as targets: VMs, scale sets, and the owners of extension rows; other rows are passed over. */
async function* queryTargets(op: Operation, query: string, subscriptions: readonly string[]) {
  // A VM's row and its extensions' rows name the same resource: it is read once.
  const seen = new Set<string>();
  for await (const id of resourceGraphIds(op, query, subscriptions)) {
    let ref: ComputeResourceRef;
    try {
      ref = parseComputeResourceId(id);
    } catch {
      continue;
    }
    const resourceId = computeResourceId(ref);
    if (seen.has(resourceId.toLowerCase())) continue;
    seen.add(resourceId.toLowerCase());
    yield { resourceId, ref };
  }
}

/**
 * Every candidate of the inventory, streamed as lists and reads answer.
 * `keep` says which resources to look at (a shard's); resources outside it
 * cost no read.
 */
export function inventory(op: Operation, source: MigrationSource, keep: (resourceId: string) => boolean): AsyncGenerator<Candidate> {
  if (source.kind === "ids") return readAhead(op, source.targets(op), keep);
  const selection = source.selection;
  if ("query" in selection) return readAhead(op, queryTargets(op, selection.query, selection.subscriptions ?? [op.target.subscriptionId]), keep);
  const filter = async function* (candidates: AsyncGenerator<Candidate>): AsyncGenerator<Candidate> {
    for await (const candidate of candidates) if (keep(candidate.resourceId)) yield candidate;
  };
  if ("resourceGroup" in selection) {
    return filter(scopeLists(op, { subscriptionId: selection.subscriptionId ?? op.target.subscriptionId, resourceGroup: selection.resourceGroup }, selection.tags, selection.location));
  }
  const subscriptions = selection.subscriptions ?? [op.target.subscriptionId];
  return filter(interleave(subscriptions.map((subscriptionId) => scopeLists(op, { subscriptionId }, selection.tags, selection.location))));
}

/** The id a result carries: a VM's or scale set's as given; for an extension's id or `{ resourceGroup, name }`, the resource's own. */
function idOf(target: MigrationTarget, ref: ComputeResourceRef): string {
  return typeof target === "string" && target.split("/").length === 9 ? target : computeResourceId(ref);
}

/**
 * Resolve and check a selection before any request: listed ids at once (one
 * bad entry throws), a stream's as they come (a bad one fails on its own), a
 * list selection by `checkSelection`.
 */
export function migrationSource(selection: MigrationSelection, defaultSubscription: string, resolve: (target: unknown) => ComputeResourceRef): MigrationSource {
  if (Array.isArray(selection)) {
    const targets = (selection as readonly MigrationTarget[]).map((target) => {
      const ref = resolve(target);
      return { resourceId: idOf(target, ref), ref };
    });
    return {
      kind: "ids",
      targets: () => ({
        async *[Symbol.asyncIterator]() {
          yield* targets;
        },
      }),
    };
  }
  if (selection !== null && typeof selection === "object" && typeof (selection as AsyncIterable<MigrationTarget>)[Symbol.asyncIterator] === "function") {
    const source = selection as AsyncIterable<MigrationTarget>;
    return {
      kind: "ids",
      targets: () => ({
        async *[Symbol.asyncIterator]() {
          for await (const target of source) {
            const resourceId = typeof target === "string" ? target : describeValue(target);
            try {
              const ref = resolve(target);
              yield { resourceId: idOf(target, ref), ref };
            } catch (e) {
              yield { resourceId, error: e as Error };
            }
          }
        },
      }),
    };
  }
  if (selection !== null && typeof selection === "object") {
    return { kind: "selection", selection: checkSelection(selection as VmSelection, defaultSubscription) };
  }
  throw new InvalidInputError(
    "InvalidOption",
    `Invalid selection ${describeValue(selection)}: expected an array (or an AsyncIterable) of VM or scale set resource ids, { resourceGroup }, { subscriptions, tags, location } or { query }.`,
    selection,
  );
}
