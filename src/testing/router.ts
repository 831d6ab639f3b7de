/**
 * Maps a request to its route handler. The VM, extension, identity, operation,
 * list and subscription tables live here; the scale-set and access-model
 * tables in extraRoutes.ts.
 */
import type { ComputePolicyName } from "./budgetTypes.js";
import { chargeCompute } from "./computeLimits.js";
import type { EmulatorState, RouteHandler, RouteRequest } from "./context.js";
import { ArmError, errorResponse, responseOf } from "./errors.js";
import { accessRoutes, rootAccessRoutes, scaleSetRoutes } from "./extraRoutes.js";
import { decodePath, matchTemplate, template, vmResourceId, type RouteParams, type Template } from "./resourceIds.js";
import type { ArmResponse } from "./response.js";
import { createExtensionRoutes } from "./routes/extensions.js";
import { createListRoutes } from "./routes/lists.js";
import { createOperationRoutes } from "./routes/operations.js";
import { createResourceGraphRoute } from "./routes/resourceGraph.js";
import { createSubscriptionRoutes } from "./routes/subscriptions.js";
import { createUaiRoutes } from "./routes/uais.js";
import { createVmRoutes } from "./routes/vms.js";

/** The Compute policy a method of a route is charged to, and the resource whose bucket it draws from. */
export interface ComputeCharge {
  policy: ComputePolicyName;
  resource?: (params: RouteParams) => string | undefined;
}

/**
 * A route: a path template, or a matcher for paths a template cannot describe
 * (scopes of any depth). Its handlers by method, and the Compute policies the
 * router charges before a handler runs.
 */
export type Route = {
  methods: Partial<Record<string, RouteHandler>>;
  compute?: Partial<Record<string, ComputeCharge>>;
} & ({ template: Template } | { match(segments: readonly string[]): RouteParams | undefined });

/** The parameters a route captures from a path, or undefined when it does not match. */
function matchRoute(route: Route, segments: readonly string[]): RouteParams | undefined {
  return "match" in route ? route.match(segments) : matchTemplate(segments, route.template);
}

const RG = "subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}";
const VM = `${RG}/providers/Microsoft.Compute/virtualMachines/{vmName}`;
const LOCATION = "subscriptions/{subscriptionId}/providers/Microsoft.Compute/locations/{location}";

/** The routes under `/subscriptions/{subscriptionId}`, bound to one subscription's state. */
function subscriptionRoutes(state: EmulatorState): Route[] {
  const vms = createVmRoutes(state);
  const extensions = createExtensionRoutes(state);
  const uais = createUaiRoutes(state);
  const operations = createOperationRoutes(state);
  const lists = createListRoutes(state);
  const subscriptions = createSubscriptionRoutes(state);
  const vm = (params: RouteParams) => vmResourceId(state.subscriptionId, params.resourceGroup ?? "", params.vmName ?? "");
  const operationTarget = (params: RouteParams) => state.operations.get(params.operationId ?? "")?.resourceId;
  return [
    ...accessRoutes(state),
    {
      template: template(VM),
      methods: { GET: vms.get, PUT: vms.put, PATCH: vms.patch },
      compute: {
        GET: { policy: "computeLowCostGet", resource: vm },
        PUT: { policy: "computePutVm", resource: vm },
        PATCH: { policy: "computeUpdateVm", resource: vm },
      },
    },
    {
      template: template(`${VM}/extensions/{extensionName}`),
      methods: { GET: extensions.get, PUT: extensions.put, DELETE: extensions.delete },
      compute: {
        GET: { policy: "computeLowCostGet", resource: vm },
        PUT: { policy: "computeUpdateVm", resource: vm },
        DELETE: { policy: "computeUpdateVm", resource: vm },
      },
    },
    {
      template: template(`${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{identityName}`),
      methods: { GET: uais.get, PUT: uais.put, DELETE: uais.delete },
    },
    {
      template: template(`${LOCATION}/operations/{operationId}`),
      methods: { GET: operations.status },
      compute: { GET: { policy: "computeGetOperation", resource: operationTarget } },
    },
    {
      template: template(`${LOCATION}/operationResults/{operationId}`),
      methods: { GET: operations.result },
      compute: { GET: { policy: "computeGetOperation", resource: operationTarget } },
    },
    {
      template: template("subscriptions/{subscriptionId}/providers/Microsoft.Compute/virtualMachines"),
      methods: { GET: lists.vmsOfSubscription },
      compute: { GET: { policy: "computeHighCostGet" } },
    },
    {
      template: template(`${RG}/providers/Microsoft.Compute/virtualMachines`),
      methods: { GET: lists.vmsOfResourceGroup },
      compute: { GET: { policy: "computeHighCostGet" } },
    },
    {
      template: template("subscriptions/{subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"),
      methods: { GET: lists.uaisOfSubscription },
    },
    {
      template: template(`${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`),
      methods: { GET: lists.uaisOfResourceGroup },
    },
    ...scaleSetRoutes(state),
    { template: template("subscriptions/{subscriptionId}"), methods: { GET: subscriptions.get } },
  ];
}

