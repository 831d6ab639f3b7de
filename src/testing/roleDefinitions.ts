/**
 * Role definitions: ARM's built-in roles the emulator knows (their real
 * GUIDs; permissions abridged to their main actions) and custom ones added by tests.
 */
import { randomUUID } from "node:crypto";
import type { AddRoleDefinitionOptions, ArmRoleDefinition, RolePermission } from "./accessTypes.js";
import { GUID } from "./guid.js";
import { isWithinScope } from "./scopes.js";

/** A stored role definition: what ARM shows of it (its `properties`), less what rendering adds, and its lower-case GUID. */
export type RoleDefinitionRecord = Pick<ArmRoleDefinition["properties"], "roleName" | "type" | "description" | "assignableScopes" | "permissions" | "createdOn"> & {
  /** Lower-case GUID. */
  guid: string;
};

function permission(actions: string[], notActions: string[] = [], dataActions: string[] = [], notDataActions: string[] = []): RolePermission {
  return { actions, notActions, dataActions, notDataActions };
}

const BUILT_IN_CREATED_ON = "2015-02-02T21:55:09.8806423Z";

function builtIn(guid: string, roleName: string, description: string, perm: RolePermission): RoleDefinitionRecord {
  return { guid, roleName, type: "BuiltInRole", description, assignableScopes: ["/"], permissions: [perm], createdOn: BUILT_IN_CREATED_ON };
}

/** The built-in roles, by name. */
export const BUILT_IN_ROLES: readonly RoleDefinitionRecord[] = [
  builtIn("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader", "View all resources, but does not allow you to make any changes.", permission(["*/read"])),
  builtIn(
    "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Contributor",
    "Grants full access to manage all resources, but does not allow you to assign roles.",
    permission(["*"], ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action"]),
  ),
  builtIn("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner", "Grants full access to manage all resources, including assigning roles.", permission(["*"])),
  builtIn(
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "User Access Administrator",
    "Lets you manage user access to Azure resources.",
    permission(["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"]),
  ),
  builtIn(
    "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
    "Virtual Machine Contributor",
    "Create and manage virtual machines, but not access to them or the network and storage they connect to.",
    permission(["Microsoft.Compute/virtualMachines/*", "Microsoft.Compute/virtualMachineScaleSets/*", "Microsoft.Resources/subscriptions/resourceGroups/read"]),
  ),
  builtIn(
    "f1a07417-d97a-45cb-824c-7a7467783830",
    "Managed Identity Operator",
    "Read and assign user-assigned identities.",
    permission([
      "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
      "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
      "Microsoft.Authorization/*/read",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
    ]),
  ),
  builtIn(
    "4633458b-17de-408a-b874-0445c86b69e6",
    "Key Vault Secrets User",
    "Read secret contents of a key vault that uses the Azure RBAC permission model.",
    permission([], [], ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"]),
  ),
  builtIn(
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Storage Blob Data Reader",
    "Read and list storage containers and blobs.",
    permission(
      ["Microsoft.Storage/storageAccounts/blobServices/containers/read", "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action"],
      [],
      ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
    ),
  ),
];

/** The role definition id ARM shows within a subscription, or above every subscription when there is none. */
export function roleDefinitionId(subscriptionId: string | undefined, guid: string): string {
  const prefix = subscriptionId === undefined ? "" : `/subscriptions/${subscriptionId}`;
  return `${prefix}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

const ROLE_DEFINITION_ID = /^(?:\/subscriptions\/([^/]+)(?:\/resourceGroups\/[^/]+)?)?\/providers\/Microsoft\.Authorization\/roleDefinitions\/([^/]+)$/i;

/**
 * The GUID a role definition id names (`/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}`,
 * or the same without the subscription), lower-cased; undefined when it is not one.
 */
export function parseRoleDefinitionId(id: string): { guid: string; subscriptionId?: string } | undefined {
  const m = ROLE_DEFINITION_ID.exec(id);
  if (!m || !GUID.test(m[2] as string)) return undefined;
  return m[1] === undefined ? { guid: (m[2] as string).toLowerCase() } : { guid: (m[2] as string).toLowerCase(), subscriptionId: m[1] };
}

/** The built-in and custom role definitions of the emulator. */
export interface RoleDefinitions {
  find(guid: string): RoleDefinitionRecord | undefined;
  /** Definitions assignable at `scope`, optionally only those named `roleName` (case-insensitively). */
  assignableAt(scope: string, roleName?: string): RoleDefinitionRecord[];
  /** @throws TypeError for a malformed or taken GUID or an empty name. */
  add(options: AddRoleDefinitionOptions, defaultScopes: readonly string[], now: string): RoleDefinitionRecord;
  /** Forgets the custom definitions. */
  clear(): void;
}

/** Creates the definitions, holding the built-ins. */
export function createRoleDefinitions(): RoleDefinitions {
  const custom = new Map<string, RoleDefinitionRecord>();
  const builtIns = new Map(BUILT_IN_ROLES.map((role) => [role.guid, role]));
  const all = () => [...builtIns.values(), ...custom.values()];

  return {
    find: (guid) => builtIns.get(guid.toLowerCase()) ?? custom.get(guid.toLowerCase()),
    assignableAt(scope, roleName) {
      return all().filter(
        (role) =>
          (roleName === undefined || role.roleName.toLowerCase() === roleName.toLowerCase()) &&
          role.assignableScopes.some((assignable) => isWithinScope(scope, assignable)),
      );
    },
    add(options, defaultScopes, now) {
      const guid = (options.id ?? randomUUID()).toLowerCase();
      if (!GUID.test(guid)) throw new TypeError(`addRoleDefinition: id must be a GUID, got ${JSON.stringify(options.id)}.`);
      if (builtIns.has(guid) || custom.has(guid)) throw new TypeError(`addRoleDefinition: the role definition '${guid}' exists.`);
      if (typeof options.name !== "string" || options.name.trim() === "") {
        throw new TypeError(`addRoleDefinition: name must be a non-empty string, got ${JSON.stringify(options.name)}.`);
      }
      const record: RoleDefinitionRecord = {
        guid,
        roleName: options.name,
        type: "CustomRole",
        description: options.description ?? "",
        assignableScopes: [...(options.assignableScopes ?? defaultScopes)],
        permissions: (options.permissions ?? [{}]).map((p) =>
          permission([...(p.actions ?? [])], [...(p.notActions ?? [])], [...(p.dataActions ?? [])], [...(p.notDataActions ?? [])]),
        ),
        createdOn: now,
      };
      custom.set(guid, record);
      return record;
    },
    clear: () => custom.clear(),
  };
}

/** The definition as ARM returns it within `subscriptionId` (above every subscription when undefined). */
export function renderRoleDefinition(role: RoleDefinitionRecord, subscriptionId: string | undefined): ArmRoleDefinition {
  return structuredClone({
    id: roleDefinitionId(subscriptionId, role.guid),
    name: role.guid,
    type: "Microsoft.Authorization/roleDefinitions",
    properties: {
      roleName: role.roleName,
      type: role.type,
      description: role.description,
      assignableScopes: role.assignableScopes,
      permissions: role.permissions,
      createdOn: role.createdOn,
      updatedOn: role.createdOn,
      createdBy: null,
      updatedBy: null,
    },
  });
}
