/** GET, PUT and PATCH of a virtual machine scale set, and the scale-set lists. */
import { checkPreconditions } from "../conditional.js";
import type { EmulatorState, RouteHandler } from "../context.js";
import { ArmError, resourceNotFound } from "../errors.js";
import type { IdentityUpdate } from "../identitySemantics.js";
import { chargeIdentityUpdate, identityOfPatch, identityOfPut } from "../identityWrites.js";
import { listAnswer } from "../paging.js";
import { assertSameLocation, objectBody, optionalObject, optionalTags, requiredLocation } from "../requestBody.js";
import { captures, resourceKey } from "../resourceIds.js";
import { json } from "../response.js";
import { renderVmss, vmssEtag } from "../renderScaleSet.js";
import { beginScaleSetWrite, identityRuleFor, modelFingerprint, scaleTo, snapshotOfVmss } from "../scaleSetModel.js";
import {
  DEFAULT_SKU,
  newVmssRecord,
  parseExtensionProfile,
  parseOrchestrationMode,
  parseSku,
  parseUpgradeMode,
} from "../scaleSetRecords.js";
import type { VmssRecord } from "../scaleSetStore.js";
import { assertNoRunningWrite, observeRunningWrite, operationUrls } from "../vmWrites.js";
import { existingResourceGroup } from "./lists.js";
import { assertSameOsType, osTypeOf } from "./vms.js";

/** 404 `ResourceNotFound` for a scale set. */
export function vmssNotFound(resourceGroup: string, name: string): ArmError {
  return resourceNotFound("Microsoft.Compute/virtualMachineScaleSets", resourceGroup, name);
}

/** The scale-set parts of `properties`, each modelled apart, and the rest as sent (read-only ones dropped). */
export function splitProperties(properties: Record<string, unknown>) {
  const {
    orchestrationMode,
    upgradePolicy,
    virtualMachineProfile,
    provisioningState: _state,
    uniqueId: _uniqueId,
    ...rest
  } = properties;
  const policy = optionalObject(upgradePolicy ?? undefined, "properties.upgradePolicy");
  const { mode, ...policyRest } = policy ?? {};
  const profile = optionalObject(virtualMachineProfile ?? undefined, "properties.virtualMachineProfile");
  const { extensionProfile: _extensions, ...profileRest } = profile ?? {};
  return {
    orchestrationMode: parseOrchestrationMode(orchestrationMode),
    upgradeMode: parseUpgradeMode(mode),
    upgradePolicy: policy && policyRest,
    profile: profile && profileRest,
    extensions: profile && parseExtensionProfile(profile),
    osType: profile && osTypeOf(profileRest),
    rest,
  };
}

function assertSameMode(vmss: VmssRecord, mode: string | undefined): void {
  if (mode !== undefined && mode !== vmss.orchestrationMode) {
    throw new ArmError(409, "PropertyChangeNotAllowed", "Changing property 'orchestrationMode' is not allowed.", "properties.orchestrationMode");
  }
}

