/**
 * Public types of the emulator's access model: role definitions, role
 * assignments, directory principals and denied actions.
 */

/** The principal types ARM accepts in a role assignment's `principalType`. */
export type PrincipalType = "User" | "Group" | "ServicePrincipal" | "ForeignGroup" | "Device";

/** Options of the emulator's access model, part of {@link FakeArmOptions}. */
export interface FakeArmAccessOptions {
  /**
   * Emulator time (the clock `timeScale` speeds up) during which a principal
   * that just appeared is not yet found by role assignment writes: a PUT for
   * it answers 400 `PrincipalNotFound` unless its body gives `principalType`.
   * Default 0; `Infinity`: never replicated.
   */
  principalReplicationDelayMs?: number;
  /**
   * Role assignments each subscription may hold (at the subscription or
   * below); the next PUT there answers 400 `RoleAssignmentLimitExceeded`. Default 4000.
   */
  roleAssignmentLimit?: number;
  /**
   * Status of a role assignment PUT that repeats an existing assignment
   * exactly (same name, scope, role and principal). ARM documents both;
   * default 201, the status of every other successful create.
   */
  roleAssignmentRepeatStatus?: 200 | 201;
  /**
   * `principalType` shown by an assignment whose principal was deleted (an
   * orphan): `"Unknown"` (default), as ARM shows an orphan, or `"stored"`,
   * the value it was created with.
   */
  orphanPrincipalType?: "stored" | "Unknown";
}

/** One permission block of a role definition. */
export interface RolePermission {
  /** Control-plane actions granted, e.g. `Microsoft.Compute/virtualMachines/read`; `*` is a wildcard. */
  actions: string[];
  /** Actions taken out of `actions`. */
  notActions: string[];
  /** Data-plane actions granted. */
  dataActions: string[];
  /** Data actions taken out of `dataActions`. */
  notDataActions: string[];
}

/** A role definition as ARM returns it. */
export interface ArmRoleDefinition {
  /** `/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{guid}`. */
  id: string;
  /** The GUID. */
  name: string;
  /** The resource type. */
  type: "Microsoft.Authorization/roleDefinitions";
  /** The role's name, kind (built-in or custom), description, assignable scopes and permissions. */
  properties: {
    roleName: string;
    type: "BuiltInRole" | "CustomRole";
    description: string;
    assignableScopes: string[];
    permissions: RolePermission[];
    createdOn: string;
    updatedOn: string;
    createdBy: string | null;
    updatedBy: string | null;
  };
}

/** Options of {@link FakeArmAccess.addRoleDefinition}. */
export interface AddRoleDefinitionOptions {
  /** The role's name (`roleName`); several definitions may share one. */
  name: string;
  /** Its GUID; default a random one. */
  id?: string;
  /** The role's description. Default `""`. */
  description?: string;
  /** Scopes it can be assigned at (and below). Default every subscription the emulator serves. */
  assignableScopes?: string[];
  /** Its permission blocks, a missing list in a block being `[]`. Default one block that grants nothing. */
  permissions?: Array<Partial<RolePermission>>;
}

/** A role assignment as ARM returns it. */
export interface ArmRoleAssignment {
  /** `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
  id: string;
  /** The GUID the assignment was created under. */
  name: string;
  /** The resource type. */
  type: "Microsoft.Authorization/roleAssignments";
  /** The role, the principal, the scope and the audit fields of the assignment. */
  properties: {
    /** `/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{guid}`. */
    roleDefinitionId: string;
    principalId: string;
    principalType: string;
    /** The scope in the casing of the request that created it, without a trailing slash. */
    scope: string;
    condition: string | null;
    conditionVersion: string | null;
    description: string | null;
    createdOn: string;
    updatedOn: string;
    createdBy: string | null;
    updatedBy: string | null;
    delegatedManagedIdentityResourceId: string | null;
  };
}

/**
 * An assignment as {@link FakeArmAccess.roleAssignments} lists it: the ARM
 * view, with its main properties repeated flat for easy comparison.
 */
export interface HeldRoleAssignment extends ArmRoleAssignment {
  /** `properties.scope`: leading slash, none trailing, in the casing it was created with. */
  scope: string;
  /** `properties.principalId`. */
  principalId: string;
  /** `properties.principalType`, as a GET shows it (`Unknown` for an orphan by default). */
  principalType: string;
  /** `properties.roleDefinitionId`: the role definition's full id. */
  roleDefinitionId: string;
  /** The `roleName` of its definition. */
  roleName: string;
  /** Its principal no longer exists (e.g. a disabled system identity): ARM keeps such assignments. */
  orphaned: boolean;
}

/** Options of {@link FakeArmAccess.addRoleAssignment}: an assignment created without HTTP and without checks of the principal. */
export interface AddRoleAssignmentOptions {
  /** A subscription, resource group or resource id in one of the emulator's subscriptions. */
  scope: string;
  /** A role definition id, or its bare GUID. */
  roleDefinitionId: string;
  /** Object id of the principal, a GUID; it need not exist in the directory. */
  principalId: string;
  /** Default the principal's own type, else `ServicePrincipal`. */
  principalType?: PrincipalType;
  /** Its GUID; default a random one. */
  name?: string;
}

/** Options of {@link FakeArmAccess.addPrincipal}: a directory principal that is no Azure resource (a user, a group, an app). */
export interface AddPrincipalOptions {
  /** Default a random GUID. */
  principalId?: string;
  /** Default `User`. */
  principalType?: PrincipalType;
}

/** Actions the caller may not perform, see {@link FakeArmAccess.denyActions}. */
export interface DenySpec {
  /**
   * An ARM action such as `Microsoft.Authorization/roleAssignments/write`,
   * compared case-insensitively; `*` matches any run of characters.
   */
  action: string;
  /** The scope the denial covers, itself and everything below. Default: everything. */
  scope?: string;
}

/** The access model of a running emulator, part of {@link FakeArm}. */
export interface FakeArmAccess {
  /** Every role assignment held, in creation order, orphans included. */
  roleAssignments(): HeldRoleAssignment[];
  /** Adds a custom role definition and returns its id (as `arm.subscriptionId` shows it). */
  addRoleDefinition(options: AddRoleDefinitionOptions): string;
  /** Adds a role assignment without HTTP (e.g. to fill a subscription up to its limit) and returns its id. */
  addRoleAssignment(options: AddRoleAssignmentOptions): string;
  /** Adds a principal to the directory (it appears now, for the replication delay) and returns its id. */
  addPrincipal(options?: AddPrincipalOptions): string;
  /**
   * Denies actions to the caller from now on: requests needing them answer
   * 403 `AuthorizationFailed`; attaching a user-assigned identity whose
   * `.../assign/action` is denied answers 403 `LinkedAuthorizationFailed`.
   */
  denyActions(denials: DenySpec[]): void;
  /** Removes every denial. */
  clearDenials(): void;
}
