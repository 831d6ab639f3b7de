/** What the access-model and scale-set routes share, beyond {@link EmulatorState}. */
import type { EmulatorState } from "./context.js";
import type { Denials } from "./permissions.js";
import type { Directory } from "./principals.js";
import type { RoleAssignmentStore } from "./roleAssignmentStore.js";
import type { RoleDefinitions } from "./roleDefinitions.js";
import type { ScaleSetStore } from "./scaleSetStore.js";

/** The resolved access-model and listing options. */
export interface ExtendedConfig {
  principalReplicationDelayMs: number;
  roleAssignmentLimit: number;
  roleAssignmentRepeatStatus: 200 | 201;
  orphanPrincipalType: "stored" | "Unknown";
  listPageSize: number;
}

/** The access model: roles, assignments, principals and denials. */
export interface AccessState {
  readonly definitions: RoleDefinitions;
  readonly assignments: RoleAssignmentStore;
  readonly directory: Directory;
  readonly denials: Denials;
  /** Object id of the emulator's caller, as 403 messages name it. */
  readonly callerId: string;
}

/** The emulator state the access-model and scale-set routes see. */
export interface ExtendedState extends EmulatorState {
  readonly config: ExtendedConfig;
  readonly access: AccessState;
  readonly scaleSets: ScaleSetStore;
  /** Emulator time in milliseconds. */
  now(): number;
}
