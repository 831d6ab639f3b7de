import type { Command } from "commander";
import {
  type InstanceUpgradeOutcome,
  type RawArmRequest,
  type VmssExtensionOptions,
  type VmssHandle,
  isInvalidInputError,
  parseVmssResourceId,
  validateMsiExtensionOptions,
} from "azure-vm-identity";
import { OperationFailedError, UsageError } from "../errors.js";
import { type IdentityOptions, addIdentityOptions, readIdentitySelection } from "../options/identities.js";
import { nonEmpty, parseOs, parsePort } from "../options/parsers.js";
import { type RoleOptions, addGrantOptions, readRolePairs } from "../options/roles.js";
import { resourceTypeOf } from "../options/targets.js";
import { armIdentity, identitiesTable, identityTable } from "../output/identity.js";
import { type DryRunReport, formatDryRun } from "../output/requests.js";
import { extensionTable } from "../output/resources.js";
import type { CliRuntime } from "../runtime.js";
import { assignChange, rolesHelp } from "./assign.js";
import { DEPRECATION, isExtensionOf } from "./extension.js";
import { runOneIdentityChange } from "./identityChange.js";
import { noteAccepted, untilAccepted } from "./noWait.js";
import { printOneOrEach } from "./reads.js";
import { REMOVE_ROLES_HELP, type RemoveOptions, addRemoveOptions, removeRequest } from "./remove.js";

/** A scale set as the command line named it (`subscriptionId` undefined: the run's default). */
interface VmssRef {
  subscriptionId: string | undefined;
  resourceGroup: string;
  name: string;
  label: string;
}

/** The target options of `vmss` commands, as commander parsed them. */
interface VmssTargetOptions {
  resourceGroup?: string;
  /** `-n`: the scale set, except in `vmss extension` commands, where it names the extension. */
  name?: string;
  /** The scale set in `vmss extension` commands. */
  vmssName?: string;
  ids?: string[] | true;
}

const VMSS_ID_EXAMPLE = "/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachineScaleSets/<name>";

/** One `--ids` value as a scale set; a mistake says what was expected. */
function parseVmssId(value: string, where: string): VmssRef {
  if (!value.startsWith("/")) {
    throw new UsageError(`${where} ${JSON.stringify(value)} is not a scale set resource id: expected a full id such as ${VMSS_ID_EXAMPLE}; to name it by name, pass -g <group> and its name.`);
  }
  try {
    const parsed = parseVmssResourceId(value);
    return { ...parsed, label: parsed.name };
  } catch (e) {
    if (!isInvalidInputError(e)) throw e;
    const type = resourceTypeOf(value);
    const other = type && type.toLowerCase() !== "microsoft.compute/virtualmachinescalesets" ? ` (it names a ${type}, not a scale set)` : "";
    throw new UsageError(`${where}${other}: ${e.message} [${e.code}]`);
  }
}

/** The scale set or sets a `vmss` command names: `-g` and the name option, or `--ids`. */
function vmssTargets(options: VmssTargetOptions, nameFlag: "-n/--name" | "--vmss-name"): { mode: "one"; ref: VmssRef } | { mode: "many"; refs: VmssRef[] } {
  const name = nameFlag === "--vmss-name" ? options.vmssName : options.name;
  const named = options.resourceGroup !== undefined || name !== undefined;
  if (options.ids === true) throw new UsageError("The selection is empty: --ids was given no scale set id.");
  if (options.ids !== undefined) {
    if (named) throw new UsageError(`Name the scale set either with --ids or with -g and ${nameFlag}, not both.`);
    const ids = options.ids;
    const refs = ids.map((id, i) => parseVmssId(id, ids.length > 1 ? `--ids value ${i + 1}` : "--ids"));
    return refs.length === 1 ? { mode: "one", ref: refs[0]! } : { mode: "many", refs };
  }
  if (name !== undefined && name.startsWith("/")) throw new UsageError(`${nameFlag} takes a scale set name, not a resource id: pass ${JSON.stringify(name)} to --ids instead.`);
  if (options.resourceGroup !== undefined && name !== undefined) return { mode: "one", ref: { subscriptionId: undefined, resourceGroup: options.resourceGroup, name, label: name } };
  if (options.resourceGroup !== undefined) throw new UsageError(`Missing the scale set's name: pass ${nameFlag} <name>.`);
  if (name !== undefined) throw new UsageError("Missing the resource group: pass -g/--resource-group <group>.");
  throw new UsageError(`No scale set given: pass -g/--resource-group <group> and ${nameFlag} <name>, or --ids <scale set resource id...>.`);
}

