import type { Command } from "commander";
import type { TokenCredential } from "@azure/core-auth";
import { type OperationOptions, type VmHandle, VmIdentityClient } from "azure-vm-identity";
import { type CliProfile, readCliProfile } from "./azure/cliProfile.js";
import { chooseSubscription, profileEntry, subscriptionNote } from "./azure/subscription.js";
import { armTargetOf } from "./azure/target.js";
import { createCredential } from "./credential.js";
import { UsageError } from "./errors.js";
import type { ExitCodeValue } from "./exitCodes.js";
import { isLoopbackEndpoint } from "./http/loopback.js";
import { loopbackFailFastPolicy } from "./http/loopbackFailFastPolicy.js";
import { requestCounterPolicy } from "./http/requestCounterPolicy.js";
import { requestLogPolicy } from "./http/requestLogPolicy.js";
import { type WriteListener, writeWatchPolicy } from "./http/writeWatchPolicy.js";
import type { CliIo } from "./io.js";
import { type GlobalOptions, type OutputFormat, type ResolvedGlobals, resolveGlobals } from "./options/global.js";
import type { VmRef } from "./options/targets.js";
import { Printer } from "./output/printer.js";
import { type Style, styleFor } from "./output/style.js";
import { outputWidth } from "./output/width.js";
import { Redactor } from "./redact.js";
import { enableVerboseLog } from "./verbose.js";

/** Poll interval for long-running operations on a loopback endpoint (the emulator). */
export const LOOPBACK_POLL_INTERVAL_MS = 100;

/** A VM reference whose subscription is known. */
export type ResolvedVmRef = VmRef & { subscriptionId: string };

/**
 * The state of one `run()`: the I/O, the redactor, the command being run,
 * one client per subscription, and what must be undone at the end (the
 * verbose logger).
 */
export class CliRuntime {
  /** Removes the access token from everything printed. */
  readonly redactor = new Redactor();
  /** The command whose action is running (for the usage line of an error). */
  command: Command | undefined;
  /** Whether `--verbose` or `--debug` was given. */
  verbose = false;
  /** Requests sent so far, every attempt counted: an input error after one is an operation failure, not a usage error. */
  requestsSent = 0;
  /**
   * The exit code of a command that printed its results and still did not
   * fully succeed (e.g. some VMs of several failed); unset means 0.
   */
  exitCode: ExitCodeValue | undefined;
  private readonly cleanups: (() => void)[] = [];
  private cliProfile: Promise<CliProfile> | undefined;
  private chosenSubscription: Promise<string> | undefined;
  private readonly clients = new Map<string, Promise<VmIdentityClient>>();
  private readonly credentials = new Map<string, TokenCredential>();
  private readonly notes = new Set<string>();
  private readonly writeListeners = new Set<WriteListener>();
  private quiet = false;

  constructor(readonly io: CliIo) {}

  /** Write to stderr, redacted. */
  readonly stderr = (text: string): void => this.io.stderr(this.redactor.redact(text));
  /** Write to stdout, redacted. */
  readonly stdout = (text: string): void => this.io.stdout(this.redactor.redact(text));

  /** Write a note on stderr once per run (none with `--only-show-errors`). */
  note(text: string): void {
    if (this.notes.has(text) || this.quiet) return;
    this.notes.add(text);
    this.stderr(text);
  }

  /** Text styles for stdout. */
  get style(): Style {
    return styleFor(this.io);
  }

  /** The width text is laid out for: the terminal's when stdout is one, else 80. */
  get width(): number {
    return outputWidth(this.io);
  }

  /** The global options with environment defaults; turns on the verbose log the first time it is asked with `--verbose`. */
  globals(command: Command): ResolvedGlobals {
    const globals = resolveGlobals(command.optsWithGlobals<GlobalOptions>(), this.io);
    if (globals.graphQuery !== undefined && !command.options.some((o) => o.long === "--graph-query")) {
      throw new UsageError(
        `--query ${JSON.stringify(globals.graphQuery)} is not JMESPath; it reads as a Resource Graph query, which selects VMs: ` +
          "only commands that act on several VMs take one (see --graph-query).",
      );
    }
    this.quiet = globals.onlyShowErrors;
    if (globals.accessToken) this.redactor.add(globals.accessToken.trim().replace(/^Bearer\s+/i, ""));
    if (globals.verbose && !this.verbose) {
      this.verbose = true;
      this.cleanups.push(enableVerboseLog(this.stderr, this.redactor.redact, globals.debug));
    }
    return globals;
  }

  /** A printer in the chosen output format (`fallback` when none was chosen) with `--query`. */
  printer(command: Command, fallback: OutputFormat = "json"): Printer {
    const globals = this.globals(command);
    return new Printer(this.stdout, { format: globals.output ?? fallback, query: globals.query, style: this.style, width: this.width });
  }

  /** Options for every library call. */
  get operationOptions(): OperationOptions {
    return { abortSignal: this.io.signal };
  }

  /** The Azure CLI's profile (read once). */
  profile(): Promise<CliProfile> {
    this.cliProfile ??= readCliProfile(this.io.env);
    return this.cliProfile;
  }

