/** Public types of the emulator's virtual machine scale sets. */
import type { ArmIdentityInput, ArmVmIdentity, OsType } from "./types.js";

/** How a scale set manages its instances. */
export type OrchestrationMode = "Uniform" | "Flexible";

/** `properties.upgradePolicy.mode`: whether model changes reach existing instances by themselves. */
export type UpgradePolicyMode = "Manual" | "Automatic" | "Rolling";

/** Options of {@link FakeArmScaleSets.addVmss}. */
export interface AddVmssOptions {
  /** The resource group to put the scale set in (no `/`); it need not be created first. */
  resourceGroup: string;
  /** The scale set's name (no `/`); no scale set of that name may exist in the resource group. */
  name: string;
  /** The scale set's region, e.g. `westeurope`, kept as given. */
  location: string;
  /** The OS of the model's disk, shown as `virtualMachineProfile.storageProfile.osDisk.osType`. */
  osType: OsType;
  /** Default `Uniform`. */
  orchestrationMode?: OrchestrationMode;
  /** Default `Manual`. */
  upgradePolicy?: UpgradePolicyMode;
  /** Instances created with it (Flexible: VMs in the VM routes). Default 2. */
  capacity?: number;
  /**
   * Identity in ARM's request shape; user-assigned identities it names are
   * created if missing. A Flexible scale set refuses a system identity.
   */
  identity?: ArmIdentityInput;
  /** One of the emulator's subscriptions. Default `arm.subscriptionId`. */
  subscriptionId?: string;
  /** The scale set's tags; its JSON has no `tags` when omitted. */
  tags?: Record<string, string>;
  /** Extra scale-set properties, merged over the defaults. */
  properties?: Record<string, unknown>;
}

/** An extension as it appears in `properties.virtualMachineProfile.extensionProfile.extensions`. */
export interface ArmVmssExtensionProfileEntry {
  /** The extension's name, as written. */
  name: string;
  /** The properties written, with the extension's `provisioningState`. */
  properties: { publisher: string; type: string; typeHandlerVersion: string; provisioningState: string; [key: string]: unknown };
}

/** A scale-set extension as its own GET returns it (no `location`). */
export interface ArmVmssExtension extends ArmVmssExtensionProfileEntry {
  /** `{scale set id}/extensions/{name}`. */
  id: string;
  /** The resource type. */
  type: "Microsoft.Compute/virtualMachineScaleSets/extensions";
}

/** A scale set as ARM returns it (only the parts the emulator models are typed). */
export interface ArmVirtualMachineScaleSet {
  /** `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}`, in the casing the scale set was created with. */
  id: string;
  /** The scale set's name, in the casing it was created with. */
  name: string;
  /** The resource type. */
  type: "Microsoft.Compute/virtualMachineScaleSets";
  /** The scale set's region, as it was created. */
  location: string;
  /** Quoted counter, e.g. `"\"3\""`; equals the `ETag` header. */
  etag: string;
  /** The scale set's tags; absent unless set. */
  tags?: Record<string, string>;
  /** Absent when the scale set has no identity. */
  identity?: ArmVmIdentity;
  /** The VM size (`name`, default `Standard_B2s`), its `tier` and `capacity`, the number of instances. */
  sku: { name: string; tier: string; capacity: number };
  /** Orchestration mode, upgrade policy, `uniqueId`, provisioning state and the instances' model (`virtualMachineProfile`). */
  properties: {
    orchestrationMode: OrchestrationMode;
    upgradePolicy: { mode: UpgradePolicyMode; [key: string]: unknown };
    uniqueId: string;
    provisioningState: string;
    virtualMachineProfile: {
      storageProfile: { osDisk: { osType: OsType; [key: string]: unknown }; [key: string]: unknown };
      /** Present when the model has extensions. */
      extensionProfile?: { extensions: ArmVmssExtensionProfileEntry[] };
      [key: string]: unknown;
    };
    [key: string]: unknown;
  };
}

/**
 * An instance as `GET .../virtualMachineScaleSets/{name}/virtualMachines`
 * lists it. For a Flexible scale set `id` is the instance VM's own id and
 * `instanceId` its name.
 */
export interface ArmVmssInstance {
  /** Uniform: `{scale set id}/virtualMachines/{instanceId}`; Flexible: the instance VM's own id. */
  id: string;
  /** Uniform: `{scale set name}_{instanceId}`; Flexible: the VM's name. */
  name: string;
  /** The resource type, a VM's for both orchestration modes. */
  type: "Microsoft.Compute/virtualMachines";
  /** Uniform: a number as a string (`"0"`, `"1"`, ...), never reused; Flexible: the VM's name. */
  instanceId: string;
  /** The scale set's region (Flexible: the VM's). */
  location: string;
  /** Uniform: the scale set's identity, which its instances share. */
  identity?: ArmVmIdentity;
  /** `latestModelApplied`, `vmId`, `provisioningState` and the OS disk's `osType` (Flexible: every property of the VM). */
  properties: {
    /** Whether the instance runs the scale set's current model (extensions included). */
    latestModelApplied: boolean;
    vmId: string;
    provisioningState: string;
    [key: string]: unknown;
  };
  /** Uniform: the extensions the instance runs (those of the model it last applied). */
  resources?: Array<{ id: string; name: string; type: string; location: string; properties: Record<string, unknown> }>;
}

/** The scale sets of a running emulator, part of {@link FakeArm}. */
export interface FakeArmScaleSets {
  /**
   * Adds a scale set in a completed state (etag `"1"`, `Succeeded`, every
   * instance on the latest model) and returns its id.
   * @throws if it exists, or the identity is invalid (same rules as a PUT).
   */
  addVmss(options: AddVmssOptions): string;
  /** The scale set (in `subscriptionId`, default `arm.subscriptionId`) as a GET would return it, or undefined when absent. */
  getVmss(resourceGroup: string, name: string, subscriptionId?: string): ArmVirtualMachineScaleSet | undefined;
  /** Its instances as the instance list would return them, or undefined when the scale set is absent. */
  getVmssInstances(resourceGroup: string, name: string, subscriptionId?: string): ArmVmssInstance[] | undefined;
}