/** One scale set: a write acts on one (several `--ids` are a usage error). */
function oneVmss(options: VmssTargetOptions, nameFlag: "-n/--name" | "--vmss-name"): VmssRef {
  const targets = vmssTargets(options, nameFlag);
  if (targets.mode === "many") throw new UsageError(`This command changes one scale set, and --ids was given ${targets.refs.length}: run it once for each.`);
  return targets.ref;
}

/** The library's handle on a scale set, in its own subscription. */
async function vmssOf(rt: CliRuntime, command: Command, ref: VmssRef): Promise<VmssHandle> {
  const client = await rt.client(command, ref.subscriptionId ?? (await rt.defaultSubscription(command)));
  return client.vmss(ref.resourceGroup, ref.name);
}

function addVmssTargetOptions(command: Command, nameFlag: "-n/--name" | "--vmss-name"): Command {
  return command
    .option("-g, --resource-group <group>", "resource group of the scale set", nonEmpty("--resource-group"))
    .option(nameFlag === "--vmss-name" ? "--vmss-name <name>" : "-n, --name <name>", "name of the scale set", nonEmpty(nameFlag === "--vmss-name" ? "--vmss-name" : "--name"))
    .option("--ids [id...]", "resource ids of scale sets, each in its own subscription (instead of -g and the name)", (value: string, previous: string[] | true | undefined) => [
      ...(Array.isArray(previous) ? previous : []),
      nonEmpty("--ids")(value).trim(),
    ]);
}

const IDENTITY_NOTES =
  "\nScale sets: an identity change is one PATCH of the scale set's identity, conditional on its etag, and reaches every " +
  "instance without an instance upgrade under any upgrade policy (no upgrade is run or needed). A Flexible scale set " +
  "takes user-assigned identities only: a system identity is refused once the scale set is read, before any write " +
  "(SystemIdentityNotSupported, exit 1); give its instances (ordinary VMs) one with vm-identity assign --ids " +
  "<instance VM id> instead.\n";

type VmssChangeOptions = VmssTargetOptions & { dryRun?: boolean; wait?: boolean };

/** `--no-wait` is for a write, and a dry run writes nothing. */
function noWaitOf(options: { wait?: boolean; dryRun?: boolean }): boolean {
  if (options.wait !== false) return false;
  if (options.dryRun) throw new UsageError("--no-wait and --dry-run: a dry run sends no write to wait for; leave out one of them.");
  return true;
}

/** What the instances of a scale set are left with after an extension change, for people. */
function upgradeText(name: string, outcome: InstanceUpgradeOutcome): string {
  if (outcome.upgradedInstances.length > 0) return `Upgraded ${outcome.upgradedInstances.length} instance(s) of ${name} to the latest model: ${outcome.upgradedInstances.join(", ")}.\n`;
  if (outcome.instancesPending > 0) {
    return `${outcome.instancesPending} instance(s) of ${name} do not have the latest model yet (upgrade policy ${outcome.upgradePolicy}): they get the change only when upgraded.\n`;
  }
  return outcome.upgradePolicy === "Manual" ? `Every instance of ${name} has the latest model.\n` : `Upgrade policy ${outcome.upgradePolicy}: the instances get the change by themselves.\n`;
}

