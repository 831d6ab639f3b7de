/**
 * What the library reads from a virtual machine scale set's JSON: its
 * orchestration mode, its upgrade policy and its instances, and the one
 * identity rule scale sets add to a VM's (a Flexible scale set takes
 * user-assigned identities only).
 */
import { InvalidInputError } from "./errors.js";
import { type VmIdentity, hasSystemAssigned } from "./identity.js";
import { asRecord } from "./record.js";

/** How a scale set manages its instances: Uniform (instances share its model and identity) or Flexible (instances are ordinary VMs). */
export type OrchestrationMode = "Uniform" | "Flexible";

/** `properties.upgradePolicy.mode`: whether a model change (an extension added or removed) reaches existing instances by itself. */
export type UpgradePolicyMode = "Manual" | "Automatic" | "Rolling";

/** The orchestration modes, keyed by their lower-cased spelling. */
export const ORCHESTRATION_MODES: Readonly<Record<string, OrchestrationMode>> = Object.freeze({ uniform: "Uniform", flexible: "Flexible" });
/** The upgrade policy modes, keyed by their lower-cased spelling. */
export const UPGRADE_POLICY_MODES: Readonly<Record<string, UpgradePolicyMode>> = Object.freeze({ manual: "Manual", automatic: "Automatic", rolling: "Rolling" });

const properties = (body: unknown): Record<string, unknown> | undefined => asRecord(asRecord(body)?.["properties"]);

/** `properties.orchestrationMode` of a scale set, in its canonical spelling; undefined when absent or unknown. */
export function orchestrationModeOf(body: unknown): OrchestrationMode | undefined {
  const mode = properties(body)?.["orchestrationMode"];
  return typeof mode === "string" ? ORCHESTRATION_MODES[mode.toLowerCase()] : undefined;
}

/**
 * `properties.upgradePolicy.mode` of a scale set, read in any casing (the
 * Azure CLI sends `manual`). ARM's default, when the scale set shows none,
 * is Manual.
 */
export function upgradePolicyOf(body: unknown): UpgradePolicyMode {
  const mode = asRecord(properties(body)?.["upgradePolicy"])?.["mode"];
  return (typeof mode === "string" ? UPGRADE_POLICY_MODES[mode.toLowerCase()] : undefined) ?? "Manual";
}

/** One instance of a scale set, as its instance list shows it. */
export interface VmssInstance {
  /** The instance's id within the scale set (Uniform: `"0"`, `"1"`, ...; Flexible: the instance VM's name). */
  instanceId: string;
  /** Its resource id: a Uniform instance's `.../virtualMachines/<instanceId>` below the scale set; a Flexible instance's own VM id. */
  id: string;
  /** Its name, as the instance list shows it (Uniform: `<scale set>_<instanceId>`). */
  name?: string;
  /** Whether it runs the scale set's current model (its extensions included). */
  latestModelApplied: boolean;
}

/** An entry of a scale set's instance list; undefined when it names no instance. */
export function vmssInstanceOf(entry: unknown): VmssInstance | undefined {
  const record = asRecord(entry);
  const instanceId = record?.["instanceId"];
  if (typeof instanceId !== "string" || instanceId === "") return undefined;
  const instance: VmssInstance = {
    instanceId,
    id: typeof record!["id"] === "string" ? record!["id"] : "",
    // Only an explicit `true` counts: an instance whose state is not reported is not known to be current.
    latestModelApplied: properties(record)?.["latestModelApplied"] === true,
  };
  if (typeof record!["name"] === "string") instance.name = record!["name"];
  return instance;
}

/**
 * Refuse an identity a scale set cannot take, before any write: a Flexible
 * scale set takes user-assigned identities only (its instances are VMs, each
 * of which can have a system identity of its own).
 */
export function checkScaleSetIdentity(body: unknown, desired: VmIdentity, label: string): void {
  if (orchestrationModeOf(body) === "Flexible" && hasSystemAssigned(desired.type)) {
    throw new InvalidInputError(
      "SystemIdentityNotSupported",
      `The ${label} uses Flexible orchestration, which takes user-assigned identities only; a system-assigned identity (${desired.type}) cannot be set on it. ` +
        "Its instances are ordinary VMs: list them (listInstances()) and enable the system identity on each with client.vm(instance.id).",
      desired.type,
    );
  }
}
