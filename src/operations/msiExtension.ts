import type { ExtensionHost } from "../core/armRequests.js";
import { DEFAULT_MSI_PORT, extensionsListedIn, msiExtensionBody, msiExtensionType, validateMsiExtensionOptions } from "../core/msiExtension.js";
import { InvalidInputError } from "../core/errors.js";
import { armRequest, type RawArmRequest } from "../core/request.js";
import { type OsType, validateExtensionName, validateOsType } from "../core/validation.js";
import { followDeletion, followProvisioningState, waitForDeletion, waitForOperation } from "../http/lro.js";
import type { ArmResponse, Operation } from "../http/operation.js";
import { restErrorFromResponse } from "../http/restError.js";
import { logger } from "../logger.js";
import type { MsiExtensionInstallOptions } from "../options.js";
import type { ResourceSnapshot } from "../core/snapshot.js";
import { type ReadResource, readResource } from "./readResource.js";

/** A VM (or scale-set) extension as ARM returns it. */
export interface VmExtensionResource {
  /** The extension's full resource id. */
  id?: string;
  /** The extension's name. */
  name?: string;
  /** The ARM resource type, e.g. `Microsoft.Compute/virtualMachines/extensions`. */
  type?: string;
  /** The extension's Azure region (the VM's); a scale set's extensions have none. */
  location?: string;
  /** The extension's publisher, type, handler version, settings (`port`) and provisioning state. */
  properties?: {
    publisher?: string;
    type?: string;
    typeHandlerVersion?: string;
    autoUpgradeMinorVersion?: boolean;
    settings?: { port?: number } & Record<string, unknown>;
    provisioningState?: string;
  } & Record<string, unknown>;
}

/** The outcome of `msiExtension.remove()`. */
export interface MsiExtensionRemoveResult {
  /** False when there was no such extension. */
  removed: boolean;
  /** The name that was removed (or looked for). */
  name: string;
}

let deprecationLogged = false;

function warnDeprecatedOnce(): void {
  if (deprecationLogged) return;
  deprecationLogged = true;
  logger.warning(
    "The VM managed identity extension is deprecated: applications should get tokens from the Instance Metadata Service " +
      "(http://169.254.169.254/metadata/identity/oauth2/token). It is installed because existing fleets still depend on it.",
  );
}

/** A 409 for a write that runs on the host (its own, after a replay, or another's). */
export const isConflictingWrite = (response: ArmResponse): boolean =>
  response.status === 409 && (response.body as { error?: { code?: unknown } } | undefined)?.error?.code === "ConflictingConcurrentWriteNotAllowed";

/** Resolve what the install needs, reading the host (one GET) only when `os` or a needed `location` is missing. */
export async function planMsiInstall(
  op: Operation,
  host: ExtensionHost,
  options: MsiExtensionInstallOptions,
): Promise<{ request: RawArmRequest; name: string }> {
  validateMsiExtensionOptions(options);
  let os: OsType | undefined = options.os === undefined ? undefined : validateOsType(options.os);
  let location = host.located ? options.location : undefined;
  if (os === undefined || (host.located && location === undefined)) {
    const snapshot = await readResource(op, host.url);
    os ??= snapshot.osType;
    if (host.located) location ??= snapshot.location;
    if (!os) throw new InvalidInputError("InvalidOsType", `The OS type of ${host.label} is not in its storage profile: pass os: "Windows" or "Linux".`);
    if (host.located && !location) throw new InvalidInputError("InvalidLocation", `The location of ${host.label} is unknown: pass location.`);
  }
  const name = options.name ?? msiExtensionType(os);
  const body = msiExtensionBody(os, options.port ?? DEFAULT_MSI_PORT, location);
  return { request: armRequest("PUT", host.extensionUrl(name), body), name };
}

/**
 * Install the MSI extension: PUT, wait for its operation, read it back.
 * A replay whose first attempt got no answer and which finds the host busy
 * (409) is this call's own PUT still running: it is followed to its end.
 */
export async function installMsiExtension(op: Operation, host: ExtensionHost, options: MsiExtensionInstallOptions): Promise<VmExtensionResource> {
  const { request } = await planMsiInstall(op, host, options);
  warnDeprecatedOnce();
  const response = await op.send(request, { accept: [409] });
  if (response.status === 409) {
    if (response.unansweredAttempts === 0 || !isConflictingWrite(response)) throw restErrorFromResponse(response.raw, response.body);
    return (await followProvisioningState(op, request.url)).body as VmExtensionResource;
  }
  return (await waitForOperation(op, response)).body as VmExtensionResource;
}

/** The extension name to act on: the one given, else the type for the host's OS (one GET, returned too). */
async function resolveName(op: Operation, host: ExtensionHost, name: string | undefined): Promise<{ name: string; read?: ReadResource }> {
  if (name !== undefined) return { name: validateExtensionName(name) };
  const read = await readResource(op, host.url);
  if (!read.osType) throw new InvalidInputError("InvalidOsType", `The OS type of ${host.label} is not in its storage profile: pass the extension name.`);
  return { name: msiExtensionType(read.osType), read };
}

/** Whether a host body lists an extension of that name (VMs list theirs in `resources`; scale sets in their model). */
function listsExtension(body: Record<string, unknown>, name: string): boolean | undefined {
  return extensionsListedIn(body)?.some((e) => typeof e["name"] === "string" && e["name"].toLowerCase() === name.toLowerCase());
}

/** Get the MSI extension; undefined when it is not installed. */
export async function getMsiExtension(op: Operation, host: ExtensionHost, name: string | undefined): Promise<VmExtensionResource | undefined> {
  const resolved = await resolveName(op, host, name);
  const response = await op.send(armRequest("GET", host.extensionUrl(resolved.name)), { accept: [404] });
  if (response.status !== 404) return response.body as VmExtensionResource;
  // A 404 means "not installed" only if the host exists: a missing VM is an error.
  if (!resolved.read) await readResource(op, host.url);
  return undefined;
}

/** The DELETE that removes the extension (reads the host for its OS when no name is given). */
export async function planMsiRemove(op: Operation, host: ExtensionHost, name: string | undefined): Promise<{ request: RawArmRequest; name: string; read?: ReadResource }> {
  const resolved = await resolveName(op, host, name);
  return { request: armRequest("DELETE", host.extensionUrl(resolved.name)), ...resolved };
}

/**
 * Remove the MSI extension: DELETE and wait. When the DELETE's first attempt
 * got no answer, its replay may find the extension still being deleted (409)
 * or already gone (204): both are this call's own DELETE, reported as
 * `removed: true` once the extension is gone (unless a read before the
 * DELETE, its own or `hostRead`, showed there was no such extension).
 */
export async function removeMsiExtension(
  op: Operation,
  host: ExtensionHost,
  name: string | undefined,
  hostRead?: ResourceSnapshot,
): Promise<MsiExtensionRemoveResult> {
  const planned = await planMsiRemove(op, host, name);
  const { request, name: resolved } = planned;
  const read = planned.read ?? hostRead;
  const response = await op.send(request, { accept: [409] });
  const replayed = response.unansweredAttempts > 0;
  if (response.status === 409) {
    if (!replayed || !isConflictingWrite(response)) throw restErrorFromResponse(response.raw, response.body);
    await followDeletion(op, request.url);
    return { removed: true, name: resolved };
  }
  if (response.status === 204) {
    const knownAbsent = read ? listsExtension(read.body, resolved) === false : false;
    return { removed: replayed && !knownAbsent, name: resolved };
  }
  await waitForDeletion(op, response);
  return { removed: true, name: resolved };
}
