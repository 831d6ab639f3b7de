import { InvalidInputError, describeValue } from "./errors.js";
import { asRecord } from "./record.js";
import { fromArmIdentity, hasSystemAssigned, hasUserAssigned, identityTypeOf, parseIdentityType } from "./identity.js";
import { validateUserAssignedIdentityId } from "./resourceId.js";
import { type OsType, validateLocation, validateOsType } from "./validation.js";

/** A VM definition: the ARM body of a VM PUT (`location`, `properties`, `tags`, ...). */
export type VmDefinition = { location: string } & Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return asRecord(value) !== undefined;
}

/** Check a definition before anything is sent: an object with a valid `location`. */
export function validateVmDefinition(definition: unknown): VmDefinition {
  if (!isRecord(definition)) {
    throw new InvalidInputError("InvalidDefinition", `Invalid VM definition ${describeValue(definition)}: expected the VM's ARM body as an object with location and properties.`, definition);
  }
  if (definition["location"] === undefined) {
    throw new InvalidInputError("InvalidDefinition", "Invalid VM definition: location is required (e.g. \"westeurope\").", definition);
  }
  validateLocation(definition["location"]);
  if (definition["identity"] !== undefined) validateDefinitionIdentity(definition["identity"]);
  return definition as VmDefinition;
}

/**
 * An identity given in the definition is checked as ARM would check it in a
 * PUT, rather than silently rewritten: a known type, and a map (of `{}` values)
 * only with a type that includes `UserAssigned`.
 */
function validateDefinitionIdentity(identity: unknown): void {
  const fail = (why: string): never => {
    throw new InvalidInputError("InvalidDefinition", `Invalid identity in the VM definition ${describeValue(identity)}: ${why}.`, identity);
  };
  if (!isRecord(identity)) return fail("expected an object such as { type: \"SystemAssigned\" }");
  const type = parseIdentityType(identity["type"]);
  if (!type) return fail('type must be "None", "SystemAssigned", "UserAssigned" or "SystemAssigned, UserAssigned"');
  const map = identity["userAssignedIdentities"];
  if (map === undefined || map === null) {
    if (hasUserAssigned(type)) fail("a UserAssigned type needs userAssignedIdentities");
    return;
  }
  if (!isRecord(map)) return fail("userAssignedIdentities must be an object keyed by identity id");
  if (!hasUserAssigned(type)) fail(`userAssignedIdentities must not be given with type "${type}"`);
  if (Object.keys(map).length === 0) fail("userAssignedIdentities must not be empty");
  for (const [id, value] of Object.entries(map)) {
    validateUserAssignedIdentityId(id);
    if (!isRecord(value)) fail(`the value for '${id}' must be {} (null removes an identity only in a PATCH)`);
  }
}

/**
 * The PUT body for a new VM: the caller's definition with the requested
 * identities merged into any it already names. In a PUT every user-assigned
 * value is `{}` (null is valid only in a PATCH).
 */
export function buildCreateVmBody(definition: VmDefinition, systemAssigned: boolean, userAssignedIds: readonly string[]): VmDefinition {
  const given = fromArmIdentity(definition["identity"]);
  const ids = new Map<string, string>();
  for (const id of [...given.userAssigned.map((ref) => ref.id), ...userAssignedIds]) {
    validateUserAssignedIdentityId(id);
    if (!ids.has(id.toLowerCase())) ids.set(id.toLowerCase(), id);
  }
  const type = identityTypeOf(systemAssigned || hasSystemAssigned(given.type), ids.size > 0);
  if (type === "None") {
    const { identity: _dropped, ...rest } = definition;
    return (definition["identity"] === undefined ? definition : rest) as VmDefinition;
  }
  const identity: Record<string, unknown> = { type };
  if (ids.size > 0) identity["userAssignedIdentities"] = Object.fromEntries([...ids.values()].map((id) => [id, {}]));
  return { ...definition, identity };
}

/** The OS of a definition: its OS disk's type, else the kind of OS profile it has. */
export function osTypeOfDefinition(definition: VmDefinition): OsType | undefined {
  const properties = isRecord(definition["properties"]) ? definition["properties"] : {};
  const osDisk = (properties["storageProfile"] as { osDisk?: { osType?: unknown } } | undefined)?.osDisk;
  if (osDisk?.osType !== undefined) return validateOsType(osDisk.osType);
  const osProfile = properties["osProfile"] as Record<string, unknown> | undefined;
  if (osProfile?.["windowsConfiguration"]) return "Windows";
  if (osProfile?.["linuxConfiguration"]) return "Linux";
  return undefined;
}
