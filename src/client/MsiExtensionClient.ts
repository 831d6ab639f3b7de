import type { ExtensionHost } from "../core/armRequests.js";
import { validateMsiExtensionOptions } from "../core/msiExtension.js";
import type { RawArmRequest } from "../core/request.js";
import type { ArmConnection } from "../http/connection.js";
import { createOperation } from "../http/operation.js";
import {
  type MsiExtensionRemoveResult,
  type VmExtensionResource,
  getMsiExtension,
  installMsiExtension,
  planMsiInstall,
  planMsiRemove,
  removeMsiExtension,
} from "../operations/msiExtension.js";
import type { MsiExtensionInstallOptions, OperationOptions } from "../options.js";
import { construct } from "./construct.js";

/**
 * The legacy VM managed identity extension (`ManagedIdentityExtensionForWindows`
 * / `ManagedIdentityExtensionForLinux`). Deprecated by Azure in favour of IMDS;
 * here for fleets that still carry it.
 */
export class MsiExtensionClient {
  private constructor(
    private readonly connection: ArmConnection,
    private readonly host: ExtensionHost,
  ) {}

  /** Install (or update) the extension; `os` and `location` default to the VM's own. */
  async install(options: MsiExtensionInstallOptions = {}, operationOptions?: OperationOptions): Promise<VmExtensionResource> {
    validateMsiExtensionOptions(options);
    const op = createOperation(this.connection, "VmIdentityClient.installMsiExtension", operationOptions);
    return op.run(() => installMsiExtension(op, this.host, options));
  }

  /** Remove the extension; `removed` is false when it was not there. */
  async remove(options: { name?: string } = {}, operationOptions?: OperationOptions): Promise<MsiExtensionRemoveResult> {
    validateMsiExtensionOptions(options);
    const op = createOperation(this.connection, "VmIdentityClient.removeMsiExtension", operationOptions);
    return op.run(() => removeMsiExtension(op, this.host, options.name));
  }

  /** The extension, or undefined when it is not installed. */
  async get(options: { name?: string } = {}, operationOptions?: OperationOptions): Promise<VmExtensionResource | undefined> {
    validateMsiExtensionOptions(options);
    const op = createOperation(this.connection, "VmIdentityClient.getMsiExtension", operationOptions);
    return op.run(() => getMsiExtension(op, this.host, options.name));
  }

  /** The PUT `install()` would send (reads the VM only when `os` or `location` is missing); sends no write. */
  async planInstall(options: MsiExtensionInstallOptions = {}, operationOptions?: OperationOptions): Promise<RawArmRequest> {
    validateMsiExtensionOptions(options);
    const op = createOperation(this.connection, "VmIdentityClient.planMsiExtensionInstall", operationOptions);
    return op.run(async () => (await planMsiInstall(op, this.host, options)).request);
  }

  /** The DELETE `remove()` would send (reads the VM only when no name is given); sends no write. */
  async planRemove(options: { name?: string } = {}, operationOptions?: OperationOptions): Promise<RawArmRequest> {
    validateMsiExtensionOptions(options);
    const op = createOperation(this.connection, "VmIdentityClient.planMsiExtensionRemove", operationOptions);
    return op.run(async () => (await planMsiRemove(op, this.host, options.name)).request);
  }
}

/** Internal: the extension client of `host`. */
export function createMsiExtensionClient(connection: ArmConnection, host: ExtensionHost): MsiExtensionClient {
  return construct(MsiExtensionClient, connection, host);
}
