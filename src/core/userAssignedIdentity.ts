import { InvalidInputError, describeValue } from "./errors.js";
import { validateLocation } from "./validation.js";

/** A user-assigned identity. */
export interface UserAssignedIdentityInfo {
  /** Its full resource id, as ARM returns it. */
  id: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  principalId: string;
  clientId: string;
  tenantId: string;
}

/** Options of `createOrUpdate()`. */
export interface UserAssignedIdentityDefinition {
  location: string;
  tags?: Record<string, string>;
}

/** Read a user-assigned identity from its ARM JSON. */
export function userAssignedIdentityInfo(body: unknown): UserAssignedIdentityInfo {
  const raw = (body ?? {}) as Record<string, unknown>;
  const props = (raw["properties"] ?? {}) as Record<string, unknown>;
  const str = (v: unknown): string => (typeof v === "string" ? v : "");
  return {
    id: str(raw["id"]),
    name: str(raw["name"]),
    location: str(raw["location"]),
    tags: (raw["tags"] as Record<string, string> | undefined) ?? {},
    principalId: str(props["principalId"]),
    clientId: str(props["clientId"]),
    tenantId: str(props["tenantId"]),
  };
}

/** Check a definition before anything is sent. */
export function validateIdentityDefinition(definition: unknown): UserAssignedIdentityDefinition {
  const def = definition as UserAssignedIdentityDefinition | undefined;
  if (def === null || typeof def !== "object") {
    throw new InvalidInputError("InvalidDefinition", `Invalid identity definition ${describeValue(definition)}: expected { location, tags? }.`, definition);
  }
  validateLocation(def.location);
  if (def.tags !== undefined) {
    const ok = def.tags !== null && typeof def.tags === "object" && Object.values(def.tags).every((v) => typeof v === "string");
    if (!ok) throw new InvalidInputError("InvalidDefinition", `Invalid tags ${describeValue(def.tags)}: expected an object of string values.`, def.tags);
  }
  return def.tags === undefined ? { location: def.location } : { location: def.location, tags: def.tags };
}
