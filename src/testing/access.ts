/**
 * The emulator's access model: role definitions, role assignments, the
 * directory of principals and the denied actions. It belongs to the tenant,
 * so every subscription's state shares one; its options are resolved here.
 */
import type { FakeArmAccessOptions } from "./accessTypes.js";
import { createDenials, type Denials } from "./permissions.js";
import { createDirectory, type Directory } from "./principals.js";
import { createRoleAssignmentStore, type RoleAssignmentStore } from "./roleAssignmentStore.js";
import { createRoleDefinitions, type RoleDefinitions } from "./roleDefinitions.js";

/** The access model's options, resolved. */
export interface AccessConfig {
  principalReplicationDelayMs: number;
  roleAssignmentLimit: number;
  roleAssignmentRepeatStatus: 200 | 201;
  orphanPrincipalType: "stored" | "Unknown";
}

/** The access model: roles, assignments, principals and denials. */
export interface AccessState {
  readonly definitions: RoleDefinitions;
  readonly assignments: RoleAssignmentStore;
  readonly directory: Directory;
  readonly denials: Denials;
  /** Forgets everything but the built-in roles. */
  clear(): void;
}

/** Resolves and checks the access model's options. @throws RangeError naming the first bad one. */
export function resolveAccessOptions(options: FakeArmAccessOptions): AccessConfig {
  const config: AccessConfig = {
    principalReplicationDelayMs: options.principalReplicationDelayMs ?? 0,
    roleAssignmentLimit: options.roleAssignmentLimit ?? 4000,
    roleAssignmentRepeatStatus: options.roleAssignmentRepeatStatus ?? 201,
    orphanPrincipalType: options.orphanPrincipalType ?? "Unknown",
  };
  const checks: Array<[boolean, string]> = [
    [
      typeof config.principalReplicationDelayMs === "number" && config.principalReplicationDelayMs >= 0,
      "principalReplicationDelayMs must be >= 0 (Infinity: never replicated)",
    ],
    [Number.isInteger(config.roleAssignmentLimit) && config.roleAssignmentLimit >= 0, "roleAssignmentLimit must be an integer >= 0"],
    [config.roleAssignmentRepeatStatus === 200 || config.roleAssignmentRepeatStatus === 201, "roleAssignmentRepeatStatus must be 200 or 201"],
    [config.orphanPrincipalType === "stored" || config.orphanPrincipalType === "Unknown", 'orphanPrincipalType must be "stored" or "Unknown"'],
  ];
  for (const [ok, message] of checks) if (!ok) throw new RangeError(`startFakeArm: ${message}.`);
  return config;
}

/** Creates an access model holding only the built-in roles. */
export function createAccess(): AccessState {
  const parts = {
    definitions: createRoleDefinitions(),
    assignments: createRoleAssignmentStore(),
    directory: createDirectory(),
    denials: createDenials(),
  };
  return {
    ...parts,
    clear() {
      for (const part of Object.values(parts)) part.clear();
    },
  };
}
