import { armRequest } from "../core/request.js";
import { type ResourceSnapshot, snapshotOf } from "../core/snapshot.js";
import type { ArmResponse, Operation } from "../http/operation.js";

/** A resource as read, with the response it came in. */
export interface ReadResource extends ResourceSnapshot {
  response: ArmResponse;
}

/** `GET` a VM or scale set (its URL with api-version) and take what the library needs from it. */
export async function readResource(op: Operation, url: string): Promise<ReadResource> {
  const response = await op.send(armRequest("GET", url));
  return { ...snapshotOf(response.body, response.headers["etag"]), response };
}