/** The note on stderr when instances still lack the model: how to upgrade them. */
function notePending(rt: CliRuntime, command: Command, name: string, outcome: InstanceUpgradeOutcome): void {
  if (outcome.instancesPending === 0) return;
  rt.note(
    `note: ${outcome.instancesPending} instance(s) of scale set ${name} do not have the latest model yet (upgrade policy ${outcome.upgradePolicy}) and keep ` +
      `the old extension state until upgraded: rerun with --upgrade-instances (vm-identity vmss extension ${command.name()} ... --upgrade-instances), ` +
      "or upgrade them with az vmss update-instances.\n",
  );
}

/** `vm-identity vmss show|assign|remove|extension`: the identities and MSI extension of virtual machine scale sets. */
export function registerVmss(program: Command, rt: CliRuntime): void {
  const vmss = program
    .command("vmss")
    .summary("the managed identities and MSI extension of scale sets")
    .description(
      "Show, assign and remove the managed identities of virtual machine scale sets, and install, remove or show their " +
        "(deprecated) MSI extension, with the flags of the VM commands and of az vmss identity / az vmss extension.",
    );

  const show = vmss
    .command("show")
    .summary("show the managed identities of one scale set or several")
    .description(
      "Show the managed identities of a scale set: -o json prints ARM's own identity object, as az vmss identity show does. " +
        "Several --ids print an array of those objects, in the order given; one that cannot be read is an error line on " +
        "stderr and exit 1, the others are still printed.",
    )
    .usage("(-g RG -n NAME | --ids ID...) [options]")
    .addHelpText("after", "\nExamples:\n  vm-identity vmss show -g myResourceGroup -n mySS -o table\n  vm-identity vmss show --ids $SS1 $SS2 --query \"[].type\"\n");
  addVmssTargetOptions(show, "-n/--name").action(async (options: VmssTargetOptions, cmd: Command) => {
    const out = rt.printer(cmd);
    const targets = vmssTargets(options, "-n/--name");
    await printOneOrEach(rt, out, targets.mode === "one" ? { mode: "one", target: targets.ref } : { mode: "many", targets: targets.refs }, async (ref) => ({
      ref,
      identity: await (await vmssOf(rt, cmd, ref)).getIdentity(rt.operationOptions),
    }), {
      json: ({ identity }) => armIdentity(identity),
      one: ({ identity }, width) => identityTable(identity, width),
      many: (values, width) => identitiesTable(values.map(({ ref, identity }) => ({ name: ref.name, resourceGroup: ref.resourceGroup, identity })), width, "SCALE SET"),
    });
  });

  const assign = vmss
    .command("assign")
    .summary("enable the system-assigned identity and/or attach user-assigned ones")
    .description(
      "Enable the system-assigned identity and/or attach user-assigned identities of a scale set, as assign does for a VM: " +
        "with no identity named, the system-assigned identity; names are looked up in the scale set's resource group or " +
        "--identity-resource-group, without a request; --role/--scope grant roles in the same call.",
    )
    .usage("(-g RG -n NAME | --ids ID) [--identities ID...] [--role ROLE --scope SCOPE...] [--dry-run | --no-wait] [options]")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity vmss assign -g myResourceGroup -n mySS\n" +
        "  vm-identity vmss assign -g myResourceGroup -n mySS --identities myIdentity\n" +
        "  vm-identity vmss assign --ids $SS --role Reader --scope $RG_ID --dry-run\n" +
        IDENTITY_NOTES +
        rolesHelp("scale set"),
    );
  addGrantOptions(addIdentityOptions(addVmssTargetOptions(assign, "-n/--name"), "assign"))
    .option("--dry-run", "read the scale set and print the requests that would be sent, without sending them")
    .option("--no-wait", "return once the PATCH is accepted, without waiting for it to finish")
    .action(async (options: VmssChangeOptions & IdentityOptions & RoleOptions, cmd: Command) => {
      const selection = readIdentitySelection(options);
      const pairs = readRolePairs(options, selection);
      const out = rt.printer(cmd);
      const noWait = noWaitOf(options);
      const handle = await vmssOf(rt, cmd, oneVmss(options, "-n/--name"));
      try {
        await runOneIdentityChange(rt, out, handle, "scale set", { selection, pairs, build: assignChange(selection), keepsOrphans: false }, { dryRun: options.dryRun === true, noWait });
      } catch (e) {
        if (isInvalidInputError(e, "SystemIdentityNotSupported")) {
          e.message +=
            ` With this command: its instances are listed as VMs (vm-identity show -g ${handle.resourceGroup}), and each takes a system identity ` +
            "with vm-identity assign --ids <instance VM id>; the scale set takes user-assigned ones (--identities NAME).";
        }
        throw e;
      }
    });

  const remove = vmss
    .command("remove")
    .summary("disable the system-assigned identity and/or detach user-assigned ones")
    .description(
      "Disable the system-assigned identity and/or detach user-assigned identities of a scale set, or remove every identity " +
        "(--all), as remove does for a VM: with no identity named, the system-assigned identity.",
    )
    .usage("(-g RG -n NAME | --ids ID) [--identities ID... | --all] [--delete-role-assignments] [--dry-run | --no-wait] [options]")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity vmss remove -g myResourceGroup -n mySS\n" +
        "  vm-identity vmss remove -g myResourceGroup -n mySS --identities myIdentity\n" +
        "  vm-identity vmss remove --ids $SS --all --delete-role-assignments --dry-run\n" +
        IDENTITY_NOTES +
        REMOVE_ROLES_HELP,
    );
  addRemoveOptions(addIdentityOptions(addVmssTargetOptions(remove, "-n/--name"), "remove"))
    .option("--dry-run", "read the scale set and print the requests that would be sent, without sending them")
    .option("--no-wait", "return once the PATCH is accepted, without waiting for it to finish")
    .action(async (options: VmssChangeOptions & RemoveOptions, cmd: Command) => {
      const request = removeRequest(options);
      const out = rt.printer(cmd);
      const noWait = noWaitOf(options);
      const handle = await vmssOf(rt, cmd, oneVmss(options, "-n/--name"));
      await runOneIdentityChange(rt, out, handle, "scale set", request, { dryRun: options.dryRun === true, noWait });
    });

  registerVmssExtension(vmss, rt);
}

