import { vmssExtensionHost } from "../core/armRequests.js";
import { InvalidInputError, describeValue } from "../core/errors.js";
import { validateMsiExtensionOptions } from "../core/msiExtension.js";
import type { RawArmRequest } from "../core/request.js";
import type { ResourceGroupScoped } from "../core/resourceId.js";
import type { ArmConnection } from "../http/connection.js";
import { createOperation } from "../http/operation.js";
import { type VmExtensionResource, getMsiExtension, planMsiInstall, planMsiRemove } from "../operations/msiExtension.js";
import {
  type VmssMsiExtensionRemoveResult,
  type VmssMsiExtensionResult,
  installVmssMsiExtension,
  removeVmssMsiExtension,
} from "../operations/vmssMsiExtension.js";
import type { OperationOptions, VmssExtensionOptions, VmssMsiExtensionInstallOptions } from "../options.js";
import { construct } from "./construct.js";

/** Split the operation options from `upgradeInstances`, checked before any request. */
function upgradeOption(options: VmssExtensionOptions): { upgrade: boolean; operationOptions: OperationOptions } {
  if (options === null || typeof options !== "object") {
    throw new InvalidInputError("InvalidOption", `Invalid options ${describeValue(options)}: expected an object.`, options);
  }
  const { upgradeInstances, ...operationOptions } = options;
  if (upgradeInstances !== undefined && typeof upgradeInstances !== "boolean") {
    throw new InvalidInputError("InvalidOption", `Invalid upgradeInstances ${describeValue(upgradeInstances)}: expected true or false.`, upgradeInstances);
  }
  return { upgrade: upgradeInstances === true, operationOptions };
}

/**
 * The legacy managed identity extension on a scale set: the scale-set
 * extension resource, in the model (no `location`), of the OS the model
 * names. Deprecated by Azure in favour of IMDS; here for fleets that still
 * carry it. Under a Manual upgrade policy a change reaches existing instances
 * only after a manual upgrade: `{ upgradeInstances: true }` runs it.
 */
export class VmssMsiExtensionClient {
  private constructor(
    private readonly connection: ArmConnection,
    private readonly vmss: ResourceGroupScoped,
  ) {}

  /**
   * Install (or update) the extension: read the scale set (its OS and upgrade
   * policy), PUT the extension, wait; then, under Manual, upgrade the
   * instances that lack the latest model (`upgradeInstances`) or count them
   * (`instancesPending`).
   */
  async install(options: VmssMsiExtensionInstallOptions = {}, extensionOptions: VmssExtensionOptions = {}): Promise<VmssMsiExtensionResult> {
    validateMsiExtensionOptions(options);
    const { upgrade, operationOptions } = upgradeOption(extensionOptions);
    const op = createOperation(this.connection, "VmIdentityClient.installMsiExtension", operationOptions);
    return op.run(() => installVmssMsiExtension(op, this.vmss, options, upgrade));
  }

  /** Remove the extension (`removed` is false when it was not there), then settle the instances as `install()` does. */
  async remove(options: { name?: string } = {}, extensionOptions: VmssExtensionOptions = {}): Promise<VmssMsiExtensionRemoveResult> {
    validateMsiExtensionOptions(options);
    const { upgrade, operationOptions } = upgradeOption(extensionOptions);
    const op = createOperation(this.connection, "VmIdentityClient.removeMsiExtension", operationOptions);
    return op.run(() => removeVmssMsiExtension(op, this.vmss, options.name, upgrade));
  }

  /** The extension in the scale set's model, or undefined when it has none of that name. */
  async get(options: { name?: string } = {}, operationOptions?: OperationOptions): Promise<VmExtensionResource | undefined> {
    validateMsiExtensionOptions(options);
    const op = createOperation(this.connection, "VmIdentityClient.getMsiExtension", operationOptions);
    return op.run(() => getMsiExtension(op, vmssExtensionHost(op.target, this.vmss), options.name));
  }

  /** The PUT `install()` would send (reads the scale set only when `os` is missing); sends no write. */
  async planInstall(options: VmssMsiExtensionInstallOptions = {}, operationOptions?: OperationOptions): Promise<RawArmRequest> {
    validateMsiExtensionOptions(options);
    const op = createOperation(this.connection, "VmIdentityClient.planMsiExtensionInstall", operationOptions);
    return op.run(async () => (await planMsiInstall(op, vmssExtensionHost(op.target, this.vmss), options)).request);
  }

  /** The DELETE `remove()` would send (reads the scale set only when no name is given); sends no write. */
  async planRemove(options: { name?: string } = {}, operationOptions?: OperationOptions): Promise<RawArmRequest> {
    validateMsiExtensionOptions(options);
    const op = createOperation(this.connection, "VmIdentityClient.planMsiExtensionRemove", operationOptions);
    return op.run(async () => (await planMsiRemove(op, vmssExtensionHost(op.target, this.vmss), options.name)).request);
  }
}

/** Internal: the extension client of a scale set. */
export function createVmssMsiExtensionClient(connection: ArmConnection, vmss: ResourceGroupScoped): VmssMsiExtensionClient {
  return construct(VmssMsiExtensionClient, connection, vmss);
}
