import type { ClientContext } from "../client/clientContext.js";
import {
  deleteUserAssignedIdentityRequest,
  getUserAssignedIdentityRequest,
  putUserAssignedIdentityRequest,
} from "../core/armRequests.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import { validateLocation } from "../core/validation.js";
import { InvalidInputError, describeValue } from "../errors.js";
import type { OperationContext } from "../http/operationContext.js";

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

function toInfo(body: unknown): UserAssignedIdentityInfo {
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

/** Create or update the identity (synchronous in ARM). */
export async function createOrUpdateIdentity(
  cc: ClientContext,
  uai: ResourceGroupScoped,
  definition: UserAssignedIdentityDefinition,
  ctx: OperationContext,
): Promise<UserAssignedIdentityInfo> {
  const response = await cc.http.send(putUserAssignedIdentityRequest(cc, uai, validateIdentityDefinition(definition)), ctx);
  return toInfo(response.body);
}

/** Get the identity; undefined when it does not exist. */
export async function getIdentityResource(
  cc: ClientContext,
  uai: ResourceGroupScoped,
  ctx: OperationContext,
): Promise<UserAssignedIdentityInfo | undefined> {
  const response = await cc.http.send(getUserAssignedIdentityRequest(cc, uai), ctx, { allowStatuses: [404] });
  return response.status === 404 ? undefined : toInfo(response.body);
}

/** Delete the identity; `deleted` is false when it did not exist. */
export async function deleteIdentityResource(
  cc: ClientContext,
  uai: ResourceGroupScoped,
  ctx: OperationContext,
): Promise<{ deleted: boolean }> {
  const response = await cc.http.send(deleteUserAssignedIdentityRequest(cc, uai), ctx, { allowStatuses: [404] });
  return { deleted: response.status !== 204 && response.status !== 404 };
}
