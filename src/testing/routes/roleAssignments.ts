/**
 * Role assignments at any scope: `{scope}/providers/Microsoft.Authorization/roleAssignments[/{name}]`,
 * with ARM's rules for names, duplicates, principals and the per-subscription limit.
 */
import type { PrincipalType } from "../accessTypes.js";
import type { EmulatorState, RouteHandler, RouteRequest } from "../context.js";
import { ArmError } from "../errors.js";
import { GUID } from "../guid.js";
import { AUTHORIZATION_PAGING, listAnswer } from "../paging.js";
import { objectBody, optionalObject } from "../requestBody.js";
import { captures } from "../resourceIds.js";
import { empty, json } from "../response.js";
import { renderRoleAssignment, type RoleAssignmentRecord } from "../roleAssignmentStore.js";
import { parseRoleDefinitionId, roleDefinitionId } from "../roleDefinitions.js";
import { isWithinScope, scopeKey, scopeOf, scopeSegments } from "../scopes.js";
import { roleDefinitionNotFound } from "./roleDefinitions.js";

/** The values ARM accepts in `properties.principalType`, by lower-cased spelling. */
export const PRINCIPAL_TYPES: ReadonlyMap<string, PrincipalType> = new Map(
  (["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"] as const).map((t) => [t.toLowerCase(), t]),
);

const badRequest = (code: string, message: string, target?: string) => new ArmError(400, code, message, target);

function optionalString(value: unknown, target: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw badRequest("InvalidParameter", `The value of parameter ${target} must be a string.`, target);
  return value;
}

/** A parsed `$filter`: which assignments around the scope a list returns. */
interface ListFilter {
  /** `atScope()`: only those at the scope or above it (else below it too). */
  atScope: boolean;
  principalId?: string;
}

function parseFilter(filter: string | null): ListFilter {
  const result: ListFilter = { atScope: false };
  if (filter === null || filter.trim() === "") return result;
  for (const term of filter.split(/\s+and\s+/i).map((t) => t.trim())) {
    const principal = /^(?:principalId\s+eq\s+'([^']*)'|assignedTo\('([^']*)'\))$/i.exec(term);
    if (/^atScope\(\)$/i.test(term)) result.atScope = true;
    else if (principal) result.principalId = (principal[1] ?? principal[2]) as string;
    else {
      throw badRequest(
        "InvalidFilter",
        `The filter '${filter}' is not supported: use atScope(), principalId eq '{id}' or assignedTo('{id}'), joined with 'and'.`,
      );
    }
  }
  return result;
}

