/** A scale set's instances: the paged list, one instance, and `manualupgrade`. */
import type { EmulatorState, RouteHandler } from "../context.js";
import { ArmError, invalidParameter } from "../errors.js";
import { listAnswer } from "../paging.js";
import { objectBody } from "../requestBody.js";
import { renderInstance } from "../renderScaleSet.js";
import { captures, type RouteParams } from "../resourceIds.js";
import { json } from "../response.js";
import { applyLatestModel, beginScaleSetWrite } from "../scaleSetModel.js";
import type { ScaleSetInstance } from "../scaleSetStore.js";
import type { ArmVmssInstance } from "../scaleSetTypes.js";
import { acceptedResponse, assertNoRunningWrite } from "../vmWrites.js";
import { vmssNotFound } from "./scaleSets.js";

/** Creates the instance handlers. */
export function createScaleSetInstanceRoutes(state: EmulatorState): { list: RouteHandler; get: RouteHandler; manualUpgrade: RouteHandler } {
  function scaleSetOf(params: RouteParams) {
    const { resourceGroup, vmssName } = captures(params, "resourceGroup", "vmssName");
    const vmss = state.store.findVmss(resourceGroup, vmssName);
    if (!vmss) throw vmssNotFound(resourceGroup, vmssName);
    return vmss;
  }

  return {
    list(req, params) {
      const vmss = scaleSetOf(params);
      const views = vmss.instances
        .map((instance) => renderInstance(state.store, vmss, instance))
        .filter((view): view is ArmVmssInstance => view !== undefined);
      return json(listAnswer(views, req, state.config.listPageSize, (view) => view));
    },

    get(_req, params) {
      const vmss = scaleSetOf(params);
      const { instanceId } = captures(params, "instanceId");
      const instance = vmss.instances.find((i) => i.instanceId.toLowerCase() === instanceId.toLowerCase());
      const view = instance && renderInstance(state.store, vmss, instance);
      if (!view) {
        throw new ArmError(404, "NotFound", `The instance '${instanceId}' of virtual machine scale set '${vmss.name}' was not found.`);
      }
      return json(view);
    },

    /** `{"instanceIds":[...]}`: those instances apply the current model when the operation ends. */
    manualUpgrade(req, params) {
      const body = objectBody(req);
      const vmss = scaleSetOf(params);
      const { instanceIds } = body;
      if (!Array.isArray(instanceIds) || instanceIds.length === 0 || instanceIds.some((id) => typeof id !== "string")) {
        throw invalidParameter("The parameter instanceIds is required: a non-empty array of instance ids.", "instanceIds");
      }
      const chosen: ScaleSetInstance[] = [];
      for (const id of instanceIds as string[]) {
        const instance = vmss.instances.find((i) => i.instanceId.toLowerCase() === id.toLowerCase());
        if (!instance) {
          throw invalidParameter(`The provided instanceId ${id} is not an active Virtual Machine Scale Set VM instanceId.`, "instanceIds");
        }
        if (!chosen.includes(instance)) chosen.push(instance);
      }
      assertNoRunningWrite(vmss);
      const op = beginScaleSetWrite(state, vmss, {
        provisioningState: "Updating",
        onFinish: ({ status }) => {
          if (status === "Succeeded") applyLatestModel(vmss, chosen);
        },
      });
      return acceptedResponse(state, op, req.apiVersion);
    },
  };
}
