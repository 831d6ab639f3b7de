/**
 * Names of the built-in Azure roles a managed identity is most often
 * granted, by role definition GUID. Built-in GUIDs are the same in every
 * tenant and cloud, so the command can name a role without a request; the
 * library reads role definitions only to resolve a name, and has no call
 * that reads one by id, so any other role is shown by its id.
 */
const BUILT_IN_ROLE_NAMES: Readonly<Record<string, string>> = {
  "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
  "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
  "9980e02c-c2be-4d73-94e8-173b1dc7cf3c": "Virtual Machine Contributor",
  "f1a07417-d97a-45cb-824c-7a7467783830": "Managed Identity Operator",
  "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
  "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
  "7f951dda-4ed3-4680-a7ca-43fe172d538d": "AcrPull",
};

/** The name of a built-in role from its role definition id (any form) or GUID; undefined for any other role. */
export function builtInRoleName(roleDefinitionId: string): string | undefined {
  const guid = roleDefinitionId.slice(roleDefinitionId.lastIndexOf("/") + 1).toLowerCase();
  return BUILT_IN_ROLE_NAMES[guid];
}

/** A role for people: its built-in name, else its role definition GUID. */
export function roleLabel(roleDefinitionId: string): string {
  return builtInRoleName(roleDefinitionId) ?? roleDefinitionId.slice(roleDefinitionId.lastIndexOf("/") + 1);
}
