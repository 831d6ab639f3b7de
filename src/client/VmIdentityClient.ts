import type { TokenCredential } from "@azure/core-auth";
import { parseVmResourceId } from "../core/resourceId.js";
import {
  validateEndpoint,
  validateIdentityName,
  validateResourceGroupName,
  validateSubscriptionId,
  validateVmName,
} from "../core/validation.js";
import { InvalidInputError, describeValue } from "../errors.js";
import { ArmHttpClient } from "../http/armHttpClient.js";
import { type ArmPipelineOptions, createArmPipeline } from "../http/pipeline.js";
import type { ClientContext } from "./clientContext.js";
import { useLoopbackBearerPolicy } from "./loopbackBearerPolicy.js";
import { UserAssignedIdentityHandle } from "./UserAssignedIdentityHandle.js";
import { VmHandle } from "./VmHandle.js";
import { VmFleet } from "./VmFleet.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";

/** The public-cloud ARM endpoint. */
export const DEFAULT_ENDPOINT = "https://management.azure.com";

/** The api-versions sent by default; each can be overridden. */
export const DEFAULT_API_VERSIONS = Object.freeze({
  /** What the Azure CLI sends in production; supports If-Match on VMs (since 2023-09-01). */
  compute: "2024-11-01",
  managedIdentity: "2024-11-30",
  authorization: "2022-04-01",
});

/** Default poll interval when the service sends no Retry-After. */
export const DEFAULT_UPDATE_INTERVAL_IN_MS = 2000;

/** Options of {@link VmIdentityClient}: every pipeline option, plus where and how to talk to ARM. */
export interface VmIdentityClientOptions extends ArmPipelineOptions {
  /** Default `https://management.azure.com`; plain http only for loopback hosts. */
  endpoint?: string;
  /** Default `[<origin of endpoint>/.default]`. */
  credentialScopes?: string[];
  apiVersions?: { compute?: string; managedIdentity?: string; authorization?: string };
  /** LRO poll interval when the service sends no Retry-After. Default 2000. */
  updateIntervalInMs?: number;
}

const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

function checkTokenCredential(credential: unknown): TokenCredential {
  if (!credential || typeof (credential as TokenCredential).getToken !== "function") {
    throw new InvalidInputError("InvalidOption", "Invalid credential: expected a TokenCredential (an object with getToken), e.g. new DefaultAzureCredential().", undefined);
  }
  return credential as TokenCredential;
}

function apiVersions(given: VmIdentityClientOptions["apiVersions"] = {}): ClientContext["apiVersions"] {
  const merged = { ...DEFAULT_API_VERSIONS, ...given };
  for (const [name, value] of Object.entries(merged)) {
    if (typeof value !== "string" || !API_VERSION.test(value)) {
      throw new InvalidInputError("InvalidOption", `Invalid apiVersions.${name} ${describeValue(value)}: expected a date such as "2024-11-01" (optionally "-preview").`, value);
    }
  }
  return merged;
}

/**
 * Configures managed identities on Azure virtual machines through Azure
 * Resource Manager, authenticating with any `@azure/identity` credential.
 *
 * ```ts
 * const client = new VmIdentityClient(new DefaultAzureCredential(), subscriptionId);
 * await client.vm("rg", "vm").identity().enableSystemAssigned().apply();
 * ```
 */
export class VmIdentityClient {
  /** The subscription every handle of this client is in. */
  readonly subscriptionId: string;
  /** The ARM origin requests go to. */
  readonly endpoint: string;
  private readonly cc: ClientContext;

  constructor(credential: TokenCredential, subscriptionId: string, options: VmIdentityClientOptions = {}) {
    checkTokenCredential(credential);
    this.subscriptionId = validateSubscriptionId(subscriptionId);
    this.endpoint = validateEndpoint(options.endpoint ?? DEFAULT_ENDPOINT);
    const interval = options.updateIntervalInMs ?? DEFAULT_UPDATE_INTERVAL_IN_MS;
    if (typeof interval !== "number" || !Number.isFinite(interval) || interval < 0) {
      throw new InvalidInputError("InvalidOption", `Invalid updateIntervalInMs ${describeValue(interval)}: expected a non-negative number.`, interval);
    }
    const scopes = options.credentialScopes ?? [`${this.endpoint}/.default`];
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === "string" && s.length > 0)) {
      throw new InvalidInputError("InvalidOption", `Invalid credentialScopes ${describeValue(scopes)}: expected a non-empty array of scope strings.`, scopes);
    }
    const transport = createArmPipeline(credential, scopes, options);
    useLoopbackBearerPolicy(transport.pipeline, this.endpoint, credential, scopes);
    this.cc = {
      http: new ArmHttpClient(transport),
      endpoint: this.endpoint,
      subscriptionId: this.subscriptionId,
      apiVersions: apiVersions(options.apiVersions),
      updateIntervalInMs: interval,
    };
  }

  /**
   * A handle on one VM, by resource group and name or by full resource id
   * (which must be in this client's subscription). Validated now: a bad value
   * throws before any request.
   */
  vm(resourceGroupOrId: string, name?: string): VmHandle {
    if (name === undefined && typeof resourceGroupOrId === "string" && resourceGroupOrId.startsWith("/")) {
      const parsed = parseVmResourceId(resourceGroupOrId);
      if (parsed.subscriptionId.toLowerCase() !== this.subscriptionId.toLowerCase()) {
        throw new InvalidInputError(
          "InvalidResourceId",
          `Invalid virtual machine id ${describeValue(resourceGroupOrId)}: it is in subscription ${parsed.subscriptionId}, but this client is for ${this.subscriptionId}.`,
          resourceGroupOrId,
        );
      }
      return new VmHandle(this.cc, { ...parsed, subscriptionId: this.subscriptionId });
    }
    return new VmHandle(this.cc, {
      subscriptionId: this.subscriptionId,
      resourceGroup: validateResourceGroupName(resourceGroupOrId),
      name: validateVmName(name),
    });
  }

  /**
   * Many VMs at once, by resource id or `{ resourceGroup, name }`. Every target
   * is validated now; duplicates (compared case-insensitively) are dropped.
   */
  vms(targets: readonly (string | { resourceGroup: string; name: string })[]): VmFleet {
    if (!Array.isArray(targets)) {
      throw new InvalidInputError("InvalidOption", `Invalid targets ${describeValue(targets)}: expected an array of VM resource ids or { resourceGroup, name }.`, targets);
    }
    const seen = new Set<string>();
    const vms: ResourceGroupScoped[] = [];
    for (const target of targets) {
      const handle =
        typeof target === "string" ? this.vm(target) : this.vm(target?.resourceGroup as string, (target?.name ?? "") as string);
      const key = handle.resourceId.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      vms.push({ subscriptionId: handle.subscriptionId, resourceGroup: handle.resourceGroup, name: handle.name });
    }
    return new VmFleet(this.cc, vms);
  }

  /** A handle on one user-assigned identity resource. */
  userAssignedIdentity(resourceGroup: string, name: string): UserAssignedIdentityHandle {
    return new UserAssignedIdentityHandle(this.cc, {
      subscriptionId: this.subscriptionId,
      resourceGroup: validateResourceGroupName(resourceGroup),
      name: validateIdentityName(name),
    });
  }
}
