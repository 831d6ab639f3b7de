import type { ClientContext } from "../client/clientContext.js";
import { deleteExtensionRequest, getExtensionRequest, putExtensionRequest } from "../core/armRequests.js";
import { DEFAULT_MSI_PORT, msiExtensionBody, msiExtensionType } from "../core/msiExtension.js";
import type { RawArmRequest } from "../core/request.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import { type OsType, validateExtensionName, validateLocation, validateOsType, validatePort } from "../core/validation.js";
import { InvalidInputError } from "../errors.js";
import { waitForOperation } from "../http/lro.js";
import type { OperationContext } from "../http/operationContext.js";
import { logger } from "../logger.js";
import { readVm } from "./readVm.js";

/** Options of `msiExtension.install()`. */
export interface MsiExtensionInstallOptions {
  /** The VM's OS; read from the VM when omitted. */
  os?: OsType;
  /** The port of the extension's token endpoint. Default 50342. */
  port?: number;
  /** The extension's name. Default: its type, as the CLI and PowerShell name it. */
  name?: string;
  /** Must be the VM's location; read from the VM when omitted. */
  location?: string;
}

/** A VM extension as ARM returns it. */
export interface VmExtensionResource {
  id?: string;
  name?: string;
  type?: string;
  location?: string;
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

/**
 * Check MSI extension options (`os`, `port`, `name`, `location`) without
 * sending anything; throws `InvalidInputError` naming the bad value.
 */
export function checkInstallOptions(options: MsiExtensionInstallOptions): void {
  if (options === null || typeof options !== "object") {
    throw new InvalidInputError("InvalidOption", "Invalid msiExtension options: expected an object.", options);
  }
  if (options.os !== undefined) validateOsType(options.os);
  if (options.port !== undefined) validatePort(options.port);
  if (options.location !== undefined) validateLocation(options.location);
  if (options.name !== undefined) validateExtensionName(options.name);
}

/** Resolve what the install needs, reading the VM (one GET) only when `os` or `location` is missing. */
export async function planMsiInstall(
  cc: ClientContext,
  vm: ResourceGroupScoped,
  options: MsiExtensionInstallOptions,
  ctx: OperationContext,
): Promise<{ request: RawArmRequest; name: string }> {
  checkInstallOptions(options);
  let os = options.os === undefined ? undefined : validateOsType(options.os);
  let location = options.location;
  if (os === undefined || location === undefined) {
    const snapshot = await readVm(cc, vm, ctx);
    os ??= snapshot.osType;
    location ??= snapshot.location;
    if (!os) {
      throw new InvalidInputError("InvalidOsType", `The OS type of ${vm.name} is not in its storage profile: pass os: "Windows" or "Linux".`);
    }
    if (!location) throw new InvalidInputError("InvalidLocation", `The location of ${vm.name} is unknown: pass location.`);
  }
  const name = options.name ?? msiExtensionType(os);
  const port = options.port ?? DEFAULT_MSI_PORT;
  return { request: putExtensionRequest(cc, vm, name, msiExtensionBody(os, port, location)), name };
}

/** Install the MSI extension: PUT, wait, read it back. */
export async function installMsiExtension(
  cc: ClientContext,
  vm: ResourceGroupScoped,
  options: MsiExtensionInstallOptions,
  ctx: OperationContext,
): Promise<VmExtensionResource> {
  const { request, name } = await planMsiInstall(cc, vm, options, ctx);
  warnDeprecatedOnce();
  const response = await cc.http.send(request, ctx);
  await waitForOperation(cc.http, request, response, ctx);
  const after = await cc.http.send(getExtensionRequest(cc, vm, name), ctx);
  return after.body as VmExtensionResource;
}

/** The extension name to act on: the one given, else the type for the VM's OS (one GET). */
async function resolveName(cc: ClientContext, vm: ResourceGroupScoped, name: string | undefined, ctx: OperationContext): Promise<string> {
  if (name !== undefined) return validateExtensionName(name);
  const snapshot = await readVm(cc, vm, ctx);
  if (!snapshot.osType) {
    throw new InvalidInputError("InvalidOsType", `The OS type of ${vm.name} is not in its storage profile: pass the extension name.`);
  }
  return msiExtensionType(snapshot.osType);
}

/** Get the MSI extension; undefined when it is not installed. */
export async function getMsiExtension(
  cc: ClientContext,
  vm: ResourceGroupScoped,
  name: string | undefined,
  ctx: OperationContext,
): Promise<VmExtensionResource | undefined> {
  const resolved = await resolveName(cc, vm, name, ctx);
  const response = await cc.http.send(getExtensionRequest(cc, vm, resolved), ctx, { allowStatuses: [404] });
  if (response.status !== 404) return response.body as VmExtensionResource;
  // A 404 means "not installed" only if the VM exists: a missing VM is an error.
  if (name !== undefined) await readVm(cc, vm, ctx);
  return undefined;
}

/** The DELETE that removes the extension (reads the VM for its OS when no name is given). */
export async function planMsiRemove(
  cc: ClientContext,
  vm: ResourceGroupScoped,
  name: string | undefined,
  ctx: OperationContext,
): Promise<{ request: RawArmRequest; name: string }> {
  const resolved = await resolveName(cc, vm, name, ctx);
  return { request: deleteExtensionRequest(cc, vm, resolved), name: resolved };
}

/** Remove the MSI extension: DELETE and wait. */
export async function removeMsiExtension(
  cc: ClientContext,
  vm: ResourceGroupScoped,
  name: string | undefined,
  ctx: OperationContext,
): Promise<MsiExtensionRemoveResult> {
  const { request, name: resolved } = await planMsiRemove(cc, vm, name, ctx);
  const response = await cc.http.send(request, ctx);
  if (response.status === 204) return { removed: false, name: resolved };
  await waitForOperation(cc.http, request, response, ctx);
  return { removed: true, name: resolved };
}
