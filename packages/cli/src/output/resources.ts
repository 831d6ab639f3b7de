import type { UserAssignedIdentityInfo, VmCreateResult, VmExtensionResource } from "azure-vm-identity";
import { identityTable } from "./identity.js";
import { cell, formatKeyValues } from "./table.js";

/** A VM extension as `key  value` lines. */
export function extensionTable(extension: VmExtensionResource, width: number): string {
  const p = extension.properties ?? {};
  return formatKeyValues([
    ["NAME", cell(extension.name)],
    ["TYPE", cell(p.type)],
    ["PUBLISHER", cell(p.publisher)],
    ["VERSION", cell(p.typeHandlerVersion)],
    ["PORT", cell(p.settings?.port)],
    ["LOCATION", cell(extension.location)],
    ["STATE", cell(p.provisioningState)],
    ["ID", cell(extension.id)],
  ], { width });
}

/** A user-assigned identity as `key  value` lines. */
export function userAssignedIdentityTable(info: UserAssignedIdentityInfo, width: number): string {
  const tags = Object.entries(info.tags ?? {}).map(([k, v]) => `${k}=${v}`).join(", ");
  return formatKeyValues([
    ["NAME", cell(info.name)],
    ["LOCATION", cell(info.location)],
    ["PRINCIPAL ID", cell(info.principalId)],
    ["CLIENT ID", cell(info.clientId)],
    ["TENANT ID", cell(info.tenantId)],
    ["TAGS", cell(tags)],
    ["ID", cell(info.id)],
  ], { width });
}

/** A created VM: its id and state, its identity, and the extension when one was installed. */
export function createResultTable(result: VmCreateResult, width: number): string {
  const vm = result.vm as { id?: string; properties?: { provisioningState?: string } };
  let out = formatKeyValues(
    [
      ["VM", cell(vm.id)],
      ["STATE", cell(vm.properties?.provisioningState)],
    ],
    { width },
  );
  out += "\n" + identityTable(result.identity, width);
  if (result.extension) out += "\nExtension:\n" + extensionTable(result.extension, width);
  return out;
}
