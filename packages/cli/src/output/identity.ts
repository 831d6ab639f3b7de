import type { IdentityResult, VmIdentity } from "azure-vm-identity";
import { cell, formatTable } from "./table.js";

/** The identities of a VM as a table: one row per identity (system first), or a note when there is none. */
export function identityTable(identity: VmIdentity): string {
  const rows: string[][] = [];
  if (identity.type === "SystemAssigned" || identity.type === "SystemAssigned, UserAssigned") {
    rows.push(["SystemAssigned", cell(identity.systemAssigned?.principalId), "-", cell(identity.systemAssigned?.tenantId), "-"]);
  }
  for (const uai of identity.userAssigned) {
    rows.push(["UserAssigned", cell(uai.principalId), cell(uai.clientId), "-", uai.id]);
  }
  if (rows.length === 0) return `Type: ${identity.type} (no managed identity)\n`;
  return `Type: ${identity.type}\n\n` + formatTable(["KIND", "PRINCIPAL ID", "CLIENT ID", "TENANT ID", "RESOURCE ID"], rows);
}

/** An identity change's outcome: whether a write was made, then the identity read back. */
export function identityResultTable(result: IdentityResult): string {
  const changed = result.changed ? "Changed." : "Nothing to change: the VM already had this identity.";
  return `${changed}\n${identityTable(result.identity)}`;
}

/** A one-line summary, e.g. `SystemAssigned, UserAssigned (2 user-assigned)`. */
export function identitySummary(identity: VmIdentity): string {
  const n = identity.userAssigned.length;
  return n > 0 ? `${identity.type} (${n} user-assigned)` : identity.type;
}
