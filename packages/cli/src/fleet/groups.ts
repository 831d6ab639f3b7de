import type { Command } from "commander";
import type { VmIdentityClient, VmSelection } from "azure-vm-identity";
import { UsageError } from "../errors.js";
import type { CliSelection, VmRef, VmTargets } from "../options/targets.js";
import type { CliRuntime, ResolvedVmRef } from "../runtime.js";

/** What the VMs of a run must share to be given one change: nothing, their subscription, or their subscription and resource group. */
export type SharedScope = "none" | "subscription" | "resourceGroup";

/** VMs a command gives one library fleet. */
export interface FleetGroup {
  client: VmIdentityClient;
  /** What `client.vms()` is given: ids as the command line gave them, or a selection the library lists. */
  targets: string[] | VmSelection;
  /** For ids: the position of each in the command line's order. */
  at: number[];
  /** Where every VM of the group is, as far as the change needs to know (bare identity names resolve there). */
  scope: { subscriptionId: string; resourceGroup?: string };
  /** Groups of one lane run one after another (two fleets at once in one subscription would each pace to its whole budget). */
  lane: string;
  /** For a message about the group, e.g. `subscription 0000...`. */
  label: string;
}

/** The input of a run on several VMs: ids named on the command line, or a selection. */
export type FleetInput = { kind: "list"; vms: readonly VmRef[]; source?: string } | { kind: "select"; selection: CliSelection };

/** The input of a run on several VMs, from targets that are not one VM. */
export function fleetInputOf(targets: Exclude<VmTargets, { mode: "one" }>): FleetInput {
  return targets.mode === "many"
    ? { kind: "list", vms: targets.vms, ...(targets.source ? { source: targets.source } : {}) }
    : { kind: "select", selection: targets.selection };
}

/** The resource id of a VM as the command line gave it (or as it is built from -g/-n). */
export function idOf(vm: ResolvedVmRef): string {
  return vm.id ?? `/subscriptions/${vm.subscriptionId}/resourceGroups/${vm.resourceGroup}/providers/Microsoft.Compute/virtualMachines/${vm.name}`;
}

/** Items grouped by key, in the order each key first appears. */
function groupBy<T>(items: readonly T[], keyOf: (item: T, index: number) => string): { key: string; items: T[]; at: number[] }[] {
  const groups = new Map<string, { key: string; items: T[]; at: number[] }>();
  items.forEach((item, i) => {
    const key = keyOf(item, i);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { key, items: [], at: [] }));
    group.items.push(item);
    group.at.push(i);
  });
  return [...groups.values()];
}

/** Ids grouped the way {@link planGroups} runs them. */
async function listGroups(rt: CliRuntime, command: Command, refs: readonly VmRef[], shared: SharedScope): Promise<FleetGroup[]> {
  const vms = await Promise.all(refs.map((vm) => rt.resolve(command, vm)));
  const keys = await Promise.all(
    vms.map(async (vm) => {
      const sub = vm.subscriptionId.toLowerCase();
      if (shared === "resourceGroup") return { key: `${sub}/${vm.resourceGroup.toLowerCase()}`, lane: sub };
      if (shared === "subscription") return { key: sub, lane: sub };
      const connection = await rt.connectionKey(command, vm.subscriptionId);
      return { key: connection, lane: connection };
    }),
  );
  return Promise.all(
    groupBy(vms, (_vm, i) => keys[i]!.key).map(async (group) => {
      const first = group.items[0]!;
      return {
        client: await rt.client(command, first.subscriptionId),
        targets: group.items.map(idOf),
        at: group.at,
        scope: { subscriptionId: first.subscriptionId, ...(shared === "resourceGroup" ? { resourceGroup: first.resourceGroup } : {}) },
        lane: keys[group.at[0]!]!.lane,
        label: shared === "resourceGroup" ? `resource group ${first.resourceGroup}` : `subscription ${first.subscriptionId}`,
      };
    }),
  );
}

/** A selection's groups: one per connection, or one per subscription when the change depends on it. */
async function selectionGroups(rt: CliRuntime, command: Command, selection: CliSelection, shared: SharedScope): Promise<FleetGroup[]> {
  if (selection.kind === "group") {
    const subscriptionId = await rt.defaultSubscription(command);
    const { resourceGroup, tags, location } = selection;
    return [
      {
        client: await rt.client(command, subscriptionId),
        targets: { resourceGroup, subscriptionId, ...(tags ? { tags } : {}), ...(location !== undefined ? { location } : {}) },
        at: [],
        scope: { subscriptionId, resourceGroup },
        lane: subscriptionId.toLowerCase(),
        label: `resource group ${resourceGroup}`,
      },
    ];
  }
  if (shared === "resourceGroup") {
    throw new UsageError(
      `Identity names resolve in each VM's resource group, which ${selection.kind === "query" ? "a Resource Graph query" : "--subscriptions, --tag and --location"} ` +
        "leave open: name the identities by resource id, or say where they are with --identity-resource-group <group>.",
    );
  }
  const subscriptions = await rt.subscriptionsOf(command, selection.subscriptions);
  const keys = await Promise.all(subscriptions.map((s) => (shared === "subscription" ? s.toLowerCase() : rt.connectionKey(command, s))));
  return Promise.all(
    groupBy(subscriptions, (_s, i) => keys[i]!).map(async (group) => {
      const subscriptionId = group.items[0]!;
      const targets: VmSelection =
        selection.kind === "query"
          ? { query: selection.query, subscriptions: group.items }
          : {
              subscriptions: group.items,
              ...(selection.tags ? { tags: selection.tags } : {}),
              ...(selection.location !== undefined ? { location: selection.location } : {}),
            };
      return {
        client: await rt.client(command, subscriptionId),
        targets,
        at: [],
        scope: { subscriptionId },
        lane: group.key,
        label: `subscription${group.items.length > 1 ? "s" : ""} ${group.items.join(", ")}`,
      };
    }),
  );
}

/**
 * The library fleets a run on several VMs is made of. VMs that can share a
 * client share one fleet, which runs each subscription at its own budgets,
 * concurrently; a change that depends on where a VM is (bare identity names)
 * gets one fleet per subscription, or per resource group.
 */
export async function planGroups(rt: CliRuntime, command: Command, input: FleetInput, shared: SharedScope): Promise<FleetGroup[]> {
  return input.kind === "list" ? listGroups(rt, command, input.vms, shared) : selectionGroups(rt, command, input.selection, shared);
}

/** What a selection is, for messages, e.g. `resource group web (tag env=prod)`. */
export function describeInput(input: FleetInput): string {
  if (input.kind === "list") return input.source ? `${input.source} holds no VM id` : "no VM was given";
  const s = input.selection;
  const filters = (tags?: Record<string, string>, location?: string): string => {
    const parts = [...Object.entries(tags ?? {}).map(([k, v]) => `tag ${k}=${v}`), ...(location !== undefined ? [`location ${location}`] : [])];
    return parts.length > 0 ? ` with ${parts.join(" and ")}` : "";
  };
  if (s.kind === "group") return `no VM in resource group ${s.resourceGroup}${filters(s.tags, s.location)}`;
  if (s.kind === "subscriptions") {
    const where = s.subscriptions ? `subscription${s.subscriptions.length > 1 ? "s" : ""} ${s.subscriptions.join(", ")}` : "the subscription";
    return `no VM in ${where}${filters(s.tags, s.location)}`;
  }
  return "the Resource Graph query returned no VM";
}
