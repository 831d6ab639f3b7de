/**
 * `azure-vm-identity`: configure managed identities on Azure virtual machines
 * through Azure Resource Manager.
 *
 * @packageDocumentation
 */
export { VmIdentityClient, type VmTarget } from "./client/VmIdentityClient.js";
export { IdentityHandle } from "./client/IdentityHandle.js";
export { VmHandle } from "./client/VmHandle.js";
export { VmssHandle } from "./client/VmssHandle.js";
export { VmssMsiExtensionClient } from "./client/VmssMsiExtensionClient.js";
export { IdentityChangeSet } from "./client/IdentityChangeSet.js";
export { IdentityChangeBuilder } from "./client/IdentityChangeBuilder.js";
export { MsiExtensionClient } from "./client/MsiExtensionClient.js";
export { VmCreateBuilder } from "./client/VmCreateBuilder.js";
export { UserAssignedIdentityHandle } from "./client/UserAssignedIdentityHandle.js";
export { VmFleet, FleetIdentityBuilder, type FleetIdentityOutcome } from "./client/VmFleet.js";

export type {
  AdditionalPolicyConfig,
  ApplyIdentityOptions,
  ArmPipelineOptions,
  ConcurrencyMode,
  CreateMsiExtensionOptions,
  DisableIdentityOptions,
  DisableSystemAssignedOptions,
  FleetIdentityOptions,
  FleetOptions,
  FleetProgress,
  MigrationOptions,
  MigrationProgress,
  MsiExtensionInstallOptions,
  OperationOptions,
  RoleAssignmentOptions,
  VmCreateOptions,
  VmIdentityClientOptions,
  VmssExtensionOptions,
  VmssMsiExtensionInstallOptions,
} from "./options.js";
export type { FleetResult, FleetResults, FleetRunStats, FleetStatus } from "./fleet/results.js";
export type { VmSelection } from "./fleet/selection.js";
export type {
  MigrationReport,
  MigrationResult,
  MigrationSelection,
  MigrationSkipCode,
  MigrationStats,
  MigrationStatus,
  MigrationTarget,
} from "./fleet/migration.js";
export type { InstanceUpgradeOutcome } from "./operations/scaleSet.js";
export type { VmssMsiExtensionRemoveResult, VmssMsiExtensionResult } from "./operations/vmssMsiExtension.js";
export type { IdentityPlan, IdentityResult } from "./operations/identity.js";
export type { AccessOutcome, PlannedRoleAssignment } from "./operations/identityAccess.js";
export { DEFAULT_REPLICATION_RETRY_DELAY_IN_MS, DEFAULT_REPLICATION_TIMEOUT_IN_MS } from "./operations/roleAssignments.js";
export type { ArmPoller } from "./http/lro.js";
export type { MsiExtensionRemoveResult, VmExtensionResource } from "./operations/msiExtension.js";
export type { VmCreatePlan, VmCreateResult } from "./operations/createVm.js";
export { DEFAULT_ENDPOINT, DEFAULT_UPDATE_INTERVAL_IN_MS } from "./http/connection.js";
export { DEFAULT_REQUEST_TIMEOUT_IN_MS } from "./http/connection.js";
export { throttlingBackoffPolicy, throttlingBackoffPolicyName, type ThrottlingBackoffPolicyOptions } from "./http/throttlingBackoffPolicy.js";

export { DEFAULT_API_VERSIONS, MIN_COMPUTE_API_VERSION, type ApiVersions } from "./core/apiVersions.js";
export { type IdentityType, type VmIdentity, type UserAssignedIdentityRef, fromArmIdentity, parseIdentityType } from "./core/identity.js";
export { planIdentityChange, type IdentityChange, type IdentityChangePlan, type IdentityPatchBody } from "./core/planIdentityChange.js";
export type { RawArmRequest } from "./core/request.js";
export {
  parseVmResourceId,
  parseUserAssignedIdentityId,
  parseVmssResourceId,
  parseComputeResourceId,
  vmResourceId,
  vmssResourceId,
  userAssignedIdentityResourceId,
  type ComputeResourceKind,
  type ComputeResourceRef,
  type ResourceGroupScoped,
} from "./core/resourceId.js";
export type { OrchestrationMode, UpgradePolicyMode, VmssInstance } from "./core/scaleSet.js";
export type { OsType } from "./core/validation.js";
export {
  DEFAULT_MSI_PORT,
  msiExtensionType,
  msiExtensionsIn,
  validateMsiExtensionOptions,
  type ListedMsiExtension,
  type MsiExtensionType,
} from "./core/msiExtension.js";
export {
  type AccessChanges,
  type GrantedRoleAssignment,
  type RoleAssignmentInfo,
  type RoleAssignmentsOnDisable,
  type RoleGrant,
  type RoleRef,
  type RoleRevocation,
  type RoleScope,
  ROLE_ASSIGNMENT_NAMESPACE,
  parseRole,
  parseRoleScope,
  roleAssignmentName,
} from "./core/roles.js";
export { MANAGED_IDENTITY_PRINCIPAL_TYPE } from "./core/roleRequests.js";
export type { VmDefinition } from "./core/createVm.js";
export type { UserAssignedIdentityDefinition, UserAssignedIdentityInfo } from "./core/userAssignedIdentity.js";

export {
  InvalidInputError,
  isInvalidInputError,
  type InvalidInputCode,
  TimeoutError,
  isTimeoutError,
} from "./core/errors.js";
export { isRestError, type RestError } from "./http/lazyDependencies.js";
export { AbortError } from "@azure/abort-controller";
export { SDK_VERSION } from "./version.js";
