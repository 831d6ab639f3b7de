import type { ResourceGroupScoped } from "../core/resourceId.js";
import type { OperationOptions } from "../http/operationContext.js";
import {
  type MsiExtensionInstallOptions,
  type MsiExtensionRemoveResult,
  type VmExtensionResource,
  checkInstallOptions,
  getMsiExtension,
  installMsiExtension,
  planMsiInstall,
  planMsiRemove,
  removeMsiExtension,
} from "../operations/msiExtension.js";
import type { RawArmRequest } from "../core/request.js";
import { type ClientContext, startOperation } from "./clientContext.js";

function checkNameOption(options: { name?: string }): void {
  checkInstallOptions(options as MsiExtensionInstallOptions);
}

/**
 * The legacy VM managed identity extension (`ManagedIdentityExtensionForWindows`
 * / `ManagedIdentityExtensionForLinux`). Deprecated by Azure in favour of IMDS;
 * here for fleets that still carry it.
 */
export class MsiExtensionClient {
  /** @internal */
  constructor(
    private readonly cc: ClientContext,
    private readonly vm: ResourceGroupScoped,
  ) {}

  /** Install (or update) the extension; `os` and `location` default to the VM's own. */
  async install(options: MsiExtensionInstallOptions = {}, operationOptions?: OperationOptions): Promise<VmExtensionResource> {
    checkInstallOptions(options);
    const ctx = startOperation(this.cc, "msiExtension.install", operationOptions);
    return ctx.run(() => installMsiExtension(this.cc, this.vm, options, ctx));
  }

  /** Remove the extension; `removed` is false when it was not there. */
  async remove(options: { name?: string } = {}, operationOptions?: OperationOptions): Promise<MsiExtensionRemoveResult> {
    checkNameOption(options);
    const ctx = startOperation(this.cc, "msiExtension.remove", operationOptions);
    return ctx.run(() => removeMsiExtension(this.cc, this.vm, options.name, ctx));
  }

  /** The extension, or undefined when it is not installed. */
  async get(options: { name?: string } = {}, operationOptions?: OperationOptions): Promise<VmExtensionResource | undefined> {
    checkNameOption(options);
    const ctx = startOperation(this.cc, "msiExtension.get", operationOptions);
    return ctx.run(() => getMsiExtension(this.cc, this.vm, options.name, ctx));
  }

  /** The PUT `install()` would send (reads the VM only when `os` or `location` is missing); sends no write. */
  async planInstall(options: MsiExtensionInstallOptions = {}, operationOptions?: OperationOptions): Promise<RawArmRequest> {
    checkInstallOptions(options);
    const ctx = startOperation(this.cc, "msiExtension.planInstall", operationOptions);
    return ctx.run(async () => (await planMsiInstall(this.cc, this.vm, options, ctx)).request);
  }

  /** The DELETE `remove()` would send (reads the VM only when no name is given); sends no write. */
  async planRemove(options: { name?: string } = {}, operationOptions?: OperationOptions): Promise<RawArmRequest> {
    checkNameOption(options);
    const ctx = startOperation(this.cc, "msiExtension.planRemove", operationOptions);
    return ctx.run(async () => (await planMsiRemove(this.cc, this.vm, options.name, ctx)).request);
  }
}
