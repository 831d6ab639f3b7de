import { InvalidInputError } from "./errors.js";
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
