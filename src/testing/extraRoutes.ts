/**
 * The route tables of the scale sets and of the access model (role
 * definitions and assignments at any scope), with the Compute policies each
 * scale-set method is charged to. Part of every subscription's table (see router.ts).
 */
import type { EmulatorState } from "./context.js";
import { template, type RouteParams } from "./resourceIds.js";
import type { Route } from "./router.js";
import { createRoleAssignmentRoutes } from "./routes/roleAssignments.js";
import { createRoleDefinitionRoutes } from "./routes/roleDefinitions.js";
import { createScaleSetExtensionRoutes } from "./routes/scaleSetExtensions.js";
import { createScaleSetInstanceRoutes } from "./routes/scaleSetInstances.js";
import { createScaleSetRoutes } from "./routes/scaleSets.js";
import { vmssResourceId } from "./scaleSetStore.js";
import { isResourceScope, scopeOf, subscriptionOfScope } from "./scopes.js";

const RG = "subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}";
const VMSS = `${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/{vmssName}`;

/**
 * Matches `{scope}/providers/Microsoft.Authorization/{collection}[/{name}]`,
 * capturing `scope` (with a leading slash), the name as `nameParam`, and the
 * scope's subscription. The scope is a subscription, a resource group or a
 * resource; with `root`, only the root scope `/` (no subscription) instead.
 */
function scoped(collection: string, nameParam: string | undefined, { root = false } = {}): (segments: readonly string[]) => RouteParams | undefined {
  const tail = nameParam === undefined ? 3 : 4;
  return (segments: readonly string[]) => {
    const at = segments.length - tail;
    if (at < 0) return undefined;
    const [providers, namespace, kind] = segments.slice(at, at + 3).map((s) => s.toLowerCase());
    if (providers !== "providers" || namespace !== "microsoft.authorization" || kind !== collection.toLowerCase()) return undefined;
    const scope = segments.slice(0, at);
    if (root ? scope.length > 0 : !isResourceScope(scope)) return undefined;
    const params: RouteParams = { scope: scopeOf(scope) };
    if (nameParam !== undefined) params[nameParam] = segments[segments.length - 1] as string;
    const subscriptionId = subscriptionOfScope(scope);
    if (subscriptionId !== undefined) params.subscriptionId = subscriptionId;
    return params;
  };
}

/** Role definitions and assignments at scopes in one subscription. */
export function accessRoutes(state: EmulatorState): Route[] {
  const assignments = createRoleAssignmentRoutes(state);
  const definitions = createRoleDefinitionRoutes(state);
  return [
    { match: scoped("roleAssignments", undefined), methods: { GET: assignments.list } },
    {
      match: scoped("roleAssignments", "roleAssignmentName"),
      methods: { GET: assignments.get, PUT: assignments.put, DELETE: assignments.delete },
    },
    { match: scoped("roleDefinitions", undefined), methods: { GET: definitions.list } },
    { match: scoped("roleDefinitions", "roleDefinitionName"), methods: { GET: definitions.get } },
  ];
}

/** Role definitions at the root scope, above every subscription. */
export function rootAccessRoutes(state: Pick<EmulatorState, "access">): Route[] {
  const definitions = createRoleDefinitionRoutes(state);
  return [
    { match: scoped("roleDefinitions", undefined, { root: true }), methods: { GET: definitions.list } },
    { match: scoped("roleDefinitions", "roleDefinitionName", { root: true }), methods: { GET: definitions.get } },
  ];
}

/**
 * The scale-set routes of one subscription. Writes (PUT, PATCH, extension PUT
 * and DELETE, `manualupgrade`) are charged to Compute's `UpdateVMScaleSet`
 * per scale set; GETs of a scale set, its extensions and instances to
 * `LowCostGet` per scale set; lists, instance lists included, to `HighCostGet`.
 */
export function scaleSetRoutes(state: EmulatorState): Route[] {
  const scaleSets = createScaleSetRoutes(state);
  const extensions = createScaleSetExtensionRoutes(state);
  const instances = createScaleSetInstanceRoutes(state);
  const vmss = (params: RouteParams) => vmssResourceId(state.subscriptionId, params.resourceGroup ?? "", params.vmssName ?? "");
  const get = { policy: "computeLowCostGet", resource: vmss } as const;
  const update = { policy: "computeUpdateVmss", resource: vmss } as const;
  const list = { policy: "computeHighCostGet" } as const;
  return [
    {
      template: template("subscriptions/{subscriptionId}/providers/Microsoft.Compute/virtualMachineScaleSets"),
      methods: { GET: scaleSets.listInSubscription },
      compute: { GET: list },
    },
    {
      template: template(`${RG}/providers/Microsoft.Compute/virtualMachineScaleSets`),
      methods: { GET: scaleSets.listInResourceGroup },
      compute: { GET: list },
    },
    {
      template: template(VMSS),
      methods: { GET: scaleSets.get, PUT: scaleSets.put, PATCH: scaleSets.patch },
      compute: { GET: get, PUT: update, PATCH: update },
    },
    {
      template: template(`${VMSS}/extensions/{extensionName}`),
      methods: { GET: extensions.get, PUT: extensions.put, DELETE: extensions.delete },
      compute: { GET: get, PUT: update, DELETE: update },
    },
    { template: template(`${VMSS}/virtualMachines`), methods: { GET: instances.list }, compute: { GET: list } },
    { template: template(`${VMSS}/virtualMachines/{instanceId}`), methods: { GET: instances.get }, compute: { GET: get } },
    { template: template(`${VMSS}/manualupgrade`), methods: { POST: instances.manualUpgrade }, compute: { POST: update } },
  ];
}
