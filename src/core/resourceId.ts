import { InvalidInputError, describeValue } from "./errors.js";
import {
  validateExtensionName,
  validateIdentityName,
  validateResourceGroupName,
  validateScaleSetName,
  validateSubscriptionId,
  validateVmName,
} from "./validation.js";

/** The parts of a resource id below a resource group. */
export interface ResourceGroupScoped {
  /** The subscription id, a GUID. */
  subscriptionId: string;
  /** The resource group's name. */
  resourceGroup: string;
  /** The resource's own name: the last segment of its id. */
  name: string;
}

const VM_PROVIDER = "Microsoft.Compute/virtualMachines";
const VMSS_PROVIDER = "Microsoft.Compute/virtualMachineScaleSets";
const UAI_PROVIDER = "Microsoft.ManagedIdentity/userAssignedIdentities";

/** The canonical id of a virtual machine. Parts must already be valid. */
export function vmResourceId({ subscriptionId, resourceGroup, name }: ResourceGroupScoped): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${VM_PROVIDER}/${name}`;
}

/** The canonical id of a virtual machine scale set. Parts must already be valid. */
export function vmssResourceId({ subscriptionId, resourceGroup, name }: ResourceGroupScoped): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${VMSS_PROVIDER}/${name}`;
}

/** The canonical id of a user-assigned identity. Parts must already be valid. */
export function userAssignedIdentityResourceId({ subscriptionId, resourceGroup, name }: ResourceGroupScoped): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${UAI_PROVIDER}/${name}`;
}

/**
 * The URL path of a resource id, each segment percent-encoded so that no name
 * can add a segment, a query or a fragment to it.
 */
export function encodeResourcePath(segments: readonly string[]): string {
  return "/" + segments.map((s) => encodeURIComponent(s)).join("/");
}

function parseGroupScopedId(
  value: unknown,
  provider: string,
  validateName: (name: unknown) => string,
  code: "InvalidResourceId" | "InvalidUserAssignedIdentityId",
  what: string,
): ResourceGroupScoped {
  const fail = (why: string): never => {
    throw new InvalidInputError(
      code,
      `Invalid ${what} id ${describeValue(value)}: ${why}; expected /subscriptions/<GUID>/resourceGroups/<group>/providers/${provider}/<name>.`,
      value,
    );
  };
  if (typeof value !== "string") return fail("not a string");
  const parts = value.split("/");
  const [lead, subs, sub, rgs, rg, providers, namespace, type, name, ...rest] = parts;
  const [providerNamespace, providerType] = provider.split("/") as [string, string];
  if (
    lead !== "" ||
    rest.length > 0 ||
    subs?.toLowerCase() !== "subscriptions" ||
    rgs?.toLowerCase() !== "resourcegroups" ||
    providers?.toLowerCase() !== "providers" ||
    namespace?.toLowerCase() !== providerNamespace.toLowerCase() ||
    type?.toLowerCase() !== providerType.toLowerCase()
  ) {
    return fail("it does not have that form");
  }
  try {
    return {
      subscriptionId: validateSubscriptionId(sub),
      resourceGroup: validateResourceGroupName(rg),
      name: validateName(name),
    };
  } catch (e) {
    return fail((e as Error).message.replace(/\.$/, ""));
  }
}

/** Parse and validate the full resource id of a virtual machine. */
export function parseVmResourceId(value: unknown): ResourceGroupScoped {
  return parseGroupScopedId(value, VM_PROVIDER, validateVmName, "InvalidResourceId", "virtual machine");
}

/** Parse and validate the full resource id of a virtual machine scale set. */
export function parseVmssResourceId(value: unknown): ResourceGroupScoped {
  return parseGroupScopedId(value, VMSS_PROVIDER, validateScaleSetName, "InvalidResourceId", "virtual machine scale set");
}

/** The two kinds of Compute resource that carry identities and extensions. */
export type ComputeResourceKind = "virtualMachine" | "virtualMachineScaleSet";

/** A VM or scale set named by its resource id. */
export interface ComputeResourceRef extends ResourceGroupScoped {
  /** Which of the two it is. */
  kind: ComputeResourceKind;
}

/**
 * Parse the id of a VM or a scale set, or of one of their extensions (which
 * names the VM or scale set it belongs to). Throws `InvalidResourceId` for
 * anything else, naming both forms.
 */
export function parseComputeResourceId(value: unknown): ComputeResourceRef {
  const parts = typeof value === "string" ? value.split("/") : [];
  const type = parts[7]?.toLowerCase();
  // An extension's id: the VM's or scale set's, then /extensions/<name>.
  const owner = parts.length === 11 && parts[9]?.toLowerCase() === "extensions" ? parts.slice(0, 9).join("/") : value;
  if (type === "virtualmachines") return { kind: "virtualMachine", ...parseVmResourceId(owner) };
  if (type === "virtualmachinescalesets") return { kind: "virtualMachineScaleSet", ...parseVmssResourceId(owner) };
  throw new InvalidInputError(
    "InvalidResourceId",
    `Invalid resource id ${describeValue(value)}: expected a virtual machine or scale set, /subscriptions/<GUID>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name> or .../Microsoft.Compute/virtualMachineScaleSets/<name>.`,
    value,
  );
}

/** The canonical id of a VM or scale set. */
export function computeResourceId(ref: ComputeResourceRef): string {
  return ref.kind === "virtualMachine" ? vmResourceId(ref) : vmssResourceId(ref);
}

/**
 * Parse and validate the full id of a user-assigned identity
 * (`Microsoft.ManagedIdentity/userAssignedIdentities`).
 */
export function parseUserAssignedIdentityId(value: unknown): ResourceGroupScoped {
  return parseGroupScopedId(
    value,
    UAI_PROVIDER,
    validateIdentityName,
    "InvalidUserAssignedIdentityId",
    "user-assigned identity",
  );
}

/** Validate a user-assigned identity id and return it as given (ARM keeps the caller's casing). */
export function validateUserAssignedIdentityId(value: unknown): string {
  parseUserAssignedIdentityId(value);
  return value as string;
}

/** Path segments of a VM, for {@link encodeResourcePath}. */
export function vmPathSegments(vm: ResourceGroupScoped): string[] {
  return ["subscriptions", vm.subscriptionId, "resourceGroups", vm.resourceGroup, "providers", "Microsoft.Compute", "virtualMachines", vm.name];
}

/** Path segments of a VM extension. */
export function extensionPathSegments(vm: ResourceGroupScoped, extensionName: string): string[] {
  return [...vmPathSegments(vm), "extensions", validateExtensionName(extensionName)];
}

/** Path segments of a scale set. */
export function vmssPathSegments(vmss: ResourceGroupScoped): string[] {
  return ["subscriptions", vmss.subscriptionId, "resourceGroups", vmss.resourceGroup, "providers", "Microsoft.Compute", "virtualMachineScaleSets", vmss.name];
}

/** Path segments of a user-assigned identity. */
export function userAssignedIdentityPathSegments(uai: ResourceGroupScoped): string[] {
  return ["subscriptions", uai.subscriptionId, "resourceGroups", uai.resourceGroup, "providers", "Microsoft.ManagedIdentity", "userAssignedIdentities", uai.name];
}
