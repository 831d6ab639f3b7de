import type { OsType } from "./validation.js";

/** The default port of the MSI extension's token endpoint. */
export const DEFAULT_MSI_PORT = 50342;

/** The publisher of the MSI extension. */
export const MSI_EXTENSION_PUBLISHER = "Microsoft.ManagedIdentity";

/** The extension type for an OS; also the default extension name, as the CLI and PowerShell use it. */
export function msiExtensionType(os: OsType): "ManagedIdentityExtensionForWindows" | "ManagedIdentityExtensionForLinux" {
  return os === "Windows" ? "ManagedIdentityExtensionForWindows" : "ManagedIdentityExtensionForLinux";
}

/** The PUT body that installs the MSI extension (contract/ARM.md §6). */
export function msiExtensionBody(os: OsType, port: number, location: string): {
  location: string;
  properties: {
    publisher: string;
    type: string;
    typeHandlerVersion: string;
    autoUpgradeMinorVersion: boolean;
    settings: { port: number };
  };
} {
  return {
    location,
    properties: {
      publisher: MSI_EXTENSION_PUBLISHER,
      type: msiExtensionType(os),
      typeHandlerVersion: "1.0",
      autoUpgradeMinorVersion: true,
      settings: { port },
    },
  };
}
