/** List routes: VMs and user-assigned identities of a subscription or a resource group, paged. */
import type { EmulatorState, RouteHandler } from "../context.js";
import { listAnswer } from "../paging.js";
import { renderUai, vmView } from "../render.js";
import { captures } from "../resourceIds.js";
import { json } from "../response.js";
import type { VmRecord } from "../store.js";
import { observeRunningWrite } from "../vmWrites.js";

/**
 * Creates the list handlers. Resource groups are implicit in the emulator:
 * listing a group that holds nothing answers an empty list.
 */
export function createListRoutes(state: EmulatorState): {
  vmsOfSubscription: RouteHandler;
  vmsOfResourceGroup: RouteHandler;
  uaisOfSubscription: RouteHandler;
  uaisOfResourceGroup: RouteHandler;
} {
  const { store, config } = state;

  /** A list entry holds what a GET shows (identity, extensions as `resources`); `etag` only under `listEtags`. */
  function vmEntry(vm: VmRecord) {
    observeRunningWrite(state, vm);
    const view = vmView(vm);
    if (config.listEtags) return view;
    const { etag: _etag, ...entry } = view;
    return entry;
  }

  const answer = <T, U>(items: readonly T[], req: Parameters<RouteHandler>[0], render: (item: T) => U) =>
    json(listAnswer(items, req, config.listPageSize, render));

  return {
    vmsOfSubscription: (req) => answer(store.vms.list(), req, vmEntry),
    vmsOfResourceGroup: (req, params) => answer(store.vms.list(captures(params, "resourceGroup").resourceGroup), req, vmEntry),
    uaisOfSubscription: (req) => answer(store.uais.list(), req, renderUai),
    uaisOfResourceGroup: (req, params) => answer(store.uais.list(captures(params, "resourceGroup").resourceGroup), req, renderUai),
  };
}
