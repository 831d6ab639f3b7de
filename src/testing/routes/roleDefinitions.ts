/** `GET {scope}/providers/Microsoft.Authorization/roleDefinitions[/{guid}]`, at any scope. */
import type { EmulatorState, RouteHandler } from "../context.js";
import { ArmError } from "../errors.js";
import { renderRoleDefinition } from "../roleDefinitions.js";
import { captures } from "../resourceIds.js";
import { json } from "../response.js";
import { scopeSegments, subscriptionOfScope } from "../scopes.js";

/** `roleName eq 'Reader'` (a quote inside doubled), the one filter role definition lists take. */
const ROLE_NAME_FILTER = /^\s*roleName\s+eq\s+'((?:[^']|'')*)'\s*$/i;

/** 404 `RoleDefinitionDoesNotExist`. */
export function roleDefinitionNotFound(guid: string, status = 404): ArmError {
  return new ArmError(status, "RoleDefinitionDoesNotExist", `The specified role definition with ID '${guid}' does not exist.`);
}

/** Creates the role definition handlers; routes capture `scope` (with a leading slash). */
export function createRoleDefinitionRoutes(state: Pick<EmulatorState, "access">): { list: RouteHandler; get: RouteHandler } {
  const { definitions } = state.access;
  const subscriptionOf = (scope: string) => subscriptionOfScope(scopeSegments(scope));

  return {
    list(req, params) {
      const { scope } = captures(params, "scope");
      const filter = req.url.searchParams.get("$filter");
      let roleName: string | undefined;
      if (filter !== null) {
        const m = ROLE_NAME_FILTER.exec(filter);
        if (!m) {
          throw new ArmError(400, "InvalidFilter", `The filter '${filter}' is not supported: use $filter=roleName eq '{name}'.`);
        }
        roleName = (m[1] as string).replace(/''/g, "'");
      }
      const value = definitions.assignableAt(scope, roleName).map((role) => renderRoleDefinition(role, subscriptionOf(scope)));
      return json({ value });
    },

    get(_req, params) {
      const { scope, roleDefinitionName: guid } = captures(params, "scope", "roleDefinitionName");
      const role = definitions.find(guid);
      if (!role) throw roleDefinitionNotFound(guid);
      return json(renderRoleDefinition(role, subscriptionOf(scope)));
    },
  };
}
