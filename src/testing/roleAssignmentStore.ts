/** The role assignments held, keyed by name: ARM keeps a name unique across scopes. */
import type { ArmRoleAssignment } from "./accessTypes.js";
import { scopeKey, scopeSegments, subscriptionOfScope } from "./scopes.js";

/** A stored role assignment. */
export interface RoleAssignmentRecord {
  /** The GUID, as created. */
  name: string;
  /** Normalised (leading slash, none trailing), in the casing it was created with. */
  scope: string;
  /** Lower-case GUID of the role definition. */
  roleGuid: string;
  /** The id shown, `/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}`. */
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  description: string | null;
  condition: string | null;
  conditionVersion: string | null;
  createdOn: string;
  createdBy: string | null;
}

/** The role assignments. */
export interface RoleAssignmentStore {
  byName(name: string): RoleAssignmentRecord | undefined;
  /** The assignment of `roleGuid` to `principalId` at exactly `scope`, under any name. */
  find(scope: string, roleGuid: string, principalId: string): RoleAssignmentRecord | undefined;
  /** How many assignments lie in the subscription (at it or below). */
  countIn(subscriptionId: string): number;
  add(record: RoleAssignmentRecord): void;
  delete(name: string): void;
  /** In creation order. */
  all(): RoleAssignmentRecord[];
  clear(): void;
}

/** Creates an empty store. */
export function createRoleAssignmentStore(): RoleAssignmentStore {
  const byName = new Map<string, RoleAssignmentRecord>();
  const tripleKey = (scope: string, roleGuid: string, principalId: string) =>
    `${scopeKey(scope)}|${roleGuid.toLowerCase()}|${principalId.toLowerCase()}`;
  const byTriple = new Map<string, RoleAssignmentRecord>();
  /** Assignments per lower-cased subscription, so the limit check costs no scan. */
  const counts = new Map<string, number>();
  const subscriptionKey = (record: RoleAssignmentRecord) => subscriptionOfScope(scopeSegments(record.scope))?.toLowerCase() ?? "";
  const count = (record: RoleAssignmentRecord, by: number) => {
    const key = subscriptionKey(record);
    counts.set(key, (counts.get(key) ?? 0) + by);
  };

  return {
    byName: (name) => byName.get(name.toLowerCase()),
    find: (scope, roleGuid, principalId) => byTriple.get(tripleKey(scope, roleGuid, principalId)),
    countIn: (subscriptionId) => counts.get(subscriptionId.toLowerCase()) ?? 0,
    add(record) {
      byName.set(record.name.toLowerCase(), record);
      byTriple.set(tripleKey(record.scope, record.roleGuid, record.principalId), record);
      count(record, 1);
    },
    delete(name) {
      const record = byName.get(name.toLowerCase());
      if (!record) return;
      byName.delete(name.toLowerCase());
      byTriple.delete(tripleKey(record.scope, record.roleGuid, record.principalId));
      count(record, -1);
    },
    all: () => [...byName.values()],
    clear() {
      byName.clear();
      byTriple.clear();
      counts.clear();
    },
  };
}

/** The assignment's id: `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
export function roleAssignmentId(record: Pick<RoleAssignmentRecord, "scope" | "name">): string {
  return `${record.scope === "/" ? "" : record.scope}/providers/Microsoft.Authorization/roleAssignments/${record.name}`;
}

/** The assignment as ARM returns it; `principalType` overrides the stored one (orphans). */
export function renderRoleAssignment(record: RoleAssignmentRecord, principalType = record.principalType): ArmRoleAssignment {
  return {
    id: roleAssignmentId(record),
    name: record.name,
    type: "Microsoft.Authorization/roleAssignments",
    properties: {
      roleDefinitionId: record.roleDefinitionId,
      principalId: record.principalId,
      principalType,
      scope: record.scope,
      condition: record.condition,
      conditionVersion: record.conditionVersion,
      description: record.description,
      createdOn: record.createdOn,
      updatedOn: record.createdOn,
      createdBy: record.createdBy,
      updatedBy: record.createdBy,
      delegatedManagedIdentityResourceId: null,
    },
  };
}
