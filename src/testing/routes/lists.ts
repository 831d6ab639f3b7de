/** List routes: VMs and user-assigned identities of a subscription or a resource group, paged. */
import type { EmulatorState, RouteHandler } from "../context.js";
import { resourceGroupNotFound } from "../errors.js";
import { listAnswer } from "../paging.js";
import { renderUai, vmView } from "../render.js";
import { captures, type RouteParams } from "../resourceIds.js";
import { json } from "../response.js";
import type { Store, VmRecord } from "../store.js";
import { observeRunningWrite } from "../vmWrites.js";

/** The `{resourceGroup}` of a list's URL; 404 `ResourceGroupNotFound` (thrown) when the group does not exist. */
export function existingResourceGroup(store: Store, params: RouteParams): string {
  const { resourceGroup } = captures(params, "resourceGroup");
  if (!store.hasResourceGroup(resourceGroup)) throw resourceGroupNotFound(resourceGroup);
  return resourceGroup;
}

/**
 * Creates the list handlers. Resource groups are implicit in the emulator: a
 * group exists once a resource was put in it (or it was made empty with
 * `addResourceGroup`), and stays when its resources go, so listing it then
 * answers an empty list. Listing a group that never existed answers 404
 * `ResourceGroupNotFound`, as ARM does.
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
    vmsOfResourceGroup: (req, params) => answer(store.vms.list(existingResourceGroup(store, params)), req, vmEntry),
    uaisOfSubscription: (req) => answer(store.uais.list(), req, renderUai),
    uaisOfResourceGroup: (req, params) => answer(store.uais.list(existingResourceGroup(store, params)), req, renderUai),
  };
}
