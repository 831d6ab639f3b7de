/** Paths and calls for the emulator's access-model and scale-set tests (plain HTTP, like helpers.ts). */
import type { FakeArm } from "../../src/testing/index.js";
import { call, pollToEnd, type Reply } from "./helpers.js";

export const AUTHORIZATION_API = "2022-04-01";

export const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
export const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
export const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

export function subscriptionScope(arm: FakeArm): string {
  return `/subscriptions/${arm.subscriptionId}`;
}

export function groupScope(arm: FakeArm, resourceGroup: string): string {
  return `${subscriptionScope(arm)}/resourceGroups/${resourceGroup}`;
}

export function vmssPath(arm: FakeArm, resourceGroup: string, name: string): string {
  return `${groupScope(arm, resourceGroup)}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
}

/** The role definition id ARM shows for a GUID in the emulator's subscription. */
export function roleId(arm: FakeArm, guid: string): string {
  return `${subscriptionScope(arm)}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

export function assignmentPath(scope: string, name: string): string {
  return `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
}

/** PUTs a role assignment. */
export function putAssignment(
  arm: FakeArm,
  scope: string,
  name: string,
  properties: Record<string, unknown>,
): Promise<Reply> {
  return call(arm, "PUT", assignmentPath(scope, name), { body: { properties }, apiVersion: AUTHORIZATION_API });
}

/** GETs a path with the Authorization api-version. */
export function getAuthorization(arm: FakeArm, path: string): Promise<Reply> {
  return call(arm, "GET", path, { apiVersion: AUTHORIZATION_API });
}

/** Sends a write and polls its Azure-AsyncOperation to the end when it has one. */
export async function writeAndSettle(arm: FakeArm, method: string, path: string, body?: unknown): Promise<Reply> {
  const reply = await call(arm, method, path, { body });
  const url = reply.headers.get("azure-asyncoperation");
  if (reply.status < 300 && url) await pollToEnd(arm, url);
  return reply;
}

/** Every entry of a paged list, following nextLink; also returns the pages' sizes. */
export async function listAll(arm: FakeArm, path: string, apiVersion?: string): Promise<{ items: any[]; pages: number[] }> {
  const items: any[] = [];
  const pages: number[] = [];
  let next: string | undefined = path;
  while (next) {
    const reply = await call(arm, "GET", next, { apiVersion });
    if (reply.status !== 200) throw new Error(`GET ${next} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    items.push(...reply.body.value);
    pages.push(reply.body.value.length);
    next = reply.body.nextLink;
  }
  return { items, pages };
}
