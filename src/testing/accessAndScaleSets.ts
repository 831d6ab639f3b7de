/**
 * The access model (roles, assignments, principals, denials) and the scale
 * sets as the emulator exposes them: the authorization check every request
 * passes, the directory kept in step with the resources, and their part of
 * the {@link FakeArm} interface, over every subscription the emulator serves.
 */
import { randomUUID } from "node:crypto";
import type { FakeArmAccess, HeldRoleAssignment } from "./accessTypes.js";
import type { EmulatorState, RouteRequest } from "./context.js";
import { ArmError, responseOf } from "./errors.js";
import { GUID } from "./guid.js";
import { authorize } from "./permissions.js";
import { syncPrincipalsAt, syncPrincipalsOf } from "./principalSync.js";
import { renderInstance, renderVmss } from "./renderScaleSet.js";
import { decodePath } from "./resourceIds.js";
import type { ArmResponse } from "./response.js";
import { renderRoleAssignment } from "./roleAssignmentStore.js";
import { parseRoleDefinitionId, roleDefinitionId } from "./roleDefinitions.js";
import { PRINCIPAL_TYPES } from "./routes/roleAssignments.js";
import { addVmss } from "./scaleSetSeeding.js";
import type { ArmVmssInstance, FakeArmScaleSets } from "./scaleSetTypes.js";
import type { createSeeding } from "./seeding.js";
import { isResourceScope, scopeOf, scopeSegments, subscriptionOfScope } from "./scopes.js";
import type { VmRecord } from "./store.js";
import type { ArmIdentityInput } from "./types.js";

/** What the access model and scale sets are made over: the emulator's subscriptions. */
export interface AccessAndScaleSetsDeps {
  /** The first subscription's state (all share the access model, clock and config). */
  first: EmulatorState;
  /** The state of a subscription the emulator serves (default the first). @throws RangeError for another. */
  stateOf(subscriptionId: string | undefined): EmulatorState;
  /** The seeding of a subscription the emulator serves (default the first). */
  seedingOf(subscriptionId: string | undefined): ReturnType<typeof createSeeding>;
  /** Finishes the operations whose time has come (before state is read). */
  settle(): void;
}

/** The access model and scale sets of one emulator. */
export interface AccessAndScaleSets {
  /** Wraps the router: the authorization check before it, the directory update after a successful write. */
  guard(route: (req: RouteRequest) => ArmResponse): (req: RouteRequest) => ArmResponse;
  /**
   * Brings the directory in step with a resource created without HTTP (none:
   * only the identities named) and the user-assigned identities its identity names.
   */
  seeded(resourceId: string | undefined, identity?: ArmIdentityInput): void;
  /** The same for a VM of a bulk seeding, given its record (no path to parse). */
  seededVm(vm: VmRecord): void;
  /** Their part of the emulator's interface. */
  readonly api: FakeArmAccess & FakeArmScaleSets;
}

/** Creates them over the emulator's subscriptions. */
export function createAccessAndScaleSets({ first, stateOf, seedingOf, settle }: AccessAndScaleSetsDeps): AccessAndScaleSets {
  const { access, clock } = first;
  const config = first.config.access;
  const subscriptions = () => [...first.subscriptions.values()];
  const isoNow = () => new Date(clock.now()).toISOString();

  /** Syncs the resource (if given) and the user-assigned identities its identity names (seeding may have created them). */
  function seeded(resourceId: string | undefined, identity?: ArmIdentityInput): void {
    if (resourceId !== undefined) syncPrincipalsOf(first, resourceId);
    for (const id of Object.keys(identity?.userAssignedIdentities ?? {})) syncPrincipalsOf(first, id);
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

  /** Reads a subscription's state after finishing the operations whose time has come. */
  function settled<T>(subscriptionId: string | undefined, read: (state: EmulatorState) => T): T {
    settle();
    return read(stateOf(subscriptionId));
  }

  const api: FakeArmAccess & FakeArmScaleSets = {
    roleAssignments: held,
    addRoleDefinition(definition) {
      // A custom role is assignable in every subscription the emulator serves unless told otherwise.
      const scopes = subscriptions().map((s) => `/subscriptions/${s.subscriptionId}`);
      const record = access.definitions.add(definition, scopes, isoNow());
      return roleDefinitionId(first.subscriptionId, record.guid);
    },
    addRoleAssignment(seed) {
      const scopeParts = scopeSegments(seed.scope ?? "");
      const inScope = isResourceScope(scopeParts) ? first.subscriptions.get(String(subscriptionOfScope(scopeParts)).toLowerCase()) : undefined;
      const role = GUID.test(seed.roleDefinitionId) ? { guid: seed.roleDefinitionId.toLowerCase() } : parseRoleDefinitionId(seed.roleDefinitionId);
      const name = seed.name ?? randomUUID();
      const checks: Array<[boolean, string]> = [
        [
          inScope !== undefined,
          `scope must be a subscription, resource group or resource id in one of the emulator's subscriptions, got ${JSON.stringify(seed.scope)}`,
        ],
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
        roleDefinitionId: roleDefinitionId((inScope as EmulatorState).subscriptionId, guid),
        principalId: seed.principalId,
        principalType: seed.principalType ?? access.directory.find(seed.principalId)?.type ?? "ServicePrincipal",
        description: null,
        condition: null,
        conditionVersion: null,
        createdOn: isoNow(),
        createdBy: null,
      };
      access.assignments.add(record);
      return renderRoleAssignment(record).id;
    },
    addPrincipal(principal = {}) {
      const id = principal.principalId ?? randomUUID();
      if (!GUID.test(id)) throw new TypeError(`addPrincipal: principalId must be a GUID, got ${JSON.stringify(id)}.`);
      const type = principal.principalType ?? "User";
      if (!PRINCIPAL_TYPES.has(type.toLowerCase())) throw new TypeError(`addPrincipal: principalType is not one ARM knows: ${JSON.stringify(type)}.`);
      access.directory.add({ id, type, createdAt: clock.now() });
      return id;
    },
    denyActions: (denials) => access.denials.add(denials),
    clearDenials: () => access.denials.clear(),
    addVmss(vmss) {
      const id = addVmss(stateOf(vmss.subscriptionId), seedingOf(vmss.subscriptionId), vmss);
      seeded(id, vmss.identity);
      return id;
    },
    getVmss: (resourceGroup, name, subscriptionId) =>
      settled(subscriptionId, ({ store }) => {
        const vmss = store.findVmss(resourceGroup, name);
        return vmss && renderVmss(vmss);
      }),
    getVmssInstances: (resourceGroup, name, subscriptionId) =>
      settled(subscriptionId, ({ store }) => {
        const vmss = store.findVmss(resourceGroup, name);
        return vmss?.instances.map((i) => renderInstance(store, vmss, i)).filter((v): v is ArmVmssInstance => v !== undefined);
      }),
  };

  return {
    guard: (route) => (req) => {
      const segments = decodePath(req.url.pathname);
      if (segments) {
        try {
          authorize(access.denials, req.principal.objectId, req.method, segments, req.body);
        } catch (err) {
          if (err instanceof ArmError) return responseOf(err);
          throw err;
        }
      }
      const response = route(req);
      if (segments && req.method !== "GET" && response.status >= 200 && response.status < 300) syncPrincipalsAt(first, segments);
      return response;
    },
    seeded,
    seededVm: (vm) => {
      if (vm.identity.system) access.directory.sync(vm.id, [vm.identity.system.principalId], clock.now());
    },
    api,
  };
}
