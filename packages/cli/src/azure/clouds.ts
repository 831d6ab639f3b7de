/** An Azure cloud: where ARM answers and where Microsoft Entra ID signs in. */
export interface Cloud {
  /** The Azure CLI's name for it (`az cloud list`), as its profile's `environmentName` holds it. */
  name: "AzureCloud" | "AzureChinaCloud" | "AzureUSGovernment";
  /** The ARM endpoint. */
  armEndpoint: string;
  /** The authority host of `@azure/identity` credentials. */
  authorityHost: string;
}

/** The clouds the command knows, public first. */
export const CLOUDS: readonly Cloud[] = [
  { name: "AzureCloud", armEndpoint: "https://management.azure.com", authorityHost: "https://login.microsoftonline.com" },
  { name: "AzureChinaCloud", armEndpoint: "https://management.chinacloudapi.cn", authorityHost: "https://login.chinacloudapi.cn" },
  { name: "AzureUSGovernment", armEndpoint: "https://management.usgovcloudapi.net", authorityHost: "https://login.microsoftonline.us" },
];

/** The public cloud. */
export const PUBLIC_CLOUD: Cloud = CLOUDS[0]!;

/** The cloud whose ARM endpoint `endpoint` is (by host), if any. */
export function cloudOfEndpoint(endpoint: string): Cloud | undefined {
  let host: string;
  try {
    host = new URL(endpoint).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  return CLOUDS.find((c) => new URL(c.armEndpoint).hostname === host);
}

/** The cloud the Azure CLI calls `environmentName` (case-insensitive), if it is one of {@link CLOUDS}. */
export function cloudNamed(environmentName: string | undefined): Cloud | undefined {
  if (!environmentName) return undefined;
  return CLOUDS.find((c) => c.name.toLowerCase() === environmentName.toLowerCase());
}
