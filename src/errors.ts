import { RestError, isRestError } from "@azure/core-rest-pipeline";
import { AbortError } from "@azure/abort-controller";

export { RestError, isRestError, AbortError };

/**
 * Stable codes carried by {@link InvalidInputError}. They never change between
 * minor versions, so callers may branch on them.
 */
export type InvalidInputCode =
  | "InvalidSubscriptionId"
  | "InvalidResourceGroupName"
  | "InvalidVmName"
  | "InvalidExtensionName"
  | "InvalidIdentityName"
  | "InvalidUserAssignedIdentityId"
  | "InvalidResourceId"
  | "InvalidPort"
  | "InvalidOsType"
  | "InvalidEndpoint"
  | "InvalidDefinition"
  | "InvalidLocation"
  | "InvalidOption"
  | "InvalidIdentityChange"
  | "IdentityNotAssigned";

/**
 * Thrown before any request is sent when a value given to the library is not
 * one Azure Resource Manager would accept. The message names the value and the
 * expected form; `code` is stable.
 */
export class InvalidInputError extends Error {
  /** A stable code naming the rule that was broken. */
  readonly code: InvalidInputCode;
  /** The offending value, as given. */
  readonly value: unknown;

  constructor(code: InvalidInputCode, message: string, value?: unknown) {
    super(message);
    this.name = "InvalidInputError";
    this.code = code;
    this.value = value;
  }
}

/** True when `e` is an {@link InvalidInputError}, optionally with the given code. */
export function isInvalidInputError(e: unknown, code?: InvalidInputCode): e is InvalidInputError {
  return e instanceof InvalidInputError && (code === undefined || e.code === code);
}

/**
 * Quote a value for an error message. Numbers print as written (NaN stays
 * NaN); text is bounded at 400 characters, enough for any real resource id,
 * so hostile input stays readable.
 */
export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === "number" || typeof value === "bigint" || value === undefined) {
    text = String(value);
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 400 ? `${text.slice(0, 397)}...` : text;
}
