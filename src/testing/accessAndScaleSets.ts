/**
 * Wires the access model (roles, assignments, principals, denials) and the
 * scale sets into an emulator: their state and options, their routes, the
 * authorization check every request passes, the directory kept in step with
 * the resources, and their part of the {@link FakeArm} interface.
 */
import { randomUUID } from "node:crypto";
import type { FakeArmAccess, FakeArmAccessOptions, HeldRoleAssignment } from "./accessTypes.js";
import type { EmulatorState, RouteRequest } from "./context.js";
import { ArmError, responseOf } from "./errors.js";
import type { ExtendedConfig, ExtendedState } from "./extendedContext.js";
import { createExtraRoutes } from "./extraRoutes.js";
import { GUID } from "./guid.js";
import type { IdentityRule } from "./identityWrites.js";
import { authorize, createDenials } from "./permissions.js";
import { createDirectory } from "./principals.js";
import { renderInstance, renderVmss } from "./renderScaleSet.js";
import { decodePath, matchTemplate, template, uaiResourceId, vmResourceId } from "./resourceIds.js";
import type { ArmResponse } from "./response.js";
import { createRoleAssignmentStore, renderRoleAssignment } from "./roleAssignmentStore.js";
import { createRoleDefinitions, parseRoleDefinitionId, roleDefinitionId } from "./roleDefinitions.js";
import type { Route } from "./router.js";
import { PRINCIPAL_TYPES } from "./routes/roleAssignments.js";
import { createScaleSetSeeding } from "./scaleSetSeeding.js";
import { createScaleSetStore, vmssResourceId } from "./scaleSetStore.js";
import type { ArmVmssInstance, FakeArmScaleSets } from "./scaleSetTypes.js";
import { isResourceScope, scopeOf, scopeSegments } from "./scopes.js";
import type { VmIdentityRecord } from "./store.js";
import type { ArmIdentityInput } from "./types.js";

const DEFAULTS: ExtendedConfig = {
  principalReplicationDelayMs: 0,
  roleAssignmentLimit: 4000,
  roleAssignmentRepeatStatus: 201,
  orphanPrincipalType: "stored",
  listPageSize: 100,
};

/** The options resolved. @throws RangeError naming a bad value. */
export function resolveExtendedOptions(options: FakeArmAccessOptions): { config: ExtendedConfig; clock: () => number } {
  const config: ExtendedConfig = {
    principalReplicationDelayMs: options.principalReplicationDelayMs ?? DEFAULTS.principalReplicationDelayMs,
    roleAssignmentLimit: options.roleAssignmentLimit ?? DEFAULTS.roleAssignmentLimit,
    roleAssignmentRepeatStatus: options.roleAssignmentRepeatStatus ?? DEFAULTS.roleAssignmentRepeatStatus,
    orphanPrincipalType: options.orphanPrincipalType ?? DEFAULTS.orphanPrincipalType,
    listPageSize: options.listPageSize ?? DEFAULTS.listPageSize,
  };
  const clock = options.clock ?? (() => Date.now());
  const checks: Array<[boolean, string]> = [
    [config.principalReplicationDelayMs >= 0, "principalReplicationDelayMs must be >= 0 (Infinity: never replicated)"],
    [Number.isInteger(config.roleAssignmentLimit) && config.roleAssignmentLimit >= 0, "roleAssignmentLimit must be an integer >= 0"],
    [config.roleAssignmentRepeatStatus === 200 || config.roleAssignmentRepeatStatus === 201, "roleAssignmentRepeatStatus must be 200 or 201"],
    [config.orphanPrincipalType === "stored" || config.orphanPrincipalType === "Unknown", 'orphanPrincipalType must be "stored" or "Unknown"'],
    [Number.isInteger(config.listPageSize) && config.listPageSize >= 1, "listPageSize must be an integer >= 1"],
    [typeof clock === "function", "clock must be a function returning milliseconds"],
  ];
  for (const [ok, message] of checks) if (!ok) throw new RangeError(`startFakeArm: ${message}.`);
  return { config, clock };
}