interface VmssExtensionCommandOptions extends VmssTargetOptions {
  dryRun?: boolean;
  wait?: boolean;
  upgradeInstances?: boolean;
}

/**
 * The scale set of a `vmss extension` command, where it is `--vmss-name`
 * and `-n/--name` names the extension (`az vmss extension set` order): `-g
 * RG -n NAME` alone is refused with a message that names `--vmss-name`.
 */
function extensionVmss(command: Command, options: VmssExtensionCommandOptions): VmssRef {
  if (options.vmssName === undefined && options.ids === undefined && options.name !== undefined) {
    throw new UsageError(
      `No scale set given. In vmss extension commands -n/--name names the extension (here ${JSON.stringify(options.name)}), as in ` +
        `"az vmss extension set"; the scale set is --vmss-name: vm-identity vmss extension ${command.name()} -g ${options.resourceGroup ?? "<group>"} ` +
        `--vmss-name <scale set>. If ${JSON.stringify(options.name)} is the scale set, pass --vmss-name ${options.name}.`,
    );
  }
  return oneVmss(options, "--vmss-name");
}

/** `--no-wait` returns at the extension write; `--upgrade-instances` waits for it to upgrade the instances after it. */
function extensionNoWait(options: VmssExtensionCommandOptions): boolean {
  const noWait = noWaitOf(options);
  if (noWait && options.upgradeInstances) {
    throw new UsageError("--no-wait and --upgrade-instances: the instances are upgraded once the extension write is done, which --no-wait does not wait for; leave out one of them.");
  }
  return noWait;
}

/** A dry run's note that the instance upgrade is not among the requests shown. */
function upgradeDryRunNote(options: VmssExtensionCommandOptions): string {
  return options.upgradeInstances
    ? "Then, under a Manual upgrade policy, a manualupgrade of the instances that lack the latest model (not shown: they are known only once the model has changed). "
    : "";
}

