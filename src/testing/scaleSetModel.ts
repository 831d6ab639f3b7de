/**
 * What a scale set's model means for its instances: an instance runs the
 * model (extensions included) it last applied; a model change reaches
 * existing instances through `manualupgrade` under a Manual policy and by
 * itself, when the write's operation ends, under Automatic or Rolling. An
 * identity change is no model change. Capacity makes and removes instances
 * (a Flexible scale set's are VMs of the store).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { EmulatorState } from "./context.js";
import { invalidParameter } from "./errors.js";
import { hasSystemAssigned } from "./identitySemantics.js";
import type { AsyncOperation, OperationOutcome } from "./operations.js";
import type { IdentityRule } from "./identityWrites.js";
import { newVmRecord } from "./records.js";
import { resourceKey } from "./resourceIds.js";
import type { ScaleSetInstance, VmssRecord } from "./scaleSetStore.js";
import type { OrchestrationMode } from "./scaleSetTypes.js";
import type { VmIdentityRecord } from "./store.js";
import { beginVmWrite } from "./vmWrites.js";

/**
 * The rule a Flexible scale set adds to the shared identity rules: user-assigned identities only.
 * ARM answers such a request 400 `InvalidParameter`, naming the allowed values.
 */
export function identityRuleFor(mode: OrchestrationMode): IdentityRule | undefined {
  if (mode !== "Flexible") return undefined;
  return (update) => {
    if (hasSystemAssigned(update.state.type)) {
      throw invalidParameter(
        `The value '${update.state.type}' of parameter 'identity' is not allowed. Allowed values are: UserAssigned, None. ` +
          "A scale set in Flexible orchestration mode takes user-assigned identities only; enable the system identity on its instance VMs instead.",
        "identity",
      );
    }
  };
}

/** Whether the instance runs the scale set's current model. */
export function isOnLatestModel(vmss: VmssRecord, instance: ScaleSetInstance): boolean {
  return instance.modelVersion === vmss.modelVersion;
}

/** Makes the instances (default all) run the current model. */
export function applyLatestModel(vmss: VmssRecord, instances: readonly ScaleSetInstance[] = vmss.instances): void {
  const extensions = [...vmss.extensions.values()].map((ext) => structuredClone({ ...ext, provisioningState: "Succeeded" }));
  for (const instance of instances) {
    instance.modelVersion = vmss.modelVersion;
    instance.extensions = structuredClone(extensions);
  }
}

/** What the end of a successful write does to the instances: Automatic and Rolling policies upgrade them all. */
export function afterSucceededWrite(vmss: VmssRecord): void {
  if (vmss.upgradeMode !== "Manual") applyLatestModel(vmss);
}

/** The identity a new Flexible instance VM gets from its scale set: the user-assigned identities. */
function instanceVmIdentity(identity: VmIdentityRecord): VmIdentityRecord {
  const user = identity.user.map((entry) => ({ ...entry }));
  return user.length > 0 ? { type: "UserAssigned", user } : { type: "None", user: [] };
}

/** Adds or removes instances (the newest first) until there are `capacity`; new ones run the current model. */
export function scaleTo(state: EmulatorState, vmss: VmssRecord, capacity: number): void {
  while (vmss.instances.length > capacity) {
    const removed = vmss.instances.pop() as ScaleSetInstance;
    if (vmss.orchestrationMode === "Flexible") {
      const key = resourceKey(vmss.resourceGroup, removed.instanceId);
      const vm = state.store.vms.get(key);
      state.store.vms.delete(key);
      if (vm) state.access.directory.sync(vm.id, [], state.clock.now());
    }
  }
  const added: ScaleSetInstance[] = [];
  while (vmss.instances.length + added.length < capacity) {
    let instanceId: string;
    let vmId: string = randomUUID();
    if (vmss.orchestrationMode === "Flexible") {
      instanceId = `${vmss.name}_${randomBytes(4).toString("hex")}`;
      const vm = newVmRecord({
        subscriptionId: state.subscriptionId,
        resourceGroup: vmss.resourceGroup,
        name: instanceId,
        location: vmss.location,
        osType: vmss.osType,
        properties: { hardwareProfile: { vmSize: vmss.sku.name }, virtualMachineScaleSet: { id: vmss.id } },
        identity: instanceVmIdentity(vmss.identity),
      });
      state.store.vms.set(resourceKey(vmss.resourceGroup, instanceId), vm);
      vmId = vm.vmId;
    } else {
      instanceId = String(vmss.nextInstanceId);
      vmss.nextInstanceId += 1;
    }
    added.push({ instanceId, vmId, modelVersion: vmss.modelVersion, extensions: [] });
  }
  applyLatestModel(vmss, added);
  vmss.instances.push(...added);
}

/**
 * Starts the operation of a scale-set write whose state change has been
 * applied, as `beginVmWrite` does for a VM (failures, roll-backs and the 409
 * for a second write alike), but for `scaleSetOperationDurationMs`. When it
 * succeeds, Automatic and Rolling policies bring the instances up to date.
 */
export function beginScaleSetWrite(
  state: EmulatorState,
  vmss: VmssRecord,
  write: {
    provisioningState: "Creating" | "Updating";
    pendingUserIds?: readonly string[] | undefined;
    onFinish?: (outcome: OperationOutcome) => void;
    rollBack?: () => void;
    failWith?: { code: string; message: string } | undefined;
  },
): AsyncOperation {
  return beginVmWrite(state, vmss, {
    ...write,
    durationMs: state.config.scaleSetOperationDurationMs,
    onFinish(outcome) {
      write.onFinish?.(outcome);
      if (outcome.status === "Succeeded") afterSucceededWrite(vmss);
    },
  });
}

/**
 * Captures what a write can change about the model and the scale set, and
 * returns the function that puts it back (a failed operation rolled back).
 * Capacity comes back as a count: instances removed by the write are made anew.
 */
export function snapshotOfVmss(state: EmulatorState, vmss: VmssRecord): () => void {
  const { tags, sku, identity, properties, profile, upgradeMode, upgradePolicy, extensions, modelVersion } = vmss;
  const saved = { tags, sku, identity, properties, profile, upgradeMode, upgradePolicy, extensions: new Map(extensions), modelVersion };
  return () => {
    Object.assign(vmss, saved);
    scaleTo(state, vmss, vmss.sku.capacity);
  };
}

/** What decides whether a write changed the model: the profile and the extensions, not the identity. */
export function modelFingerprint(vmss: Pick<VmssRecord, "profile" | "extensions">): string {
  return JSON.stringify([vmss.profile, [...vmss.extensions.values()].map(({ name, properties }) => [name.toLowerCase(), properties])]);
}
