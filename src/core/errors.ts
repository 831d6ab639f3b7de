/**
 * Stable codes carried by {@link InvalidInputError}. They never change between
 * minor versions, so callers may branch on them.
 */
export type InvalidInputCode =
  | "InvalidSubscriptionId"
  | "InvalidResourceGroupName"
  | "InvalidVmName"
  | "InvalidScaleSetName"
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
  | "IdentityNotAssigned"
  | "SystemIdentityNotSupported"
  | "UnsupportedApiVersion"
  | "InvalidJournal"
  | "JournalMismatch"
  | "InvalidRole"
  | "InvalidScope"
  | "InvalidRoleGrant"
  | "RoleNotFound"
  | "AmbiguousRole"
  | "SystemIdentityNotEnabled";

/**
 * Thrown before any request is sent when a value given to the library is not
 * one Azure Resource Manager would accept. The message names the value and the
 * expected form; `code` is stable. A role given by name is the one value
 * checked against ARM: `RoleNotFound` and `AmbiguousRole` come after the read
 * that looks the name up, and still before any write.
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
 * Thrown when a call's `timeoutInMs` deadline passes before it finishes. Its
 * `name` is `"TimeoutError"` (a caller's own abort rejects with an
 * `AbortError` instead); `cause` is what the deadline interrupted. The
 * deadline stops waiting, never the operation on the server.
 */
export class TimeoutError extends Error {
  /** `"OperationTimedOut"`. */
  readonly code = "OperationTimedOut";
  /** The deadline, in milliseconds. */
  readonly timeoutInMs: number;

  constructor(message: string, timeoutInMs: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TimeoutError";
    this.timeoutInMs = timeoutInMs;
  }
}

/** True when `e` is a {@link TimeoutError}. */
export function isTimeoutError(e: unknown): e is TimeoutError {
  return e instanceof TimeoutError;
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
