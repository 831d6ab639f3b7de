import { InvalidInputError } from "./errors.js";
import { asRecord } from "./record.js";
import { type OsType, validateExtensionName, validateLocation, validateOsType, validatePort } from "./validation.js";

/** The default port of the MSI extension's token endpoint. */
export const DEFAULT_MSI_PORT = 50342;

/** The publisher of the MSI extension. */
export const MSI_EXTENSION_PUBLISHER = "Microsoft.ManagedIdentity";

/** The MSI extension's types, one per OS. */
export type MsiExtensionType = "ManagedIdentityExtensionForWindows" | "ManagedIdentityExtensionForLinux";

/** The extension type for an OS; also the default extension name, as the CLI and PowerShell use it. */
export function msiExtensionType(os: OsType): MsiExtensionType {
  return os === "Windows" ? "ManagedIdentityExtensionForWindows" : "ManagedIdentityExtensionForLinux";
}

/** Whether an extension (its `properties.type` or name) is the MSI extension. */
export function isMsiExtensionType(type: unknown): type is MsiExtensionType {
  return typeof type === "string" && /^ManagedIdentityExtensionFor(Windows|Linux)$/i.test(type);
}

/** The body that installs the MSI extension: on a VM with its `location`; on a scale set without one. */
export interface MsiExtensionBody {
  location?: string;
  properties: {
    publisher: string;
    type: MsiExtensionType;
    typeHandlerVersion: string;
    autoUpgradeMinorVersion: boolean;
    settings: { port: number };
  };
}

/** The PUT body that installs the MSI extension; `location` for a VM's, none for a scale set's. */
export function msiExtensionBody(os: OsType, port: number, location?: string): MsiExtensionBody {
  const properties = {
    publisher: MSI_EXTENSION_PUBLISHER,
    type: msiExtensionType(os),
    typeHandlerVersion: "1.0",
    autoUpgradeMinorVersion: true,
    settings: { port },
  };
  return location === undefined ? { properties } : { location, properties };
}

/**
 * Check MSI extension options (`os`, `port`, `name`, `location`) without
 * sending anything; throws `InvalidInputError` naming the bad value.
 */
export function validateMsiExtensionOptions(options: unknown): void {
  if (options === null || typeof options !== "object") {
    throw new InvalidInputError("InvalidOption", "Invalid msiExtension options: expected an object.", options);
  }
  const o = options as { os?: unknown; port?: unknown; location?: unknown; name?: unknown };
  if (o.os !== undefined) validateOsType(o.os);
  if (o.port !== undefined) validatePort(o.port);
  if (o.location !== undefined) validateLocation(o.location);
  if (o.name !== undefined) validateExtensionName(o.name);
}

/** An MSI extension a VM or scale set lists. */
export interface ListedMsiExtension {
  /** The extension's name (usually its type). */
  name: string;
  /** Its type, in the canonical spelling (the listing may use another casing). */
  type: MsiExtensionType;
  /** `settings.port`, when the listing shows it. */
  port?: number;
}

/**
 * The extensions a host's JSON lists: a VM's `resources` (a GET and a list
 * page show them), or a scale set model's
 * `properties.virtualMachineProfile.extensionProfile.extensions`. Undefined
 * when the JSON lists no extensions at all (it may not say: read it another way).
 */
export function extensionsListedIn(body: unknown): Record<string, unknown>[] | undefined {
  const resource = asRecord(body);
  const vmResources = resource?.["resources"];
  if (Array.isArray(vmResources)) return vmResources.map((e) => asRecord(e) ?? {});
  const profile = asRecord(asRecord(asRecord(resource?.["properties"])?.["virtualMachineProfile"])?.["extensionProfile"]);
  const model = profile?.["extensions"];
  if (Array.isArray(model)) return model.map((e) => asRecord(e) ?? {});
  // A scale set whose model has no extensions shows no extensionProfile: it lists none.
  if (asRecord(asRecord(resource?.["properties"])?.["virtualMachineProfile"])) return [];
  return undefined;
}

/** The name of a listed extension: its `name`, else the last segment of its `id`. */
function listedName(extension: Record<string, unknown>): string | undefined {
  if (typeof extension["name"] === "string" && extension["name"] !== "") return extension["name"].split("/").at(-1);
  return typeof extension["id"] === "string" ? extension["id"].split("/").at(-1) : undefined;
}

/** The MSI extensions among those a host's JSON lists (by their type, else their name); `[]` when it lists none. */
export function msiExtensionsIn(body: unknown): ListedMsiExtension[] {
  const found: ListedMsiExtension[] = [];
  for (const extension of extensionsListedIn(body) ?? []) {
    const name = listedName(extension);
    const properties = asRecord(extension["properties"]);
    const type = properties?.["type"] ?? name;
    if (name === undefined || !isMsiExtensionType(type)) continue;
    const canonical = type.toLowerCase().endsWith("windows") ? "ManagedIdentityExtensionForWindows" : "ManagedIdentityExtensionForLinux";
    const port = asRecord(properties?.["settings"])?.["port"];
    found.push({ name, type: canonical, ...(typeof port === "number" ? { port } : {}) });
  }
  return found;
}
