import type { TokenCredential } from "@azure/core-auth";
import { type TracingClient, createTracingClient } from "@azure/core-tracing";
import { type ApiVersions, resolveApiVersions } from "../core/apiVersions.js";
import type { ArmTarget } from "../core/armRequests.js";
import { InvalidInputError, describeValue } from "../core/errors.js";
import { validateEndpoint, validateSubscriptionId } from "../core/validation.js";
import type { VmIdentityClientOptions } from "../options.js";
import { SDK_VERSION } from "../version.js";
import type { PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { pipelineModule } from "./lazyDependencies.js";
import { lazyModule } from "./lazyModule.js";
import type { ArmPipeline } from "./pipeline.js";

/** Default bound on each attempt of each request. */
export const DEFAULT_REQUEST_TIMEOUT_IN_MS = 60_000;

/** The public-cloud ARM endpoint. */
export const DEFAULT_ENDPOINT = "https://management.azure.com";

/**
 * Default poll interval when the service sends no Retry-After: ARM sends none
 * for VM updates, which run 3-9 s, so one or two polls an update.
 */
export const DEFAULT_UPDATE_INTERVAL_IN_MS = 5000;

/** Sends a request through the client's pipeline. */
export interface ArmTransport {
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
}

/**
 * The client's transport: its pipeline is built when the first request is
 * sent, with `@azure/core-rest-pipeline` and the pipeline's own policies
 * loaded then (see http/lazyDependencies.ts), not when the client is made.
 */
export function lazyTransport(build: () => Promise<ArmPipeline>): ArmTransport {
  const pipeline = lazyModule(build);
  return {
    async sendRequest(request) {
      const built = pipeline.loaded() ?? (await pipeline.load());
      return built.pipeline.sendRequest(built.httpClient, request);
    },
  };
}

/** What every operation of one client shares: where requests go and how they are sent. */
export interface ArmConnection {
  readonly target: ArmTarget;
  readonly transport: ArmTransport;
  readonly tracing: TracingClient;
  /** The client's default poll interval. */
  readonly updateIntervalInMs: number;
}

/** Check a number of milliseconds: finite and not negative (`0` means none). */
export function checkDurationInMs(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value < 0)) {
    throw new InvalidInputError(
      "InvalidOption",
      `Invalid ${name} ${describeValue(value)}: expected a non-negative number of milliseconds (0 means none).`,
      value,
    );
  }
}

function checkTokenCredential(credential: unknown): TokenCredential {
  if (!credential || typeof (credential as TokenCredential).getToken !== "function") {
    throw new InvalidInputError(
      "InvalidOption",
      "Invalid credential: expected a TokenCredential (an object with getToken), e.g. new DefaultAzureCredential().",
      undefined,
    );
  }
  return credential as TokenCredential;
}

/**
 * Validate the client's arguments and build its connection: endpoint,
 * subscription, api-versions, scopes, pipeline and tracing client. Throws an
 * `InvalidInputError` before anything is sent.
 */
export function createArmConnection(
  credential: TokenCredential,
  subscriptionId: string,
  options: VmIdentityClientOptions = {},
): ArmConnection {
  checkTokenCredential(credential);
  const subscription = validateSubscriptionId(subscriptionId);
  const endpoint = validateEndpoint(options.endpoint ?? DEFAULT_ENDPOINT);
  const apiVersions: ApiVersions = resolveApiVersions(options.apiVersions);
  checkDurationInMs("updateIntervalInMs", options.updateIntervalInMs);
  checkDurationInMs("requestTimeoutInMs", options.requestTimeoutInMs);
  const scopes = options.credentialScopes ?? [`${endpoint}/.default`];
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === "string" && s.length > 0)) {
    throw new InvalidInputError("InvalidOption", `Invalid credentialScopes ${describeValue(scopes)}: expected a non-empty array of scope strings.`, scopes);
  }
  // As given now: the pipeline is built from them at the first request.
  const pipelineOptions = { ...options };
  return {
    target: Object.freeze({ endpoint, subscriptionId: subscription, apiVersions: Object.freeze(apiVersions) }),
    transport: lazyTransport(async () => (await pipelineModule.load()).createArmPipeline(credential, scopes, endpoint, pipelineOptions)),
    tracing: createTracingClient({ namespace: "Microsoft.Compute", packageName: "azure-vm-identity", packageVersion: SDK_VERSION }),
    updateIntervalInMs: options.updateIntervalInMs ?? DEFAULT_UPDATE_INTERVAL_IN_MS,
  };
}
