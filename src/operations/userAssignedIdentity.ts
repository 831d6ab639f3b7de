import {
  deleteUserAssignedIdentityRequest,
  getUserAssignedIdentityRequest,
  listUserAssignedIdentitiesRequest,
  putUserAssignedIdentityRequest,
} from "../core/armRequests.js";
import { armRequest } from "../core/request.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import {
  type UserAssignedIdentityDefinition,
  type UserAssignedIdentityInfo,
  userAssignedIdentityInfo,
  validateIdentityDefinition,
} from "../core/userAssignedIdentity.js";
import type { Operation } from "../http/operation.js";

/** Create or update the identity (synchronous in ARM). */
export async function createOrUpdateIdentity(
  op: Operation,
  uai: ResourceGroupScoped,
  definition: UserAssignedIdentityDefinition,
): Promise<UserAssignedIdentityInfo> {
  const response = await op.send(putUserAssignedIdentityRequest(op.target, uai, validateIdentityDefinition(definition)));
  return userAssignedIdentityInfo(response.body);
}

/** Get the identity; undefined when it does not exist. */
export async function getIdentityResource(op: Operation, uai: ResourceGroupScoped): Promise<UserAssignedIdentityInfo | undefined> {
  const response = await op.send(getUserAssignedIdentityRequest(op.target, uai), { accept: [404] });
  return response.status === 404 ? undefined : userAssignedIdentityInfo(response.body);
}

/**
 * Delete the identity; `deleted` is false when it did not exist. A replay
 * answered 204 after an unanswered first attempt counts as deleted by this
 * call: that attempt is the one that removed it.
 */
export async function deleteIdentityResource(op: Operation, uai: ResourceGroupScoped): Promise<{ deleted: boolean }> {
  const response = await op.send(deleteUserAssignedIdentityRequest(op.target, uai), { accept: [404] });
  const gone = response.status === 204 || response.status === 404;
  return { deleted: !gone || response.unansweredAttempts > 0 };
}

/** Every user-assigned identity of a subscription, or of one resource group, page by page (`nextLink`). */
export async function* listIdentityResources(
  op: Operation,
  scope: { subscriptionId: string; resourceGroup?: string },
): AsyncGenerator<UserAssignedIdentityInfo> {
  let next: string | undefined = listUserAssignedIdentitiesRequest(op.target, scope).url;
  while (next) {
    const page = await op.send(armRequest("GET", next));
    const body = page.body as { value?: unknown[]; nextLink?: unknown } | undefined;
    for (const entry of body?.value ?? []) yield userAssignedIdentityInfo(entry);
    next = typeof body?.nextLink === "string" && body.nextLink ? body.nextLink : undefined;
  }
}
