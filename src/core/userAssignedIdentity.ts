import { InvalidInputError, describeValue } from "./errors.js";
import { validateLocation } from "./validation.js";

/** A user-assigned identity. */
export interface UserAssignedIdentityInfo {
  /** Its full resource id, as ARM returns it. */
  id: string;
  /** The identity's name. */
  name: string;
  /** The identity's Azure region, as ARM reports it. */
  location: string;
  /** The identity's tags; `{}` when it has none. */
  tags: Record<string, string>;
  /** Object id of the identity's service principal, as ARM reports it; `""` when absent. */
  principalId: string;
  /** Client (application) id of the identity, as ARM reports it; `""` when absent. */
  clientId: string;
  /** Id of the tenant the identity's principal lives in, as ARM reports it; `""` when absent. */
  tenantId: string;
}

/** Options of `createOrUpdate()`. */
export interface UserAssignedIdentityDefinition {
  /** The Azure region of the identity, e.g. `westeurope`. */
  location: string;
  /** The identity's tags (string values); left out of the PUT when absent. */
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
