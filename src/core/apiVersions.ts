import { InvalidInputError, describeValue } from "./errors.js";

/** The api-version of each provider the library calls. */
export interface ApiVersions {
  /** Microsoft.Compute: VMs, their extensions, scale sets. */
  compute: string;
  /** Microsoft.ManagedIdentity: user-assigned identities. */
  managedIdentity: string;
  /** Microsoft.Authorization: role definitions and assignments. */
  authorization: string;
}

/** The api-versions sent by default; each can be overridden. */
export const DEFAULT_API_VERSIONS: Readonly<ApiVersions> = Object.freeze({
  /** What the Azure CLI sends in production; supports If-Match on VMs (since 2023-09-01). */
  compute: "2024-11-01",
  managedIdentity: "2024-11-30",
  authorization: "2022-04-01",
});

/**
 * The oldest Compute api-version whose VM identity is the
 * `userAssignedIdentities` map. Before it ARM answered with an `identityIds`
 * array, which this library would misread as "no user-assigned identity".
 */
export const MIN_COMPUTE_API_VERSION = "2018-06-01";

const API_VERSION = /^(\d{4}-\d{2}-\d{2})(-preview)?$/;

/**
 * Merge the caller's api-versions over the defaults and check them: each a
 * date such as `2024-11-01` (optionally `-preview`); Compute no older than
 * {@link MIN_COMPUTE_API_VERSION} (code `UnsupportedApiVersion`).
 */
export function resolveApiVersions(given: Partial<ApiVersions> | undefined): ApiVersions {
  if (given !== undefined && (given === null || typeof given !== "object")) {
    throw new InvalidInputError("InvalidOption", `Invalid apiVersions ${describeValue(given)}: expected an object such as { compute: "2024-11-01" }.`, given);
  }
  const merged: ApiVersions = { ...DEFAULT_API_VERSIONS, ...given };
  for (const [name, value] of Object.entries(merged)) {
    if (typeof value !== "string" || !API_VERSION.test(value)) {
      throw new InvalidInputError(
        "InvalidOption",
        `Invalid apiVersions.${name} ${describeValue(value)}: expected a date such as "2024-11-01" (optionally "-preview").`,
        value,
      );
    }
  }
  const computeDate = API_VERSION.exec(merged.compute)![1]!;
  if (computeDate < MIN_COMPUTE_API_VERSION) {
    throw new InvalidInputError(
      "UnsupportedApiVersion",
      `Unsupported apiVersions.compute ${describeValue(merged.compute)}: versions before ${MIN_COMPUTE_API_VERSION} describe a VM's user-assigned identities as an identityIds array, which this library does not read; use ${MIN_COMPUTE_API_VERSION} or later (default ${DEFAULT_API_VERSIONS.compute}).`,
      merged.compute,
    );
  }
  return merged;
}