  /**
   * The subscription of targets that do not name one: `--subscription` or
   * `AZURE_SUBSCRIPTION_ID` (an id, or a name looked up in the Azure CLI's
   * profile), else the Azure CLI's default subscription, said on stderr.
   */
  defaultSubscription(command: Command): Promise<string> {
    this.chosenSubscription ??= (async () => {
      const profile = await this.profile();
      const chosen = chooseSubscription(this.globals(command).subscription, profile);
      const note = subscriptionNote(chosen, profile);
      if (note) this.note(note);
      return chosen.id;
    })();
    return this.chosenSubscription;
  }

  /**
   * The subscriptions of `--subscriptions`: ids as given, names looked up in
   * the Azure CLI's profile (each said on stderr), as for `--subscription`;
   * undefined (not given) is the run's default subscription.
   */
  async subscriptionsOf(command: Command, values: readonly string[] | undefined): Promise<string[]> {
    if (values === undefined) return [await this.defaultSubscription(command)];
    const profile = await this.profile();
    const ids: string[] = [];
    for (const value of values) {
      const chosen = chooseSubscription({ value, source: "--subscriptions" }, profile);
      const note = subscriptionNote(chosen, profile);
      if (note) this.note(note);
      if (!ids.some((id) => id.toLowerCase() === chosen.id.toLowerCase())) ids.push(chosen.id);
    }
    return ids;
  }

  /**
   * What a subscription's client connects with: its endpoint, and where its
   * credential signs in. Subscriptions with the same key can share one
   * client (and one library fleet); others cannot.
   */
  async connectionKey(command: Command, subscriptionId: string): Promise<string> {
    const target = armTargetOf(this.globals(command).endpoint, profileEntry(await this.profile(), subscriptionId), this.io.env);
    return `${target.endpoint} ${target.authorityHost} ${target.tenantId ?? ""}`.toLowerCase();
  }

  /**
   * Be told of every write's final answer (after retries) on every client of
   * the run, until the returned function is called. How `--no-wait` learns
   * that a write the library has no poller for was accepted.
   */
  watchWrites(listener: WriteListener): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /** The subscription of a VM: the one its id names, else the run's default. */
  async subscriptionOf(command: Command, vm: VmRef): Promise<string> {
    return vm.subscriptionId ?? (await this.defaultSubscription(command));
  }

  /**
   * The client for a subscription (one per subscription, made once). Its
   * endpoint is `--endpoint`, else the ARM endpoint of the subscription's cloud
   * in the Azure CLI's profile, else the public cloud's; `DefaultAzureCredential`
   * signs in at that cloud's authority, in the subscription's tenant.
   */
  client(command: Command, subscriptionId: string): Promise<VmIdentityClient> {
    const key = subscriptionId.toLowerCase();
    let client = this.clients.get(key);
    if (!client) {
      client = this.makeClient(command, subscriptionId);
      this.clients.set(key, client);
    }
    return client;
  }

  private async makeClient(command: Command, subscriptionId: string): Promise<VmIdentityClient> {
    const globals = this.globals(command);
    const target = armTargetOf(globals.endpoint, profileEntry(await this.profile(), subscriptionId), this.io.env);
    if (target.unknownCloud) {
      this.note(`note: the Azure CLI's cloud "${target.unknownCloud}" of subscription ${subscriptionId} is not one this command knows; pass --endpoint <its ARM endpoint>.\n`);
    }
    const { endpoint, authorityHost, tenantId } = target;
    const credentialKey = `${authorityHost} ${tenantId ?? ""}`;
    let credential = this.credentials.get(credentialKey);
    if (!credential) {
      credential = createCredential(globals.accessToken, this.redactor, { authorityHost, ...(tenantId ? { tenantId } : {}) });
      this.credentials.set(credentialKey, credential);
    }
    return new VmIdentityClient(credential, subscriptionId, {
      endpoint,
      userAgentOptions: { userAgentPrefix: "vm-identity-cli" },
      additionalPolicies: [
        { policy: requestCounterPolicy(() => this.requestsSent++), position: "perRetry" },
        { policy: writeWatchPolicy(() => this.writeListeners), position: "perCall" },
        { policy: loopbackFailFastPolicy(), position: "perRetry" },
        ...(globals.verbose ? [{ policy: requestLogPolicy({ write: this.stderr, debug: globals.debug }), position: "perRetry" as const }] : []),
      ],
      // A local emulator answers at once: poll it briskly instead of ARM's default interval.
      ...(isLoopbackEndpoint(endpoint) ? { updateIntervalInMs: LOOPBACK_POLL_INTERVAL_MS } : {}),
    });
  }

  /** A VM reference with its subscription filled in. */
  async resolve(command: Command, vm: VmRef): Promise<ResolvedVmRef> {
    return { ...vm, subscriptionId: await this.subscriptionOf(command, vm) };
  }

  /** The client's handle on a VM (validated: a bad name throws `InvalidInputError` before any request). */
  async vm(command: Command, ref: VmRef): Promise<VmHandle> {
    const resolved = await this.resolve(command, ref);
    const client = await this.client(command, resolved.subscriptionId);
    return client.vm(resolved.resourceGroup, resolved.name);
  }

  /** Undo what the run changed in the process (the logger). */
  dispose(): void {
    for (const cleanup of this.cleanups.splice(0).reverse()) cleanup();
  }
}
