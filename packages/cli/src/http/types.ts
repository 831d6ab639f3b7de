import type { AdditionalPolicyConfig } from "azure-vm-identity";

/** A pipeline policy, as the client's `additionalPolicies` option takes it. */
export type PipelinePolicy = AdditionalPolicyConfig["policy"];
/** The request a policy sees. */
export type PipelineRequest = Parameters<PipelinePolicy["sendRequest"]>[0];
/** The response a policy returns. */
export type PipelineResponse = Awaited<ReturnType<PipelinePolicy["sendRequest"]>>;