/** Creates the role assignment handlers; routes capture `scope` (with a leading slash) and `roleAssignmentName`. */
export function createRoleAssignmentRoutes(state: EmulatorState): {
  list: RouteHandler;
  get: RouteHandler;
  put: RouteHandler;
  delete: RouteHandler;
} {
  const { assignments, directory, definitions } = state.access;
  const config = state.config.access;

  /** The view of an assignment; an orphan's principal type as configured. */
  function render(record: RoleAssignmentRecord) {
    const orphan = directory.find(record.principalId) === undefined;
    return renderRoleAssignment(record, orphan && config.orphanPrincipalType === "Unknown" ? "Unknown" : record.principalType);
  }

  /** The assignment named in the route, if it lies at the route's scope. */
  function atRoute(params: Record<string, string>): RoleAssignmentRecord | undefined {
    const { scope, roleAssignmentName } = captures(params, "scope", "roleAssignmentName");
    const record = assignments.byName(roleAssignmentName);
    return record && scopeKey(record.scope) === scopeKey(scope) ? record : undefined;
  }

  /** Validates the principal as ARM's directory lookup would; returns the type to store. */
  function principalTypeFor(principalId: string, given: PrincipalType | undefined): string {
    const principal = directory.find(principalId);
    const replicating = principal !== undefined && state.clock.now() < principal.createdAt + config.principalReplicationDelayMs;
    if (!principal || (replicating && given === undefined)) {
      throw badRequest(
        "PrincipalNotFound",
        `Principal ${principalId.replace(/-/g, "")} does not exist in the directory ${state.tenantId}. Check the principal id. ` +
          "A principal created moments ago may not have replicated yet: give the role assignment's principalType " +
          "(such as ServicePrincipal, User or Group), or retry later.",
      );
    }
    if (given !== undefined && !replicating && given !== principal.type) {
      throw badRequest(
        "UnmatchedPrincipalType",
        `The principal '${principalId}' has type '${principal.type}', which is not the principalType '${given}' the request gives.`,
      );
    }
    return given ?? principal.type;
  }

  function parsePut(req: RouteRequest, scope: string, name: string) {
    if (!GUID.test(name)) {
      throw badRequest("InvalidRoleAssignmentId", `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`);
    }
    const properties = optionalObject(objectBody(req).properties, "properties") ?? {};
    const role = typeof properties.roleDefinitionId === "string" ? parseRoleDefinitionId(properties.roleDefinitionId) : undefined;
    if (!role) {
      throw badRequest(
        "InvalidRoleDefinitionId",
        `The role definition ID '${String(properties.roleDefinitionId)}' is not valid. Expected ` +
          "/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{guid}.",
        "properties.roleDefinitionId",
      );
    }
    const { principalId, principalType } = properties;
    if (typeof principalId !== "string" || !GUID.test(principalId)) {
      throw badRequest("InvalidPrincipalId", `The principal ID '${String(principalId)}' is not valid. It must be a GUID.`, "properties.principalId");
    }
    const given = principalType === undefined || principalType === null ? undefined : PRINCIPAL_TYPES.get(String(principalType).toLowerCase());
    if (principalType !== undefined && principalType !== null && given === undefined) {
      throw badRequest(
        "InvalidParameter",
        `The value '${String(principalType)}' of parameter properties.principalType is invalid. Allowed values are ${[...PRINCIPAL_TYPES.values()].join(", ")}.`,
        "properties.principalType",
      );
    }
    const sameSubscription = role.subscriptionId === undefined || role.subscriptionId.toLowerCase() === state.subscriptionId.toLowerCase();
    const definition = sameSubscription ? definitions.find(role.guid) : undefined;
    if (!definition) throw roleDefinitionNotFound(role.guid, 400);
    return {
      scope: scopeOf(scopeSegments(scope)),
      name,
      roleGuid: definition.guid,
      principalId,
      given,
      description: optionalString(properties.description, "properties.description"),
      condition: optionalString(properties.condition, "properties.condition"),
      conditionVersion: optionalString(properties.conditionVersion, "properties.conditionVersion"),
    };
  }

  return {
    list(req, params) {
      const { scope } = captures(params, "scope");
      const filter = parseFilter(req.url.searchParams.get("$filter"));
      const matching = assignments.all().filter(
        (record) =>
          (isWithinScope(scope, record.scope) || (!filter.atScope && isWithinScope(record.scope, scope))) &&
          (filter.principalId === undefined || record.principalId.toLowerCase() === filter.principalId.toLowerCase()),
      );
      return json(listAnswer(matching, req, state.config.listPageSize, render, AUTHORIZATION_PAGING));
    },

    get(_req, params) {
      const record = atRoute(params);
      if (!record) {
        const { roleAssignmentName } = captures(params, "roleAssignmentName");
        throw new ArmError(404, "RoleAssignmentNotFound", `The role assignment '${roleAssignmentName}' is not found.`);
      }
      return json(render(record));
    },

    put(req, params) {
      const { scope: routeScope, roleAssignmentName } = captures(params, "scope", "roleAssignmentName");
      const request = parsePut(req, routeScope, roleAssignmentName);
      const existing = assignments.byName(request.name);
      if (existing) {
        const same =
          scopeKey(existing.scope) === scopeKey(request.scope) &&
          existing.roleGuid === request.roleGuid &&
          existing.principalId.toLowerCase() === request.principalId.toLowerCase();
        if (!same) {
          throw badRequest(
            "RoleAssignmentUpdateNotPermitted",
            "Tenant ID, application ID, principal ID, and scope are not allowed to be updated: the role assignment " +
              `'${request.name}' exists for another principal, role or scope.`,
          );
        }
        return json(render(existing), config.roleAssignmentRepeatStatus);
      }
      const principalType = principalTypeFor(request.principalId, request.given);
      if (assignments.find(request.scope, request.roleGuid, request.principalId)) {
        throw new ArmError(409, "RoleAssignmentExists", "The role assignment already exists.");
      }
      if (assignments.countIn(state.subscriptionId) >= config.roleAssignmentLimit) {
        throw badRequest(
          "RoleAssignmentLimitExceeded",
          `No more role assignments can be created: subscription '${state.subscriptionId}' holds ` +
            `${config.roleAssignmentLimit}, its limit. Assign roles to groups or shared identities instead.`,
        );
      }
      const record: RoleAssignmentRecord = {
        name: request.name,
        scope: request.scope,
        roleGuid: request.roleGuid,
        roleDefinitionId: roleDefinitionId(state.subscriptionId, request.roleGuid),
        principalId: request.principalId,
        principalType,
        description: request.description,
        condition: request.condition,
        conditionVersion: request.conditionVersion,
        createdOn: new Date(state.clock.now()).toISOString(),
        createdBy: req.principal.objectId,
      };
      assignments.add(record);
      return json(render(record), 201);
    },

    delete(_req, params) {
      const record = atRoute(params);
      if (!record) return empty(204);
      assignments.delete(record.name);
      return json(render(record), 200);
    },
  };
}
