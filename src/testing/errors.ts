import type { ArmResponse } from "./response.js";

/** One entry of an ARM error's `details`. */
export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
}

/** Optional parts of an ARM error response. */
export interface ArmErrorExtras {
  /** Response headers, e.g. `Retry-After` on a 429. */
  headers?: Record<string, string>;
  /** The error's `details`. */
  details?: ArmErrorDetail[];
}

/**
 * An ARM error raised while handling a request: the router turns it into the
 * `{"error":{"code","message","target"?}}` body ARM sends, with `status`.
 *
 * Seeding helpers (`addVm`, ...) throw it too, so a bad seed fails with the
 * same code and message a request would have received.
 */
export class ArmError extends Error {
  override readonly name = "ArmError";

  constructor(
    /** HTTP status of the response. */
    readonly status: number,
    /** ARM error code, e.g. `InvalidParameter`. */
    readonly code: string,
    message: string,
    /** The offending request property, when there is one. */
    readonly target?: string,
    /** Headers and details of the response. */
    readonly extras: ArmErrorExtras = {},
  ) {
    super(message);
  }
}

/** Builds an ARM error response without throwing. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  target?: string,
  headers?: Record<string, string>,
  details?: ArmErrorDetail[],
): ArmResponse {
  const error: Record<string, unknown> = { code, message };
  if (target !== undefined) error.target = target;
  if (details !== undefined) error.details = details;
  return { status, headers, body: { error } };
}

/** The response for a caught {@link ArmError}. */
export function responseOf(err: ArmError): ArmResponse {
  return errorResponse(err.status, err.code, err.message, err.target, err.extras.headers, err.extras.details);
}

/** 404 `ResourceNotFound`, worded as ARM words it. */
export function resourceNotFound(type: string, resourceGroup: string, name: string): ArmError {
  return new ArmError(404, "ResourceNotFound", `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found.`);
}

/** 404 `ResourceGroupNotFound`, worded as ARM words it: what a list of a resource group that does not exist answers. */
export function resourceGroupNotFound(resourceGroup: string): ArmError {
  return new ArmError(404, "ResourceGroupNotFound", `Resource group '${resourceGroup}' could not be found.`);
}

/** 400 `InvalidParameter`, the code ARM uses for most rejected request values. */
export function invalidParameter(message: string, target?: string): ArmError {
  return new ArmError(400, "InvalidParameter", message, target);
}
