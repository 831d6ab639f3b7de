/** GET, PUT and PATCH of a virtual machine. */
import { checkPreconditions } from "../conditional.js";
import type { EmulatorState, RouteHandler } from "../context.js";
import { ArmError, invalidParameter, resourceNotFound } from "../errors.js";
import type { IdentityUpdate } from "../identitySemantics.js";
import { chargeIdentityUpdate, identityOfPatch, identityOfPut } from "../identityWrites.js";
import { asRecord } from "../json.js";
import { newVmRecord } from "../records.js";
import { assertSameLocation, objectBody, optionalObject, optionalTags, requiredLocation } from "../requestBody.js";
import { vmEtag, vmView } from "../render.js";
import { captures, resourceKey } from "../resourceIds.js";
import { json } from "../response.js";
import type { VmRecord } from "../store.js";
import type { OsType } from "../types.js";
import { assertNoRunningWrite, beginVmWrite, observeRunningWrite, operationUrls } from "../vmWrites.js";

/** 404 `ResourceNotFound` for a VM. */
export function vmNotFound(resourceGroup: string, name: string): ArmError {
  return resourceNotFound("Microsoft.Compute/virtualMachines", resourceGroup, name);
}

/** The OS a request's properties (or a scale set's VM profile) name, if any. @throws 400 `InvalidParameter` for an unknown one. */
export function osTypeOf(properties: Record<string, unknown>): OsType | undefined {
  const osType = asRecord(asRecord(properties.storageProfile).osDisk).osType;
  if (osType === undefined) return undefined;
  const lower = typeof osType === "string" ? osType.toLowerCase() : undefined;
  if (lower === "windows") return "Windows";
  if (lower === "linux") return "Linux";
  throw invalidParameter(
    `The value '${String(osType)}' of parameter properties.storageProfile.osDisk.osType is invalid. Allowed values are 'Windows' and 'Linux'.`,
    "properties.storageProfile.osDisk.osType",
  );
}

/** Properties as stored: without the read-only ones the emulator owns. */
function writableProperties(properties: Record<string, unknown>): Record<string, unknown> {
  const { vmId: _vmId, provisioningState: _state, ...rest } = properties;
  return rest;
}

/** @throws ArmError 409 `PropertyChangeNotAllowed` when `osType` is given and not the resource's. */
export function assertSameOsType(vm: Pick<VmRecord, "osType">, osType: OsType | undefined): void {
  if (osType !== undefined && osType !== vm.osType) {
    throw new ArmError(
      409,
      "PropertyChangeNotAllowed",
      "Changing property 'osDisk.osType' is not allowed.",
      "properties.storageProfile.osDisk.osType",
    );
  }
}

/** Captures what a PUT or PATCH can change, and returns the function that puts it back. */
function snapshotOf(vm: VmRecord): () => void {
  const { tags, properties, identity } = vm;
  return () => Object.assign(vm, { tags, properties, identity });
}

/** Creates the VM route handlers. */
export function createVmRoutes(state: EmulatorState): { get: RouteHandler; put: RouteHandler; patch: RouteHandler } {
  const { store } = state;

  function respondWithWrite(
    vm: VmRecord,
    status: number,
    update: IdentityUpdate | undefined,
    apiVersion: string,
    write: { rollBack: () => void; failWith: { code: string; message: string } | undefined },
  ) {
    const op = beginVmWrite(state, vm, {
      provisioningState: status === 201 ? "Creating" : "Updating",
      pendingUserIds: update?.addedIds,
      ...write,
    });
    return json(vmView(vm), status, {
      ETag: vmEtag(vm),
      "Azure-AsyncOperation": operationUrls(state, op, apiVersion).asyncOperation,
    });
  }

  return {
    get(_req, params) {
      const { resourceGroup, vmName } = captures(params, "resourceGroup", "vmName");
      const vm = store.findVm(resourceGroup, vmName);
      if (!vm) throw vmNotFound(resourceGroup, vmName);
      observeRunningWrite(state, vm);
      return json(vmView(vm), 200, { ETag: vmEtag(vm) });
    },

    put(req, params) {
      const { resourceGroup, vmName: name } = captures(params, "resourceGroup", "vmName");
      const body = objectBody(req);
      const existing = store.findVm(resourceGroup, name);
      checkPreconditions(req.headers, existing && vmEtag(existing));
      const location = requiredLocation(body);
      if (existing) assertSameLocation(existing, location);
      const properties = writableProperties(optionalObject(body.properties, "properties") ?? {});
      const osType = osTypeOf(properties);
      if (existing) assertSameOsType(existing, osType);
      const tags = optionalTags(body.tags);
      // PUT replaces the resource: an omitted (or null) identity means none.
      const { identity, update } = identityOfPut(existing?.identity, body.identity, state);

      if (existing) {
        assertNoRunningWrite(existing);
        const failWith = chargeIdentityUpdate(state, existing.identity, update);
        const rollBack = snapshotOf(existing);
        Object.assign(existing, { tags, properties, identity, etag: existing.etag + 1 });
        return respondWithWrite(existing, 200, update, req.apiVersion, { rollBack, failWith });
      }
      const failWith = chargeIdentityUpdate(state, undefined, update);
      const vm = newVmRecord({
        subscriptionId: state.subscriptionId,
        resourceGroup,
        name,
        location,
        osType: osType ?? "Linux",
        tags,
        properties,
        identity,
      });
      const key = resourceKey(resourceGroup, name);
      store.vms.set(key, vm);
      return respondWithWrite(vm, 201, update, req.apiVersion, { rollBack: () => store.vms.delete(key), failWith });
    },

    patch(req, params) {
      const { resourceGroup, vmName } = captures(params, "resourceGroup", "vmName");
      const body = objectBody(req);
      const vm = store.findVm(resourceGroup, vmName);
      checkPreconditions(req.headers, vm && vmEtag(vm));
      if (!vm) throw vmNotFound(resourceGroup, vmName);
      if (body.location !== undefined) assertSameLocation(vm, body.location);
      // Tags are replaced as a whole; null removes them.
      const tags = body.tags === null ? undefined : body.tags === undefined ? vm.tags : optionalTags(body.tags);
      const patchProperties = writableProperties(optionalObject(body.properties, "properties") ?? {});
      const properties = { ...vm.properties };
      for (const [key, value] of Object.entries(patchProperties)) {
        if (value === null) delete properties[key];
        else properties[key] = value;
      }
      assertSameOsType(vm, osTypeOf(properties));
      const { identity, update } = identityOfPatch(vm.identity, body.identity, state);

      assertNoRunningWrite(vm);
      const failWith = chargeIdentityUpdate(state, vm.identity, update);
      const rollBack = snapshotOf(vm);
      Object.assign(vm, { tags, properties, identity, etag: vm.etag + 1 });
      return respondWithWrite(vm, 200, update, req.apiVersion, { rollBack, failWith });
    },
  };
}
