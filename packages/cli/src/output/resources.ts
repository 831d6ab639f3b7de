import { type UserAssignedIdentityInfo, type VmCreateResult, type VmExtensionResource, parseUserAssignedIdentityId } from "azure-vm-identity";
import { identityTable } from "./identity.js";
import { cell, formatKeyValues, formatTable } from "./table.js";

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

/** The MSI extension of several VMs, one row each: the VM, its group, and the extension's name and state, or `-` when it is not installed. */
export function extensionsTable(vms: readonly { name: string; resourceGroup: string; [key: string]: unknown }[], width: number): string {
  return formatTable(
    ["VM", "RESOURCE GROUP", "EXTENSION", "STATE"],
    vms.map((vm) => {
      const extension = vm["extension"] as VmExtensionResource | null | undefined;
      return [vm.name, vm.resourceGroup, extension ? cell(extension.name) : "-", extension ? cell(extension.properties?.provisioningState) : "not installed"];
    }),
    { width },
  );
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

/** A user-assigned identity as `az identity list` prints it: ARM's fields in key order, with `resourceGroup` from its id. */
export function identityListEntry(info: UserAssignedIdentityInfo): Record<string, unknown> {
  let resourceGroup: string | undefined;
  try {
    resourceGroup = parseUserAssignedIdentityId(info.id).resourceGroup;
  } catch {
    resourceGroup = undefined;
  }
  return {
    clientId: info.clientId,
    id: info.id,
    location: info.location,
    name: info.name,
    principalId: info.principalId,
    resourceGroup: resourceGroup ?? null,
    tags: info.tags ?? {},
    tenantId: info.tenantId,
    type: "Microsoft.ManagedIdentity/userAssignedIdentities",
  };
}

/**
 * User-assigned identities for people, one row each, headed as the Azure
 * CLI heads its tables: name, resource group, location and client id (the
 * id a workload asks a token for); principal and tenant ids are in -o json
 * and -o tsv, so that a row fits the width with no id cut.
 */
export function identityListTable(entries: readonly Record<string, unknown>[], width: number): string {
  if (entries.length === 0) return "No user-assigned identity found.\n";
  return formatTable(
    ["Name", "ResourceGroup", "Location", "ClientId"],
    entries.map((e) => [cell(e["name"] as string), cell(e["resourceGroup"] as string), cell(e["location"] as string), cell(e["clientId"] as string)]),
    { width, rule: true, keep: [3] },
  );
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
