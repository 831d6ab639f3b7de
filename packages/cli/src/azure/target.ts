import { DEFAULT_ENDPOINT } from "azure-vm-identity";
import type { CliSubscription } from "./cliProfile.js";
import { PUBLIC_CLOUD, cloudNamed, cloudOfEndpoint } from "./clouds.js";

/** Where a subscription's requests go and where its credential signs in. */
export interface ArmTarget {
  /** The ARM endpoint. */
  endpoint: string;
  /** The authority host for `DefaultAzureCredential`. */
  authorityHost: string;
  /** The tenant to sign in to, when the Azure CLI's profile names it and AZURE_TENANT_ID does not say otherwise. */
  tenantId?: string;
  /** The Azure CLI's cloud name when it is not one this command knows (the public cloud is used then). */
  unknownCloud?: string;
}

/**
 * The endpoint and sign-in of a subscription: `--endpoint` when given (its
 * cloud by host), else the cloud of the subscription's entry in the Azure
 * CLI's profile, else the public cloud.
 */
export function armTargetOf(
  explicitEndpoint: string | undefined,
  entry: CliSubscription | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ArmTarget {
  const cloud = explicitEndpoint !== undefined ? cloudOfEndpoint(explicitEndpoint) : cloudNamed(entry?.environmentName);
  const tenantId = env["AZURE_TENANT_ID"] ? undefined : entry?.tenantId;
  return {
    endpoint: explicitEndpoint ?? cloud?.armEndpoint ?? DEFAULT_ENDPOINT,
    authorityHost: (cloud ?? PUBLIC_CLOUD).authorityHost,
    ...(tenantId ? { tenantId } : {}),
    ...(explicitEndpoint === undefined && entry?.environmentName && !cloud ? { unknownCloud: entry.environmentName } : {}),
  };
}