const UPGRADE_HELP =
  "\nInstances: under the Automatic and Rolling upgrade policies the instances get a changed model by themselves. Under " +
  "Manual, existing instances keep running the old model until upgraded: --upgrade-instances runs manualupgrade on " +
  "every instance that lacks the latest model, and waits for it; without it the output says how many instances lack it " +
  "(instancesPending), and a note on stderr says how to upgrade them. Upgrading applies the whole current model.\n";

/** One extension write of a `vmss extension` command: its request, the write itself, and its outcome for people. */
interface ExtensionWrite<R extends InstanceUpgradeOutcome> {
  method: "PUT" | "DELETE";
  plan(ss: VmssHandle): Promise<RawArmRequest>;
  write(ss: VmssHandle, options: VmssExtensionOptions): Promise<R>;
  text(ss: VmssHandle, result: R, width: number): string;
  /** Whether the write installs the deprecated extension (a note on stderr says so). */
  deprecated: boolean;
}

/**
 * Run an extension write on the scale set the options name: with
 * `--dry-run` print its request; with `--no-wait` return once ARM accepts
 * it; otherwise write (upgrading the instances with `--upgrade-instances`),
 * print the outcome, and note instances that still lack the model.
 */
async function runExtensionWrite<R extends InstanceUpgradeOutcome>(rt: CliRuntime, cmd: Command, options: VmssExtensionCommandOptions, how: ExtensionWrite<R>): Promise<void> {
  const ref = extensionVmss(cmd, options);
  const noWait = extensionNoWait(options);
  const out = rt.printer(cmd);
  const ss = await vmssOf(rt, cmd, ref);
  if (options.dryRun) {
    const report: DryRunReport = { dryRun: true, requests: [await how.plan(ss)] };
    out.result(report, () => formatDryRun(report.requests, upgradeDryRunNote(options)));
    return;
  }
  if (how.deprecated) rt.note(`note: ${DEPRECATION}\n`);
  if (noWait) {
    const accepted = await untilAccepted(rt, { method: how.method, url: isExtensionOf(ss.resourceId) }, (abortSignal) => how.write(ss, { abortSignal }));
    noteAccepted(rt, `scale set ${ss.name}'s extension`, accepted?.statusUrl);
    return;
  }
  const result = await how.write(ss, { ...rt.operationOptions, upgradeInstances: options.upgradeInstances === true });
  out.result(result, (r, width) => how.text(ss, r as R, width));
  notePending(rt, cmd, ss.name, result);
}

