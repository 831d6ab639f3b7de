import type { Command } from "commander";
import { type OperationOptions, type VmFleet, type VmHandle, VmIdentityClient } from "azure-vm-identity";
import { createCredential } from "./credential.js";
import type { ExitCodeValue } from "./exitCodes.js";
import type { CliIo } from "./io.js";
import { type GlobalOptions, type ResolvedGlobals, requireSubscription, resolveGlobals } from "./options/global.js";
import { type VmTarget, type VmTargetOptions, resolveVmTarget, vmHandle } from "./options/targets.js";
import { Printer } from "./output/printer.js";
import { type Style, styleFor } from "./output/style.js";
import { Redactor } from "./redact.js";
import { enableVerboseLog } from "./verbose.js";

/** Poll interval for long-running operations on a loopback endpoint (the emulator). */
export const LOOPBACK_POLL_INTERVAL_MS = 100;

/** Whether the endpoint is a plain-http loopback one (the emulator); real ARM is https. */
export function isLoopbackEndpoint(endpoint: string): boolean {
  try {
    const { protocol, hostname } = new URL(endpoint);
    return protocol === "http:" && (hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname));
  } catch {
    return false;
  }
}

/** What a command needs to talk to ARM. */
export interface Session {
  globals: ResolvedGlobals;
  client: VmIdentityClient;
  /** Prints results on stdout in the chosen format. */
  out: Printer;
  /** Passed to every library call: Ctrl+C stops waiting. */
  options: OperationOptions;
}

/** A {@link Session} on one VM. */
export interface VmSession extends Session {
  vm: VmHandle;
}

/** A {@link Session} on several VMs. */
export interface FleetSession extends Session {
  fleet: VmFleet;
}

/**
 * The state of one `run()`: the I/O, the redactor, the command being run and
 * what must be undone at the end (the verbose logger).
 */
export class CliRuntime {
  /** Removes the access token from everything printed. */
  readonly redactor = new Redactor();
  /** The command whose action is running (for the usage line of an error). */
  command: Command | undefined;
  /** Whether `--verbose` was given. */
  verbose = false;
  /**
   * The exit code of a command that printed its results and still did not
   * fully succeed (e.g. some VMs of several failed); unset means 0.
   */
  exitCode: ExitCodeValue | undefined;
  private readonly cleanups: (() => void)[] = [];

  constructor(readonly io: CliIo) {}

  /** Write to stderr, redacted. */
  readonly stderr = (text: string): void => this.io.stderr(this.redactor.redact(text));
  /** Write to stdout, redacted. */
  readonly stdout = (text: string): void => this.io.stdout(this.redactor.redact(text));

  /** Text styles for stdout. */
  get style(): Style {
    return styleFor(this.io);
  }

  /** The global options with environment defaults; turns on the verbose log the first time it is asked with `--verbose`. */
  globals(command: Command): ResolvedGlobals {
    const globals = resolveGlobals(command.optsWithGlobals<GlobalOptions>(), this.io);
    if (globals.accessToken) this.redactor.add(globals.accessToken.trim().replace(/^Bearer\s+/i, ""));
    if (globals.verbose && !this.verbose) {
      this.verbose = true;
      this.cleanups.push(enableVerboseLog(this.stderr, this.redactor.redact));
    }
    return globals;
  }

  /** A printer in the chosen output format. */
  printer(command: Command): Printer {
    return new Printer(this.stdout, this.globals(command).output ?? "json");
  }

  /** Options for every library call. */
  get operationOptions(): OperationOptions {
    return { abortSignal: this.io.signal };
  }

  /** A client for the chosen subscription, endpoint and credential. */
  async session(command: Command, subscriptionHint?: string): Promise<Session> {
    const globals = this.globals(command);
    const subscription = requireSubscription(globals, subscriptionHint);
    const credential = createCredential(globals.accessToken, this.redactor);
    const client = new VmIdentityClient(credential, subscription, {
      endpoint: globals.endpoint,
      userAgentOptions: { userAgentPrefix: "vm-identity-cli" },
      // A local emulator answers at once and says "Retry-After: 0", which the LRO poller
      // reads as "use the default" (2 s): poll it briskly instead.
      ...(isLoopbackEndpoint(globals.endpoint) ? { updateIntervalInMs: LOOPBACK_POLL_INTERVAL_MS } : {}),
    });
    return { globals, client, out: new Printer(this.stdout, globals.output ?? "json"), options: this.operationOptions };
  }

  /**
   * A session on the VM named by the target options. A missing or conflicting
   * target is a usage error raised before anything else; a bad name fails when
   * the handle is made, before any request.
   */
  async vmSession(command: Command, options: VmTargetOptions, nameOption: "name" | "vm-name" = "name"): Promise<VmSession> {
    return this.vmSessionFor(command, resolveVmTarget(options, nameOption));
  }

  /** A session on one resolved VM target. */
  async vmSessionFor(command: Command, target: VmTarget): Promise<VmSession> {
    const session = await this.session(command, target.kind === "id" ? target.subscriptionId : undefined);
    return { ...session, vm: vmHandle(session.client, target) };
  }

  /**
   * A session on several VMs, all in `subscriptionId` (unless --subscription
   * says otherwise, when the ids are rejected before any request).
   */
  async fleetSession(command: Command, ids: readonly string[], subscriptionId: string): Promise<FleetSession> {
    const session = await this.session(command, subscriptionId);
    return { ...session, fleet: session.client.vms(ids) };
  }

  /** Undo what the run changed in the process (the logger). */
  dispose(): void {
    for (const cleanup of this.cleanups.splice(0).reverse()) cleanup();
  }
}
