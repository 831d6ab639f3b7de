/** Validation of request bodies shared by the routes; each failure throws an ArmError. */
import type { RouteRequest } from "./context.js";
import { ArmError, invalidParameter } from "./errors.js";
import { isPlainObject } from "./json.js";
import { normalizeLocation } from "./resourceIds.js";

/** The body as a JSON object. @throws 400 `InvalidRequestContent` otherwise. */
export function objectBody(req: RouteRequest): Record<string, unknown> {
  if (req.bodyIsInvalid) {
    throw new ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: it is not JSON.");
  }
  if (!isPlainObject(req.body)) {
    throw new ArmError(400, "InvalidRequestContent", "The request content must be a JSON object.");
  }
  return req.body;
}

/** The resource's `location`. @throws 400 `LocationRequired` when missing or empty. */
export function requiredLocation(body: Record<string, unknown>): string {
  const { location } = body;
  if (typeof location !== "string" || location.trim() === "") {
    throw new ArmError(400, "LocationRequired", "The location property is required for this definition.", "location");
  }
  return location;
}

/**
 * A resource cannot move: the location of a write to an existing resource
 * must name the same region. @throws 400 `InvalidResourceLocation` otherwise.
 */
export function assertSameLocation(
  existing: { name: string; location: string; resourceGroup: string },
  location: unknown,
): void {
  if (typeof location !== "string" || normalizeLocation(location) !== normalizeLocation(existing.location)) {
    throw new ArmError(
      400,
      "InvalidResourceLocation",
      `The resource '${existing.name}' already exists in location '${existing.location}' in resource group ` +
        `'${existing.resourceGroup}'. A resource with the same name cannot be created in location '${String(location)}'.`,
      "location",
    );
  }
}

/** An optional JSON object property. @throws 400 `InvalidParameter` when present and not an object. */
export function optionalObject(value: unknown, target: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) throw invalidParameter(`The value of parameter ${target} must be a JSON object.`, target);
  return value;
}

/** Optional tags: an object of strings. @throws 400 `InvalidParameter` otherwise. */
export function optionalTags(value: unknown): Record<string, string> | undefined {
  const tags = optionalObject(value, "tags");
  if (tags && Object.values(tags).some((v) => typeof v !== "string")) {
    throw invalidParameter("Tag values must be strings.", "tags");
  }
  return tags as Record<string, string> | undefined;
}

