/**
 * GET, PUT and DELETE of a scale-set extension: the body of a VM extension
 * without `location`. Adding, changing or removing one changes the model.
 */
import type { EmulatorState, RouteHandler } from "../context.js";
import { ArmError } from "../errors.js";
import { objectBody } from "../requestBody.js";
import { renderVmssExtension } from "../renderScaleSet.js";
import { captures, type RouteParams } from "../resourceIds.js";
import { empty, json } from "../response.js";
import { beginScaleSetWrite, modelFingerprint } from "../scaleSetModel.js";
import { modelExtension } from "../scaleSetRecords.js";
import type { VmssRecord } from "../scaleSetStore.js";
import { acceptedResponse, assertNoRunningWrite, operationUrls } from "../vmWrites.js";
import { vmssNotFound } from "./scaleSets.js";

/** Creates the scale-set extension handlers. */
export function createScaleSetExtensionRoutes(state: EmulatorState): { get: RouteHandler; put: RouteHandler; delete: RouteHandler } {
  function resolve(params: RouteParams) {
    const names = captures(params, "resourceGroup", "vmssName", "extensionName");
    return { ...names, vmss: state.store.findVmss(names.resourceGroup, names.vmssName), key: names.extensionName.toLowerCase() };
  }

  function parentNotFound({ resourceGroup, vmssName }: { resourceGroup: string; vmssName: string }): ArmError {
    return new ArmError(
      404,
      "ParentResourceNotFound",
      `Can not perform requested operation on nested resource. Parent resource '${vmssName}' not found in resource group '${resourceGroup}'.`,
    );
  }

  /**
   * Runs `change` on the model; a different model is a new model version and
   * a new etag. Returns the function that undoes it (a failed operation rolled back).
   */
  function changeModel(vmss: VmssRecord, change: () => void): () => void {
    const before = modelFingerprint(vmss);
    const saved = { extensions: new Map(vmss.extensions), modelVersion: vmss.modelVersion };
    change();
    if (modelFingerprint(vmss) !== before) {
      vmss.modelVersion += 1;
      vmss.etag += 1;
    }
    return () => Object.assign(vmss, saved);
  }

  return {
    get(_req, params) {
      const { vmss, key, ...names } = resolve(params);
      if (!vmss) throw vmssNotFound(names.resourceGroup, names.vmssName);
      const ext = vmss.extensions.get(key);
      if (!ext) {
        throw new ArmError(404, "NotFound", `The extension '${names.extensionName}' of virtual machine scale set '${vmss.name}' was not found.`);
      }
      return json(renderVmssExtension(vmss, ext));
    },

    put(req, params) {
      const body = objectBody(req);
      const { vmss, key, ...names } = resolve(params);
      if (!vmss) throw parentNotFound(names);
      const existing = vmss.extensions.get(key);
      const ext = modelExtension(existing?.name ?? names.extensionName, body, existing ? "Updating" : "Creating");
      assertNoRunningWrite(vmss);
      const rollBack = changeModel(vmss, () => vmss.extensions.set(key, ext));
      const op = beginScaleSetWrite(state, vmss, {
        provisioningState: "Updating",
        onFinish: ({ status, rollBack: rolledBack }) => {
          if (!rolledBack) ext.provisioningState = status;
        },
        rollBack,
      });
      return json(renderVmssExtension(vmss, ext), existing ? 200 : 201, {
        "Azure-AsyncOperation": operationUrls(state, op, req.apiVersion).asyncOperation,
      });
    },

    delete(req, params) {
      const { vmss, key, ...names } = resolve(params);
      if (!vmss) throw parentNotFound(names);
      const ext = vmss.extensions.get(key);
      if (!ext) return empty(204);
      assertNoRunningWrite(vmss);
      const stateBefore = ext.provisioningState;
      const undo = changeModel(vmss, () => vmss.extensions.delete(key));
      // The extension shows `Deleting` in the model until the operation ends.
      ext.provisioningState = "Deleting";
      vmss.extensions.set(key, ext);
      const op = beginScaleSetWrite(state, vmss, {
        provisioningState: "Updating",
        onFinish: ({ status, rollBack: rolledBack }) => {
          if (status === "Succeeded") vmss.extensions.delete(key);
          else if (!rolledBack) ext.provisioningState = status;
        },
        // A failed deletion that rolls back leaves the extension, and the model, as they were.
        rollBack: () => {
          undo();
          ext.provisioningState = stateBefore;
        },
      });
      return acceptedResponse(state, op, req.apiVersion);
    },
  };
}
