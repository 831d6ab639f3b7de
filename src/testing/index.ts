/**
 * `azure-vm-identity/testing`: an in-process ARM emulator for testing code
 * that manages VM identities, offline.
 *
 * @packageDocumentation
 */
export { DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID, startFakeArm } from "./fakeArm.js";
export type {
  AddUserAssignedIdentityOptions,
  AddVmOptions,
  ArmIdentityInput,
  ArmUserAssignedIdentity,
  ArmVirtualMachine,
  ArmVmExtension,
  ArmVmIdentity,
  ConnectionFault,
  FakeArm,
  FakeArmOptions,
  FakeArmRequest,
  FakeArmStats,
  FaultMatch,
  FaultSpec,
  IdentityType,
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
