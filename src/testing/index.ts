/**
 * `azure-vm-identity/testing`: an in-process ARM emulator for testing code
 * that manages VM identities, offline.
 *
 * @packageDocumentation
 */
export { DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID, startFakeArm } from "./fakeArm.js";
export { DEFAULT_LIST_PAGE_SIZE, DEFAULT_MAX_LOGGED_REQUESTS } from "./options.js";
export { AZURE_BUDGETS } from "./budgetTypes.js";
export type {
  BudgetName,
  ComputePolicyName,
  ComputePolicySpec,
  FakeArmBudgets,
  ResourceGraphQuotaSpec,
  ThrottledByStats,
  TokenBucketSpec,
} from "./budgetTypes.js";
export type {
  AddUserAssignedIdentityOptions,
  AddVmOptions,
  AddVmsTemplate,
  ArmIdentityInput,
  ArmUserAssignedIdentity,
  ArmVirtualMachine,
  ArmVmExtension,
  ArmVmIdentity,
  ConnectionFault,
  FailedOperationChanges,
  FakeArm,
  FakeArmOptions,
  FakeArmRequest,
  FakeArmStats,
  FakeArmSubscription,
  FaultMatch,
  FaultSpec,
  IdentityType,
  LostResponseFault,
  OperationFailureSpec,
  OsType,
  ResponseFault,
  ThrottleSpec,
} from "./types.js";
export type {
  AddPrincipalOptions,
  AddRoleAssignmentOptions,
  AddRoleDefinitionOptions,
  ArmRoleAssignment,
  ArmRoleDefinition,
  DenySpec,
  FakeArmAccess,
  FakeArmAccessOptions,
  HeldRoleAssignment,
  PrincipalType,
  RolePermission,
} from "./accessTypes.js";
export type {
  AddVmssOptions,
  ArmVirtualMachineScaleSet,
  ArmVmssExtension,
  ArmVmssExtensionProfileEntry,
  ArmVmssInstance,
  FakeArmScaleSets,
  OrchestrationMode,
  UpgradePolicyMode,
} from "./scaleSetTypes.js";
