/** The requests of role definitions and role assignments (Microsoft.Authorization), exactly as sent. */
import type { ArmTarget } from "./armRequests.js";
import { armRequest, type RawArmRequest } from "./request.js";
import { encodeResourcePath } from "./resourceId.js";

/** The `principalType` every grant sends: managed identities are service principals, and naming it spares most replication-delay failures. */
export const MANAGED_IDENTITY_PRINCIPAL_TYPE = "ServicePrincipal";

const PROVIDER = ["providers", "Microsoft.Authorization"];

function segmentsOf(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

function authorizationUrl(target: ArmTarget, scope: string, tail: string[], query: Record<string, string> = {}): string {
  const params = [...Object.entries(query), ["api-version", target.apiVersions.authorization]]
    .map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`)
    .join("&");
  return `${target.endpoint}${encodeResourcePath([...segmentsOf(scope), ...PROVIDER, ...tail])}?${params}`;
}

/** An OData string literal: quoted, a quote inside doubled. */
const odataString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** `GET {scope}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName eq '<name>'`: the roles of that name assignable at the scope. */
export function listRoleDefinitionsByNameRequest(target: ArmTarget, scope: string, roleName: string): RawArmRequest {
  return armRequest("GET", authorizationUrl(target, scope, ["roleDefinitions"], { $filter: `roleName eq ${odataString(roleName)}` }));
}

/** `GET {scope}/providers/Microsoft.Authorization/roleAssignments?$filter=principalId eq '<id>'`: a principal's assignments at, above and below the scope. */
export function listRoleAssignmentsRequest(target: ArmTarget, scope: string, principalId: string): RawArmRequest {
  return armRequest("GET", authorizationUrl(target, scope, ["roleAssignments"], { $filter: `principalId eq ${odataString(principalId)}` }));
}

/** The URL of one role assignment, by scope and name. */
export function roleAssignmentUrl(target: ArmTarget, scope: string, name: string): string {
  return authorizationUrl(target, scope, ["roleAssignments", name]);
}

/** The body of a grant: the role, the principal and its type. */
export interface RoleAssignmentBody {
  properties: { roleDefinitionId: string; principalId: string; principalType: string };
}

/** `PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
export function putRoleAssignmentRequest(target: ArmTarget, scope: string, name: string, roleDefinitionId: string, principalId: string): RawArmRequest {
  const body: RoleAssignmentBody = { properties: { roleDefinitionId, principalId, principalType: MANAGED_IDENTITY_PRINCIPAL_TYPE } };
  return armRequest("PUT", roleAssignmentUrl(target, scope, name), body);
}

/**
 * The grant's PUT as a plan shows it while its principal does not exist yet
 * (a system identity the change enables): the name and the principal read
 * `<pending: ...>`, since both are known only once the principal is.
 */
export function pendingPutRoleAssignmentRequest(target: ArmTarget, scope: string, roleDefinitionId: string, principal: string): RawArmRequest {
  const url = roleAssignmentUrl(target, scope, "NAME").replace("/NAME?", "/<pending: derived from the scope, role and principal>?");
  const body: RoleAssignmentBody = { properties: { roleDefinitionId, principalId: principal, principalType: MANAGED_IDENTITY_PRINCIPAL_TYPE } };
  return armRequest("PUT", url, body);
}

/** `GET {scope}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
export function getRoleAssignmentRequest(target: ArmTarget, scope: string, name: string): RawArmRequest {
  return armRequest("GET", roleAssignmentUrl(target, scope, name));
}

/** `DELETE {scope}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
export function deleteRoleAssignmentRequest(target: ArmTarget, scope: string, name: string): RawArmRequest {
  return armRequest("DELETE", roleAssignmentUrl(target, scope, name));
}
