/** Public types of the emulator's virtual machine scale sets. */
import type { ArmIdentityInput, ArmVmIdentity, OsType } from "./types.js";

/** How a scale set manages its instances. */
export type OrchestrationMode = "Uniform" | "Flexible";

/** `properties.upgradePolicy.mode`: whether model changes reach existing instances by themselves. */
export type UpgradePolicyMode = "Manual" | "Automatic" | "Rolling";

/** Options of {@link FakeArmScaleSets.addVmss}. */
export interface AddVmssOptions {
  resourceGroup: string;
  name: string;
  location: string;
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
  tags?: Record<string, string>;
  /** Extra scale-set properties, merged over the defaults. */
  properties?: Record<string, unknown>;
}

/** An extension as it appears in `properties.virtualMachineProfile.extensionProfile.extensions`. */
export interface ArmVmssExtensionProfileEntry {
  name: string;
  properties: { publisher: string; type: string; typeHandlerVersion: string; provisioningState: string; [key: string]: unknown };
}

/** A scale-set extension as its own GET returns it (no `location`). */
export interface ArmVmssExtension extends ArmVmssExtensionProfileEntry {
  id: string;
  type: "Microsoft.Compute/virtualMachineScaleSets/extensions";
}

/** A scale set as ARM returns it (only the parts the emulator models are typed). */
export interface ArmVirtualMachineScaleSet {
  id: string;
  name: string;
  type: "Microsoft.Compute/virtualMachineScaleSets";
  location: string;
  /** Quoted counter, e.g. `"\"3\""`; equals the `ETag` header. */
  etag: string;
  tags?: Record<string, string>;
  /** Absent when the scale set has no identity. */
  identity?: ArmVmIdentity;
  sku: { name: string; tier: string; capacity: number };
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
  id: string;
  name: string;
  type: "Microsoft.Compute/virtualMachines";
  instanceId: string;
  location: string;
  /** Uniform: the scale set's identity, which its instances share. */
  identity?: ArmVmIdentity;
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
