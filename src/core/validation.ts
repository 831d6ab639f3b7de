import { InvalidInputError, describeValue } from "./errors.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Letters and digits in any script, plus `_ - . ( )`.
const RESOURCE_GROUP = /^[\p{L}\p{N}_\-.()]{1,90}$/u;
// The characters Azure forbids in a VM name, plus whitespace, control characters
// and lone UTF-16 surrogates (not characters at all: no URL can encode them).
const VM_FORBIDDEN = /[\s\p{Cc}\p{Cs}~!@#$%^&*()=+_[\]{}\\|;:.'",<>/?]/u;
// Letters and digits in any script, plus `_ . -`; first a letter or digit, last a letter, digit or `_`.
const SCALE_SET_NAME = /^[\p{L}\p{N}](?:[\p{L}\p{N}_.-]{0,62}[\p{L}\p{N}_])?$/u;
// The name of a Flexible scale set's instance VM: the scale set's name, `_`, 8 letters or digits.
const FLEXIBLE_INSTANCE = /^(.+)_([A-Za-z0-9]{8})$/;
const EXTENSION_NAME = /^[\p{L}\p{N}_\-.]{1,64}$/u;
const IDENTITY_NAME = /^[\p{L}\p{N}][\p{L}\p{N}_-]{2,127}$/u;
const LOCATION = /^[A-Za-z0-9][A-Za-z0-9 -]{0,63}$/;

/** Whether a value is a GUID in its 8-4-4-4-12 hexadecimal form (any case). */
export function isGuid(value: unknown): boolean {
  return typeof value === "string" && GUID.test(value);
}

/** Validate an Azure subscription id (a GUID). Returns it unchanged. */
export function validateSubscriptionId(value: unknown): string {
  if (typeof value !== "string" || !GUID.test(value)) {
    throw new InvalidInputError(
      "InvalidSubscriptionId",
      `Invalid subscription id ${describeValue(value)}: expected a GUID such as 00000000-0000-0000-0000-000000000000.`,
      value,
    );
  }
  return value;
}

/** Validate a resource group name: 1-90 letters, digits, `_ - . ( )`, not ending in `.`. */
export function validateResourceGroupName(value: unknown): string {
  if (typeof value !== "string" || !RESOURCE_GROUP.test(value) || value.endsWith(".")) {
    throw new InvalidInputError(
      "InvalidResourceGroupName",
      `Invalid resource group name ${describeValue(value)}: expected 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'.`,
      value,
    );
  }
  return value;
}

/** Whether a name is one Azure gives the instance VMs of a Flexible scale set: `<scale set>_<8 letters or digits>`. */
function isFlexibleInstanceName(value: string): boolean {
  const match = FLEXIBLE_INSTANCE.exec(value);
  return match !== null && SCALE_SET_NAME.test(match[1]!);
}

/**
 * Validate a virtual machine name: 1-64 characters, none of Azure's forbidden
 * ones, not ending in `.` or `-`; or the name Azure gives an instance VM of a
 * Flexible scale set, `<scale set name>_<8 letters or digits>` (the one place
 * a VM name holds `_`).
 */
export function validateVmName(value: unknown): string {
  if (typeof value === "string" && isFlexibleInstanceName(value)) return value;
  if (
    typeof value !== "string" ||
    value.length < 1 ||
    value.length > 64 ||
    VM_FORBIDDEN.test(value) ||
    value.endsWith("-")
  ) {
    throw new InvalidInputError(
      "InvalidVmName",
      `Invalid virtual machine name ${describeValue(value)}: expected 1-64 characters without spaces, control characters or any of ~ ! @ # $ % ^ & * ( ) = + _ [ ] { } \\ | ; : . ' " , < > / ?, not ending in '.' or '-' (or a Flexible scale set's instance name, <scale set name>_<8 letters or digits>).`,
      value,
    );
  }
  return value;
}

/**
 * Validate a virtual machine scale set name: 1-64 letters, digits, `_ . -`,
 * starting with a letter or digit and ending with a letter, digit or `_`.
 */
export function validateScaleSetName(value: unknown): string {
  if (typeof value !== "string" || !SCALE_SET_NAME.test(value)) {
    throw new InvalidInputError(
      "InvalidScaleSetName",
      `Invalid virtual machine scale set name ${describeValue(value)}: expected 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit and ending with a letter, digit or '_'.`,
      value,
    );
  }
  return value;
}

/** Validate a VM extension name: 1-64 letters, digits, `_ - .`, not ending in `.`. */
export function validateExtensionName(value: unknown): string {
  if (typeof value !== "string" || !EXTENSION_NAME.test(value) || value.endsWith(".") || /^\.+$/.test(value)) {
    throw new InvalidInputError(
      "InvalidExtensionName",
      `Invalid extension name ${describeValue(value)}: expected 1-64 letters, digits, '_', '-' or '.', not ending in '.'.`,
      value,
    );
  }
  return value;
}

/** Validate a user-assigned identity name: 3-128 letters, digits, `-` or `_`, starting with a letter or digit. */
export function validateIdentityName(value: unknown): string {
  if (typeof value !== "string" || !IDENTITY_NAME.test(value)) {
    throw new InvalidInputError(
      "InvalidIdentityName",
      `Invalid user-assigned identity name ${describeValue(value)}: expected 3-128 letters, digits, '-' or '_', starting with a letter or digit.`,
      value,
    );
  }
  return value;
}

/** Validate a TCP port: an integer from 1 to 65535. */
export function validatePort(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new InvalidInputError(
      "InvalidPort",
      `Invalid port ${describeValue(value)}: expected an integer from 1 to 65535.`,
      value,
    );
  }
  return value;
}

/** The operating systems the MSI extension exists for. */
export type OsType = "Windows" | "Linux";

/** Validate an OS type, accepting any casing; returns the canonical spelling. */
export function validateOsType(value: unknown): OsType {
  if (typeof value === "string") {
    const lower = value.toLowerCase();
    if (lower === "windows") return "Windows";
    if (lower === "linux") return "Linux";
  }
  throw new InvalidInputError("InvalidOsType", `Invalid OS type ${describeValue(value)}: expected "Windows" or "Linux".`, value);
}

/** Validate an Azure location name such as `westeurope` or `West Europe`. */
export function validateLocation(value: unknown): string {
  if (typeof value !== "string" || !LOCATION.test(value)) {
    throw new InvalidInputError(
      "InvalidLocation",
      `Invalid location ${describeValue(value)}: expected an Azure region name such as "westeurope".`,
      value,
    );
  }
  return value;
}

/** Whether a URL host is a loopback address: 127.0.0.0/8, localhost or [::1]. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Validate the ARM endpoint: an absolute https URL with no path, query or
 * credentials; plain http is allowed only for loopback hosts (the emulator).
 * Returns its origin.
 */
export function validateEndpoint(value: unknown): string {
  const fail = (why: string): never => {
    throw new InvalidInputError(
      "InvalidEndpoint",
      `Invalid endpoint ${describeValue(value)}: ${why}; expected an https origin such as "https://management.azure.com" (plain http only for 127.0.0.1, localhost or [::1]).`,
      value,
    );
  };
  if (typeof value !== "string") return fail("not a string");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail("not an absolute URL");
  }
  if (url.username || url.password) fail("credentials are not allowed in the URL");
  if (url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) fail("it must not have a path, query or fragment");
  if (url.protocol === "http:") {
    if (!isLoopbackHost(url.hostname)) fail("plain http is allowed only for loopback hosts");
  } else if (url.protocol !== "https:") {
    fail(`the scheme ${url.protocol} is not supported`);
  }
  return url.origin;
}
