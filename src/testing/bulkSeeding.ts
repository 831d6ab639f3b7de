/** `addVms`: seeding large fleets in one call, the template checked once. */
import type { EmulatorState } from "./context.js";
import { newVmRecord } from "./records.js";
import { resourceKey } from "./resourceIds.js";
import { assertName, DEFAULT_VM_PROPERTIES, type createSeeding } from "./seeding.js";
import type { VmRecord } from "./store.js";
import type { AddVmsTemplate } from "./types.js";

/**
 * Adds `count` VMs named `<namePrefix><index>` (index zero-padded) made from
 * `template`, all or none, and returns their ids in order. `onAdded` sees each
 * VM as it is added (the directory takes its system principal).
 *
 * @throws RangeError for a bad count; TypeError for a bad template; Error when a name is taken.
 */
export function addVms(
  state: EmulatorState,
  seeding: ReturnType<typeof createSeeding>,
  count: number,
  template: AddVmsTemplate,
  onAdded?: (vm: VmRecord) => void,
): string[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`addVms: count must be an integer >= 0, got ${JSON.stringify(count)}.`);
  if (typeof template !== "object" || template === null) throw new TypeError("addVms: the template must be an object.");
  const prefix = template.namePrefix ?? "vm-";
  if (typeof prefix !== "string" || prefix.includes("/")) {
    throw new TypeError(`addVms: namePrefix must be a string without '/', got ${JSON.stringify(prefix)}.`);
  }
  const groupOf = typeof template.resourceGroup === "function" ? template.resourceGroup : () => template.resourceGroup as string;
  const width = String(Math.max(0, count - 1)).length;
  const { store } = state;

  const nameOf = (i: number) => prefix + String(i).padStart(width, "0");

  // Every name is checked before anything is added. Names differ by index, so
  // the new VMs cannot collide with each other, only with existing ones.
  const checkedGroups = new Set<string>();
  const groups: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const resourceGroup = groupOf(i);
    if (!checkedGroups.has(resourceGroup)) {
      assertName(resourceGroup, `addVms: resourceGroup of VM ${i}`);
      checkedGroups.add(resourceGroup);
    }
    groups[i] = resourceGroup;
    if (store.vms.size > 0 && store.vms.has(resourceKey(resourceGroup, nameOf(i)))) {
      throw new Error(`addVms: the virtual machine '${nameOf(i)}' already exists in resource group '${resourceGroup}'.`);
    }
  }

  const identityFor = seeding.prepareVm(template);
  // Shared by the VMs: writes replace a VM's properties, never change them in place.
  const properties = { ...DEFAULT_VM_PROPERTIES, ...structuredClone(template.properties) };
  const ids: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const resourceGroup = groups[i] as string;
    const name = nameOf(i);
    const vm = newVmRecord({
      subscriptionId: state.subscriptionId,
      resourceGroup,
      name,
      location: template.location,
      osType: template.osType,
      tags: template.tags && { ...template.tags },
      properties,
      identity: identityFor(),
    });
    store.vms.set(resourceKey(resourceGroup, name), vm);
    onAdded?.(vm);
    ids[i] = vm.id;
  }
  return ids;
}
