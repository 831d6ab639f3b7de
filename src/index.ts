export {
  VmIdentityClient,
  DEFAULT_API_VERSIONS,
  DEFAULT_ENDPOINT,
  DEFAULT_UPDATE_INTERVAL_IN_MS,
  type VmIdentityClientOptions,
} from "./client/VmIdentityClient.js";
export { VmHandle } from "./client/VmHandle.js";
export { IdentityChangeBuilder } from "./client/IdentityChangeBuilder.js";
export { MsiExtensionClient } from "./client/MsiExtensionClient.js";
export { VmCreateBuilder } from "./client/VmCreateBuilder.js";
export { UserAssignedIdentityHandle } from "./client/UserAssignedIdentityHandle.js";
export { VmFleet, FleetIdentityBuilder, type FleetIdentityOptions } from "./client/VmFleet.js";
export type { FleetOptions, FleetProgress, FleetResult, FleetResults, FleetRunStats } from "./fleet/runFleet.js";
export { createWritePacer, type WritePacer, type WritePacerOptions, type WritePacerStats } from "./http/writePacer.js";
export { createConcurrencyLimiter, type ConcurrencyLimiter, type ConcurrencyLimiterOptions } from "./fleet/concurrencyLimiter.js";

export {
  type IdentityType,
  type VmIdentity,
  type UserAssignedIdentityRef,
  fromArmIdentity,
  parseIdentityType,
} from "./core/identity.js";
export {
  planIdentityChange,
  type IdentityChange,
  type IdentityChangePlan,
  type IdentityPatchBody,
} from "./core/planIdentityChange.js";
export type { RawArmRequest } from "./core/request.js";
export {
  parseVmResourceId,
  parseUserAssignedIdentityId,
  vmResourceId,
  userAssignedIdentityResourceId,
  type ResourceGroupScoped,
} from "./core/resourceId.js";
export type { OsType } from "./core/validation.js";
export { DEFAULT_MSI_PORT, msiExtensionType } from "./core/msiExtension.js";
export type { VmDefinition } from "./core/createVm.js";

export type {
  ApplyIdentityOptions,
  ConcurrencyMode,
  IdentityPlan,
  IdentityResult,
} from "./operations/applyIdentityChange.js";
export {
  checkInstallOptions as validateMsiExtensionOptions,
  type MsiExtensionInstallOptions,
  type MsiExtensionRemoveResult,
  type VmExtensionResource,
} from "./operations/msiExtension.js";
export type {
  CreateMsiExtensionOptions,
  VmCreateOptions,
  VmCreatePlan,
  VmCreateResult,
} from "./operations/createVm.js";
export type { UserAssignedIdentityDefinition, UserAssignedIdentityInfo } from "./operations/userAssignedIdentity.js";
export type { OperationOptions } from "./http/operationContext.js";
export type { AdditionalPolicyConfig, ArmPipelineOptions } from "./http/pipeline.js";
export { throttlingBackoffPolicy, throttlingBackoffPolicyName, type ThrottlingBackoffPolicyOptions } from "./http/throttlingBackoffPolicy.js";

export {
  InvalidInputError,
  isInvalidInputError,
  type InvalidInputCode,
  RestError,
  isRestError,
  AbortError,
} from "./errors.js";
export { SDK_VERSION } from "./version.js";
