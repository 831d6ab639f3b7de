/** The route table of the access model and the scale sets, tried before the VM routes. */
import type { ExtendedState } from "./extendedContext.js";
import { template, type RouteParams } from "./resourceIds.js";
import type { Route } from "./router.js";
import { createRoleAssignmentRoutes } from "./routes/roleAssignments.js";
import { createRoleDefinitionRoutes } from "./routes/roleDefinitions.js";
import { createScaleSetExtensionRoutes } from "./routes/scaleSetExtensions.js";
import { createScaleSetInstanceRoutes } from "./routes/scaleSetInstances.js";
import { createScaleSetRoutes } from "./routes/scaleSets.js";
import { isResourceScope, scopeOf, subscriptionOfScope } from "./scopes.js";

const RG = "subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}";
const VMSS = `${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/{vmssName}`;

/**
 * Matches `{scope}/providers/Microsoft.Authorization/{collection}[/{name}]`,
 * capturing `scope` (with a leading slash), the name as `nameParam`, and the
 * scope's subscription. `aboveSubscriptions` also admits the root scope.
 */
function scoped(
  collection: string,
  nameParam: string | undefined,
  aboveSubscriptions: boolean,
): (segments: readonly string[]) => RouteParams | undefined {
  const tail = nameParam === undefined ? 3 : 4;
  return (segments: readonly string[]) => {
    const at = segments.length - tail;
    if (at < 0) return undefined;
    const [providers, namespace, kind] = segments.slice(at, at + 3).map((s) => s.toLowerCase());
    if (providers !== "providers" || namespace !== "microsoft.authorization" || kind !== collection.toLowerCase()) return undefined;
    const scope = segments.slice(0, at);
    if (!(scope.length === 0 ? aboveSubscriptions : isResourceScope(scope))) return undefined;
    const params: RouteParams = { scope: scopeOf(scope) };
    if (nameParam !== undefined) params[nameParam] = segments[segments.length - 1] as string;
    const subscriptionId = subscriptionOfScope(scope);
    if (subscriptionId !== undefined) params.subscriptionId = subscriptionId;
    return params;
  };
}

/** Creates the routes. */
export function createExtraRoutes(state: ExtendedState): Route[] {
  const assignments = createRoleAssignmentRoutes(state);
  const definitions = createRoleDefinitionRoutes(state);
  const scaleSets = createScaleSetRoutes(state);
  const extensions = createScaleSetExtensionRoutes(state);
  const instances = createScaleSetInstanceRoutes(state);
  return [
    { match: scoped("roleAssignments", undefined, false), methods: { GET: assignments.list } },
    {
      match: scoped("roleAssignments", "roleAssignmentName", false),
      methods: { GET: assignments.get, PUT: assignments.put, DELETE: assignments.delete },
    },
    { match: scoped("roleDefinitions", undefined, true), methods: { GET: definitions.list } },
    { match: scoped("roleDefinitions", "roleDefinitionName", true), methods: { GET: definitions.get } },
    {
      template: template("subscriptions/{subscriptionId}/providers/Microsoft.Compute/virtualMachineScaleSets"),
      methods: { GET: scaleSets.listInSubscription },
    },
    { template: template(`${RG}/providers/Microsoft.Compute/virtualMachineScaleSets`), methods: { GET: scaleSets.listInResourceGroup } },
    { template: template(VMSS), methods: { GET: scaleSets.get, PUT: scaleSets.put, PATCH: scaleSets.patch } },
    {
      template: template(`${VMSS}/extensions/{extensionName}`),
      methods: { GET: extensions.get, PUT: extensions.put, DELETE: extensions.delete },
    },
    { template: template(`${VMSS}/virtualMachines`), methods: { GET: instances.list } },
    { template: template(`${VMSS}/virtualMachines/{instanceId}`), methods: { GET: instances.get } },
    { template: template(`${VMSS}/manualupgrade`), methods: { POST: instances.manualUpgrade } },
  ];
}
