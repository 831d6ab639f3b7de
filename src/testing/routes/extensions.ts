/** GET, PUT and DELETE of a VM extension (the legacy MSI extension among others). */
import type { EmulatorState, RouteHandler } from "../context.js";
import { ArmError, invalidParameter } from "../errors.js";
import { extensionProperties } from "../extensionBody.js";
import { objectBody, requiredLocation } from "../requestBody.js";
import { renderExtension } from "../render.js";
import { captures, normalizeLocation, type RouteParams } from "../resourceIds.js";
import { empty, json } from "../response.js";
import type { ExtensionRecord } from "../store.js";
import { acceptedResponse, assertNoRunningWrite, beginVmWrite, observeRunningWrite, operationUrls } from "../vmWrites.js";
import { vmNotFound } from "./vms.js";

/** Creates the extension route handlers. */
export function createExtensionRoutes(state: EmulatorState): {
  get: RouteHandler;
  put: RouteHandler;
  delete: RouteHandler;
} {
  function resolve(params: RouteParams) {
    const names = captures(params, "resourceGroup", "vmName", "extensionName");
    const vm = state.store.findVm(names.resourceGroup, names.vmName);
    return { ...names, vm, key: names.extensionName.toLowerCase() };
  }

  /** Writes need the VM: ARM answers a write to a child of a missing parent this way. */
  function parentNotFound({ resourceGroup, vmName }: { resourceGroup: string; vmName: string }): ArmError {
    return new ArmError(
      404,
      "ParentResourceNotFound",
      `Can not perform requested operation on nested resource. Parent resource '${vmName}' not found in resource group '${resourceGroup}'.`,
    );
  }

  return {
    get(_req, params) {
      const { vm, key, ...names } = resolve(params);
      if (!vm) throw vmNotFound(names.resourceGroup, names.vmName);
      observeRunningWrite(state, vm);
      const ext = vm.extensions.get(key);
      if (!ext) {
        throw new ArmError(
          404,
          "NotFound",
          `The extension '${names.extensionName}' of virtual machine '${vm.name}' was not found.`,
        );
      }
      return json(renderExtension(vm, ext));
    },

    put(req, params) {
      const body = objectBody(req);
      const { vm, key, ...names } = resolve(params);
      if (!vm) throw parentNotFound(names);
      const location = requiredLocation(body);
      if (normalizeLocation(location) !== normalizeLocation(vm.location)) {
        throw invalidParameter(
          `The extension location '${location}' does not match the location '${vm.location}' of virtual machine '${vm.name}'.`,
          "location",
        );
      }
      const properties = extensionProperties(body);
      assertNoRunningWrite(vm);

      const existing = vm.extensions.get(key);
      const ext: ExtensionRecord = {
        name: existing?.name ?? names.extensionName,
        location: existing?.location ?? location,
        properties,
        provisioningState: existing ? "Updating" : "Creating",
      };
      vm.extensions.set(key, ext);
      const op = beginVmWrite(state, vm, {
        provisioningState: "Updating",
        onFinish: ({ status, rollBack }) => {
          if (!rollBack) ext.provisioningState = status;
        },
        rollBack: () => (existing ? vm.extensions.set(key, existing) : vm.extensions.delete(key)),
      });
      return json(renderExtension(vm, ext), existing ? 200 : 201, {
        "Azure-AsyncOperation": operationUrls(state, op, req.apiVersion).asyncOperation,
      });
    },

    delete(req, params) {
      const { vm, key, ...names } = resolve(params);
      if (!vm) throw parentNotFound(names);
      const ext = vm.extensions.get(key);
      if (!ext) return empty(204);
      assertNoRunningWrite(vm);

      const stateBefore = ext.provisioningState;
      ext.provisioningState = "Deleting";
      const op = beginVmWrite(state, vm, {
        provisioningState: "Updating",
        onFinish: ({ status, rollBack }) => {
          if (status === "Succeeded") vm.extensions.delete(key);
          else if (!rollBack) ext.provisioningState = status;
        },
        // A failed deletion that rolls back leaves the extension as it was.
        rollBack: () => (ext.provisioningState = stateBefore),
      });
      return acceptedResponse(state, op, req.apiVersion);
    },
  };
}
