/**
 * The directory: every principal the emulator knows. Azure resources own
 * theirs (a VM's or scale set's system identity, a user-assigned identity),
 * which appear and disappear with the resource; tests add others (users, groups).
 */
import type { PrincipalType } from "./accessTypes.js";

/** A principal in the directory. */
export interface PrincipalRecord {
  /** As created (GUIDs are compared lower-cased). */
  id: string;
  type: PrincipalType;
  /** Emulator time it appeared, the start of its replication delay. */
  createdAt: number;
}

/** The principals, and which resource owns each. */
export interface Directory {
  find(principalId: string): PrincipalRecord | undefined;
  /**
   * Makes the principals owned by `owner` (a resource id, compared
   * case-insensitively) exactly `principalIds`: new ones appear at `now`,
   * ones no longer listed are deleted from the directory.
   */
  sync(owner: string, principalIds: readonly string[], now: number): void;
  /** Adds a principal owned by no resource. @throws TypeError if the id is taken. */
  add(record: PrincipalRecord): void;
  clear(): void;
}

/** Creates an empty directory. */
export function createDirectory(): Directory {
  const principals = new Map<string, PrincipalRecord>();
  const owned = new Map<string, Set<string>>();

  return {
    find: (principalId) => principals.get(principalId.toLowerCase()),
    sync(owner, principalIds, now) {
      const key = owner.toLowerCase();
      const held = owned.get(key);
      if (!held && principalIds.length === 0) return;
      const before = held ?? new Set<string>();
      const after = new Set(principalIds.map((id) => id.toLowerCase()));
      for (const id of before) if (!after.has(id)) principals.delete(id);
      for (const id of principalIds) {
        if (!before.has(id.toLowerCase())) principals.set(id.toLowerCase(), { id, type: "ServicePrincipal", createdAt: now });
      }
      if (after.size > 0) owned.set(key, after);
      else owned.delete(key);
    },
    add(record) {
      if (principals.has(record.id.toLowerCase())) throw new TypeError(`addPrincipal: the principal '${record.id}' exists.`);
      principals.set(record.id.toLowerCase(), record);
    },
    clear() {
      principals.clear();
      owned.clear();
    },
  };
}