const VM_PATH = template("subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}");
const VMSS_PATH = template("subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}");
const UAI_PATH = template("subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}");

/** The access model and scale sets of one emulator. */
export interface AccessAndScaleSets {
  /** Routes to hand to `createRouter`. */
  readonly routes: Route[];
  /** Wraps the router: the authorization check before it, the directory update after a successful write. */
  guard(route: (req: RouteRequest) => ArmResponse): (req: RouteRequest) => ArmResponse;
  /** Brings the directory in step with a resource created or changed without HTTP, and the identities it names. */
  seeded(resourceId: string, identity?: ArmIdentityInput): void;
  /** Their part of the emulator's interface. */
  readonly api: FakeArmAccess & FakeArmScaleSets;
  /** Forgets everything but the built-in roles. */
  reset(): void;
}

/** Creates them over the emulator's state and resolved options; `seedIdentity` is the VM seeding's. */
export function createAccessAndScaleSets(
  base: EmulatorState,
  { config, clock }: ReturnType<typeof resolveExtendedOptions>,
  seedIdentity: (input: ArmIdentityInput | undefined, location: string, rule?: IdentityRule) => VmIdentityRecord,
): AccessAndScaleSets {
  const access = {
    definitions: createRoleDefinitions(),
    assignments: createRoleAssignmentStore(),
    directory: createDirectory(),
    denials: createDenials(),
    callerId: randomUUID(),
  };
  const state: ExtendedState = { ...base, config, access, scaleSets: createScaleSetStore(), now: clock };
  const { store, subscriptionId } = state;
  const scaleSetSeeding = createScaleSetSeeding(state, seedIdentity);

  /** Syncs the principals of the VM, scale set or user-assigned identity a path (or id) names, if it names one. */
  function syncAt(segments: readonly string[]): void {
    const head = segments.slice(0, 8);
    const vm = matchTemplate(head, VM_PATH);
    const vmss = matchTemplate(head, VMSS_PATH);
    const uai = matchTemplate(head, UAI_PATH);
    const now = state.now();
    if (vm) {
      const record = store.findVm(vm.rg as string, vm.name as string);
      const id = vmResourceId(vm.s as string, vm.rg as string, vm.name as string);
      access.directory.sync(id, record?.identity.system ? [record.identity.system.principalId] : [], now);
    } else if (vmss) {
      const record = state.scaleSets.find(vmss.rg as string, vmss.name as string);
      const id = vmssResourceId(vmss.s as string, vmss.rg as string, vmss.name as string);
      access.directory.sync(id, record?.identity.system ? [record.identity.system.principalId] : [], now);
    } else if (uai) {
      const record = store.findUai(uai.rg as string, uai.name as string);
      access.directory.sync(uaiResourceId(uai.s as string, uai.rg as string, uai.name as string), record ? [record.principalId] : [], now);
    }
  }

  function seeded(resourceId: string, identity?: ArmIdentityInput): void {
    syncAt(scopeSegments(resourceId));
    for (const id of Object.keys(identity?.userAssignedIdentities ?? {})) syncAt(scopeSegments(id));
  }

  function held(): HeldRoleAssignment[] {
    return access.assignments.all().map((record) => {
      const orphaned = access.directory.find(record.principalId) === undefined;
      const view = renderRoleAssignment(record, orphaned && config.orphanPrincipalType === "Unknown" ? "Unknown" : record.principalType);
      return {
        ...view,
        scope: view.properties.scope,
        principalId: view.properties.principalId,
        principalType: view.properties.principalType,
        roleDefinitionId: view.properties.roleDefinitionId,
        roleName: access.definitions.find(record.roleGuid)?.roleName ?? "",
        orphaned,
      };
    });
  }

  const api: FakeArmAccess & FakeArmScaleSets = {
    roleAssignments: held,
    addRoleDefinition(definition) {
      const record = access.definitions.add(definition, `/subscriptions/${subscriptionId}`, new Date(state.now()).toISOString());
      return roleDefinitionId(subscriptionId, record.guid);
    },
    addRoleAssignment(seed) {
      const scopeParts = scopeSegments(seed.scope ?? "");
      const role = GUID.test(seed.roleDefinitionId) ? { guid: seed.roleDefinitionId.toLowerCase() } : parseRoleDefinitionId(seed.roleDefinitionId);
      const name = seed.name ?? randomUUID();
      const checks: Array<[boolean, string]> = [
        [isResourceScope(scopeParts), `scope must be a subscription, resource group or resource id, got ${JSON.stringify(seed.scope)}`],
        [role !== undefined && access.definitions.find(role.guid) !== undefined, `roleDefinitionId names no role definition: ${JSON.stringify(seed.roleDefinitionId)}`],
        [GUID.test(seed.principalId), `principalId must be a GUID, got ${JSON.stringify(seed.principalId)}`],
        [GUID.test(name) && !access.assignments.byName(name), `name must be a GUID not in use, got ${JSON.stringify(name)}`],
        [seed.principalType === undefined || PRINCIPAL_TYPES.has(seed.principalType.toLowerCase()), `principalType is not one ARM knows: ${JSON.stringify(seed.principalType)}`],
      ];
      for (const [ok, message] of checks) if (!ok) throw new TypeError(`addRoleAssignment: ${message}.`);
      const scope = scopeOf(scopeParts);
      const guid = (role as { guid: string }).guid;
      if (access.assignments.find(scope, guid, seed.principalId)) throw new TypeError("addRoleAssignment: that role is already assigned to that principal at that scope.");
      const record = {
        name,
        scope,
        roleGuid: guid,
        roleDefinitionId: roleDefinitionId(subscriptionId, guid),
        principalId: seed.principalId,
        principalType: seed.principalType ?? access.directory.find(seed.principalId)?.type ?? "ServicePrincipal",
        description: null,
        condition: null,
        conditionVersion: null,
        createdOn: new Date(state.now()).toISOString(),
        createdBy: access.callerId,
      };
      access.assignments.add(record);
      return renderRoleAssignment(record).id;
    },
    addPrincipal(principal = {}) {
      const id = principal.principalId ?? randomUUID();
      if (!GUID.test(id)) throw new TypeError(`addPrincipal: principalId must be a GUID, got ${JSON.stringify(id)}.`);
      const type = principal.principalType ?? "User";
      if (!PRINCIPAL_TYPES.has(type.toLowerCase())) throw new TypeError(`addPrincipal: principalType is not one ARM knows: ${JSON.stringify(type)}.`);
      access.directory.add({ id, type, createdAt: state.now() });
      return id;
    },
    denyActions: (denials) => access.denials.add(denials),
    clearDenials: () => access.denials.clear(),
    addVmss(vmss) {
      const id = scaleSetSeeding.addVmss(vmss);
      seeded(id, vmss.identity);
      return id;
    },
    getVmss(resourceGroup, name) {
      const vmss = state.scaleSets.find(resourceGroup, name);
      return vmss && renderVmss(vmss);
    },
    getVmssInstances(resourceGroup, name) {
      const vmss = state.scaleSets.find(resourceGroup, name);
      return vmss?.instances.map((i) => renderInstance(store, vmss, i)).filter((v): v is ArmVmssInstance => v !== undefined);
    },
  };

  return {
    routes: createExtraRoutes(state),
    guard: (route) => (req) => {
      const segments = decodePath(req.url.pathname);
      if (segments) {
        try {
          authorize(access.denials, access.callerId, req.method, segments, req.body);
        } catch (err) {
          if (err instanceof ArmError) return responseOf(err);
          throw err;
        }
      }
      const response = route(req);
      if (segments && req.method !== "GET" && response.status >= 200 && response.status < 300) syncAt(segments);
      return response;
    },
    seeded,
    api,
    reset() {
      access.definitions.clear();
      access.assignments.clear();
      access.directory.clear();
      access.denials.clear();
      state.scaleSets.clear();
    },
  };
}
