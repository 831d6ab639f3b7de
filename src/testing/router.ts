/** Maps a request to its route handler; the route table lives here. */
import type { EmulatorState, RouteHandler, RouteRequest } from "./context.js";
import { ArmError, errorResponse, responseOf } from "./errors.js";
import { decodePath, matchTemplate, template, type RouteParams, type Template } from "./resourceIds.js";
import type { ArmResponse } from "./response.js";
import { createExtensionRoutes } from "./routes/extensions.js";
import { createOperationRoutes } from "./routes/operations.js";
import { createUaiRoutes } from "./routes/uais.js";
import { createVmRoutes } from "./routes/vms.js";

/**
 * A route: a path template, or a matcher for paths a template cannot
 * describe (scopes of any depth). A route without a `subscriptionId` capture
 * lies above every subscription.
 */
export type Route = { methods: Partial<Record<string, RouteHandler>> } & (
  | { template: Template }
  | { match(segments: readonly string[]): RouteParams | undefined }
);

const RG = "subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}";
const VM = `${RG}/providers/Microsoft.Compute/virtualMachines/{vmName}`;
const LOCATION = "subscriptions/{subscriptionId}/providers/Microsoft.Compute/locations/{location}";

/** Creates the router: `(request) => response`, ARM errors included; `extraRoutes` are tried first. */
export function createRouter(state: EmulatorState, extraRoutes: readonly Route[] = []): (req: RouteRequest) => ArmResponse {
  const vms = createVmRoutes(state);
  const extensions = createExtensionRoutes(state);
  const uais = createUaiRoutes(state);
  const operations = createOperationRoutes(state);
  const routes: Route[] = [
    ...extraRoutes,
    { template: template(VM), methods: { GET: vms.get, PUT: vms.put, PATCH: vms.patch } },
    {
      template: template(`${VM}/extensions/{extensionName}`),
      methods: { GET: extensions.get, PUT: extensions.put, DELETE: extensions.delete },
    },
    {
      template: template(`${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{identityName}`),
      methods: { GET: uais.get, PUT: uais.put, DELETE: uais.delete },
    },
    { template: template(`${LOCATION}/operations/{operationId}`), methods: { GET: operations.status } },
    { template: template(`${LOCATION}/operationResults/{operationId}`), methods: { GET: operations.result } },
  ];

  return (req) => {
    const segments = decodePath(req.url.pathname);
    if (!segments) return errorResponse(400, "BadRequest", "The request path holds an invalid percent-encoded segment.");
    for (const route of routes) {
      const params = "match" in route ? route.match(segments) : matchTemplate(segments, route.template);
      if (!params) continue;
      if (params.subscriptionId !== undefined && params.subscriptionId.toLowerCase() !== state.subscriptionId.toLowerCase()) {
        return errorResponse(404, "SubscriptionNotFound", `The subscription '${params.subscriptionId}' could not be found.`);
      }
      const handler = route.methods[req.method];
      if (!handler) {
        return errorResponse(
          405,
          "MethodNotAllowed",
          `The requested resource does not support http method '${req.method}'.`,
          undefined,
          { Allow: Object.keys(route.methods).join(", ") },
        );
      }
      try {
        return handler(req, params);
      } catch (err) {
        if (err instanceof ArmError) return responseOf(err);
        throw err;
      }
    }
    return errorResponse(
      404,
      "NotFound",
      `No route for ${req.method} ${req.url.pathname}: the emulator serves virtual machines, their extensions, ` +
        "user-assigned identities and operation status URLs.",
    );
  };
}