/** The routes above any one subscription. */
function tenantRoutes(subscriptions: ReadonlyMap<string, EmulatorState>): Route[] {
  const first = subscriptions.values().next().value as EmulatorState;
  return [
    { template: template("subscriptions"), methods: { GET: createSubscriptionRoutes(first).list } },
    { template: template("providers/Microsoft.ResourceGraph/resources"), methods: { POST: createResourceGraphRoute(subscriptions) } },
    ...rootAccessRoutes(first),
  ];
}

/**
 * Creates the router over every subscription's state: `(request) => response`,
 * ARM errors included. Routes under `/subscriptions/{id}` are answered by that
 * subscription's handlers; an unknown id is 404 `SubscriptionNotFound`.
 */
export function createRouter(subscriptions: ReadonlyMap<string, EmulatorState>): (req: RouteRequest) => ArmResponse {
  const tables = new Map([...subscriptions].map(([id, state]) => [id, subscriptionRoutes(state)]));
  // Matching does not depend on the subscription: the first table's routes match for all.
  const matchers = tables.values().next().value as Route[];
  const tenant = tenantRoutes(subscriptions);
  const { preconditionFailedCode } = (subscriptions.values().next().value as EmulatorState).config;

  function dispatch(route: Route, state: EmulatorState | undefined, req: RouteRequest, params: RouteParams): ArmResponse {
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
      const charge = route.compute?.[req.method];
      if (state && charge) chargeCompute(state, req, charge.policy, charge.resource?.(params));
      return handler(req, params);
    } catch (err) {
      if (!(err instanceof ArmError)) throw err;
      // Every failed condition answers with the configured code (ARM's is unconfirmed).
      return err.status === 412 ? responseOf(new ArmError(412, preconditionFailedCode, err.message, err.target, err.extras)) : responseOf(err);
    }
  }

  return (req) => {
    const segments = decodePath(req.url.pathname);
    if (!segments) return errorResponse(400, "BadRequest", "The request path holds an invalid percent-encoded segment.");
    for (const route of tenant) {
      const params = matchRoute(route, segments);
      if (params) return dispatch(route, undefined, req, params);
    }
    for (const [index, route] of matchers.entries()) {
      const params = matchRoute(route, segments);
      if (!params) continue;
      const state = subscriptions.get(params.subscriptionId?.toLowerCase() ?? "");
      const table = tables.get(params.subscriptionId?.toLowerCase() ?? "");
      if (!state || !table) {
        return errorResponse(404, "SubscriptionNotFound", `The subscription '${params.subscriptionId}' could not be found.`);
      }
      return dispatch(table[index] as Route, state, req, params);
    }
    return errorResponse(
      404,
      "NotFound",
      `No route for ${req.method} ${req.url.pathname}: the emulator serves virtual machines and their extensions; ` +
        "virtual machine scale sets, their extensions, instances and manualupgrade; user-assigned identities; " +
        "role definitions and role assignments at subscription, resource group and resource scopes (role definitions also at the root); " +
        "operation status URLs; subscriptions; lists of virtual machines, scale sets and user-assigned identities; " +
        "and Resource Graph queries.",
    );
  };
}