function registerVmssExtension(vmss: Command, rt: CliRuntime): void {
  const extension = vmss
    .command("extension")
    .summary("install, remove or show the (deprecated) MSI extension of a scale set")
    .description(
      "Manage the legacy managed identity extension in a scale set's model. As in az vmss extension set, the scale set is " +
        `--vmss-name and -n/--name names the extension; set and delete are other names of install and remove.\n\n${DEPRECATION}`,
    );

  const install = extension
    .command("install")
    .alias("set")
    .summary("install the MSI extension in a scale set's model")
    .description(`Install (or update) the MSI extension in the scale set's model; the OS is read from the model unless given.\n\n${DEPRECATION}`)
    .usage("(-g RG --vmss-name NAME | --ids ID) [--os Windows|Linux] [--port N] [-n NAME] [--upgrade-instances] [--dry-run | --no-wait] [options]")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity vmss extension install -g myRG --vmss-name mySS --port 50342\n" +
        "  vm-identity vmss extension install -g RG --vmss-name SS --upgrade-instances\n" +
        UPGRADE_HELP,
    );
  addVmssTargetOptions(install, "--vmss-name")
    .option("-n, --name <extension>", "extension name (default: its type, e.g. ManagedIdentityExtensionForLinux)", nonEmpty("--name"))
    .option("--os <os>", "the OS of the scale set's model, Windows or Linux (default: read from the model)", parseOs)
    .option("--port <port>", "port of the extension's token endpoint (default: 50342)", parsePort)
    .option("--upgrade-instances", "under a Manual upgrade policy, upgrade the instances that lack the latest model")
    .option("--dry-run", "print the PUT that would be sent, without sending it")
    .option("--no-wait", "return once the PUT is accepted, without waiting for it to finish")
    .action(async (options: VmssExtensionCommandOptions & { os?: "Windows" | "Linux"; port?: number }, cmd: Command) => {
      const spec = { ...(options.os ? { os: options.os } : {}), ...(options.port !== undefined ? { port: options.port } : {}), ...(options.name ? { name: options.name } : {}) };
      validateMsiExtensionOptions(spec);
      await runExtensionWrite(rt, cmd, options, {
        method: "PUT",
        plan: (ss) => ss.msiExtension.planInstall(spec, rt.operationOptions),
        write: (ss, extensionOptions) => ss.msiExtension.install(spec, extensionOptions),
        text: (ss, r, width) => `${extensionTable(r.extension, width)}\n${upgradeText(ss.name, r)}`,
        deprecated: true,
      });
    });

  const remove = extension
    .command("remove")
    .alias("delete")
    .summary("remove the MSI extension from a scale set's model")
    .description(
      "Remove the MSI extension from the scale set's model (named after the model's OS unless -n/--name is given). Removing " +
        `one that is not there succeeds with removed false (and still settles the instances, as below).\n\n${DEPRECATION}`,
    )
    .usage("(-g RG --vmss-name NAME | --ids ID) [-n NAME] [--upgrade-instances] [--dry-run | --no-wait] [options]")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  vm-identity vmss extension remove -g myRG --vmss-name mySS\n" +
        "  vm-identity vmss extension remove -g RG --vmss-name SS --upgrade-instances\n" +
        UPGRADE_HELP,
    );
  addVmssTargetOptions(remove, "--vmss-name")
    .option("-n, --name <extension>", "extension name (default: the MSI extension type for the model's OS)", nonEmpty("--name"))
    .option("--upgrade-instances", "under a Manual upgrade policy, upgrade the instances that lack the latest model")
    .option("--dry-run", "print the DELETE that would be sent, without sending it")
    .option("--no-wait", "return once the DELETE is accepted, without waiting for it to finish")
    .action(async (options: VmssExtensionCommandOptions, cmd: Command) => {
      const which = options.name ? { name: options.name } : {};
      validateMsiExtensionOptions(which);
      await runExtensionWrite(rt, cmd, options, {
        method: "DELETE",
        plan: (ss) => ss.msiExtension.planRemove(which, rt.operationOptions),
        write: (ss, extensionOptions) => ss.msiExtension.remove(which, extensionOptions),
        text: (ss, r) =>
          (r.removed ? `Removed extension ${r.name} from the model of ${ss.name}.\n` : `Extension ${r.name} was not in the model of ${ss.name}; nothing to remove.\n`) +
          upgradeText(ss.name, r),
        deprecated: false,
      });
    });

  const show = extension
    .command("show")
    .alias("get")
    .summary("show the MSI extension of a scale set")
    .description(`Show the MSI extension in the scale set's model, as ARM returns it; fails (exit 1) when it is not there.\n\n${DEPRECATION}`)
    .usage("(-g RG --vmss-name NAME | --ids ID) [-n NAME] [options]")
    .addHelpText("after", "\nExample:\n  vm-identity vmss extension show -g myRG --vmss-name mySS -o table\n");
  addVmssTargetOptions(show, "--vmss-name")
    .option("-n, --name <extension>", "extension name (default: the MSI extension type for the model's OS)", nonEmpty("--name"))
    .action(async (options: VmssExtensionCommandOptions, cmd: Command) => {
      const which = options.name ? { name: options.name } : {};
      validateMsiExtensionOptions(which);
      const ref = extensionVmss(cmd, options);
      const out = rt.printer(cmd);
      const ss = await vmssOf(rt, cmd, ref);
      const found = await ss.msiExtension.get(which, rt.operationOptions);
      if (!found) throw new OperationFailedError(`${options.name ?? "The MSI extension"} is not in the model of scale set ${ss.name}.`, "ResourceNotFound");
      out.result(found, extensionTable);
    });
}