/** Creates the scale-set route handlers. */
export function createScaleSetRoutes(state: EmulatorState): {
  get: RouteHandler;
  put: RouteHandler;
  patch: RouteHandler;
  listInSubscription: RouteHandler;
  listInResourceGroup: RouteHandler;
} {
  const { store } = state;

  /** A list entry is a read of the scale set, as a GET is: a look at its running operation. */
  function listEntry(vmss: VmssRecord) {
    observeRunningWrite(state, vmss);
    return renderVmss(vmss);
  }

  function respondWithWrite(
    vmss: VmssRecord,
    status: number,
    update: IdentityUpdate | undefined,
    apiVersion: string,
    write: { rollBack: () => void; failWith: { code: string; message: string } | undefined },
  ) {
    const op = beginScaleSetWrite(state, vmss, {
      provisioningState: status === 201 ? "Creating" : "Updating",
      pendingUserIds: update?.addedIds,
      ...write,
    });
    return json(renderVmss(vmss), status, {
      ETag: vmssEtag(vmss),
      "Azure-AsyncOperation": operationUrls(state, op, apiVersion).asyncOperation,
    });
  }

  /** Applies a write's changes: a new etag, a new model version if the model changed, instances for the capacity. */
  function commit(vmss: VmssRecord, changes: Partial<VmssRecord>): void {
    const before = modelFingerprint(vmss);
    Object.assign(vmss, changes, { etag: vmss.etag + 1 });
    if (modelFingerprint(vmss) !== before) vmss.modelVersion += 1;
    scaleTo(state, vmss, vmss.sku.capacity);
  }

  return {
    get(_req, params) {
      const { resourceGroup, vmssName } = captures(params, "resourceGroup", "vmssName");
      const vmss = store.findVmss(resourceGroup, vmssName);
      if (!vmss) throw vmssNotFound(resourceGroup, vmssName);
      observeRunningWrite(state, vmss);
      return json(renderVmss(vmss), 200, { ETag: vmssEtag(vmss) });
    },

    put(req, params) {
      const { resourceGroup, vmssName: name } = captures(params, "resourceGroup", "vmssName");
      const body = objectBody(req);
      const existing = store.findVmss(resourceGroup, name);
      checkPreconditions(req.headers, existing && vmssEtag(existing));
      const location = requiredLocation(body);
      if (existing) assertSameLocation(existing, location);
      const parts = splitProperties(optionalObject(body.properties, "properties") ?? {});
      if (existing) {
        assertSameMode(existing, parts.orchestrationMode);
        assertSameOsType(existing, parts.osType);
      }
      const orchestrationMode = existing?.orchestrationMode ?? parts.orchestrationMode ?? "Uniform";
      const tags = optionalTags(body.tags);
      const sku = parseSku(body.sku, existing?.sku ?? DEFAULT_SKU);
      const { identity, update } = identityOfPut(existing?.identity, body.identity, state, identityRuleFor(orchestrationMode));
      const changes = {
        tags,
        sku,
        identity,
        properties: parts.rest,
        upgradeMode: parts.upgradeMode ?? "Manual",
        upgradePolicy: parts.upgradePolicy ?? {},
        profile: parts.profile ?? {},
        extensions: parts.extensions ?? new Map(),
      };

      if (existing) {
        assertNoRunningWrite(existing);
        const failWith = chargeIdentityUpdate(state, existing.identity, update);
        const rollBack = snapshotOfVmss(state, existing);
        commit(existing, changes);
        return respondWithWrite(existing, 200, update, req.apiVersion, { rollBack, failWith });
      }
      const failWith = chargeIdentityUpdate(state, undefined, update);
      const vmss = newVmssRecord({
        subscriptionId: state.subscriptionId,
        resourceGroup,
        name,
        location,
        osType: parts.osType ?? "Linux",
        orchestrationMode,
        ...changes,
      });
      const key = resourceKey(resourceGroup, name);
      store.scaleSets.set(key, vmss);
      scaleTo(state, vmss, vmss.sku.capacity);
      const rollBack = () => {
        scaleTo(state, vmss, 0);
        store.scaleSets.delete(key);
      };
      return respondWithWrite(vmss, 201, update, req.apiVersion, { rollBack, failWith });
    },

    patch(req, params) {
      const { resourceGroup, vmssName } = captures(params, "resourceGroup", "vmssName");
      const body = objectBody(req);
      const vmss = store.findVmss(resourceGroup, vmssName);
      checkPreconditions(req.headers, vmss && vmssEtag(vmss));
      if (!vmss) throw vmssNotFound(resourceGroup, vmssName);
      if (body.location !== undefined) assertSameLocation(vmss, body.location);
      // Tags are replaced as a whole; null removes them.
      const tags = body.tags === null ? undefined : body.tags === undefined ? vmss.tags : optionalTags(body.tags);
      const parts = splitProperties(optionalObject(body.properties, "properties") ?? {});
      assertSameMode(vmss, parts.orchestrationMode);
      const profile = parts.profile === undefined ? vmss.profile : { ...vmss.profile, ...parts.profile };
      assertSameOsType(vmss, osTypeOf(profile));
      const properties = { ...vmss.properties };
      for (const [key, value] of Object.entries(parts.rest)) {
        if (value === null) delete properties[key];
        else properties[key] = value;
      }
      const sku = parseSku(body.sku, vmss.sku);
      const { identity, update } = identityOfPatch(vmss.identity, body.identity, state, identityRuleFor(vmss.orchestrationMode));

      assertNoRunningWrite(vmss);
      const failWith = chargeIdentityUpdate(state, vmss.identity, update);
      const rollBack = snapshotOfVmss(state, vmss);
      commit(vmss, {
        tags,
        sku,
        identity,
        properties,
        profile,
        upgradeMode: parts.upgradeMode ?? vmss.upgradeMode,
        upgradePolicy: parts.upgradePolicy === undefined ? vmss.upgradePolicy : { ...vmss.upgradePolicy, ...parts.upgradePolicy },
        extensions: parts.extensions ?? vmss.extensions,
      });
      return respondWithWrite(vmss, 200, update, req.apiVersion, { rollBack, failWith });
    },

    listInSubscription: (req) => json(listAnswer(store.scaleSets.list(), req, state.config.listPageSize, listEntry)),

    listInResourceGroup: (req, params) =>
      json(listAnswer(store.scaleSets.list(existingResourceGroup(store, params)), req, state.config.listPageSize, listEntry)),
  };
}
