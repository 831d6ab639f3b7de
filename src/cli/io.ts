/**
 * Where the command reads and writes. `main.ts` binds it to the process;
 * tests drive {@link run} in-process with an in-memory one.
 */
export interface CliIo {
  /** Write to standard output (text is written as given: end lines with "\n"). */
  stdout(text: string): void;
  /** Write to standard error. */
  stderr(text: string): void;
  /** Environment variables (`AZURE_SUBSCRIPTION_ID`, `VM_IDENTITY_ENDPOINT`, `NO_COLOR`, ...). */
  env: Readonly<Record<string, string | undefined>>;
  /** Whether standard output is a terminal: only then is colour used. */
  stdoutIsTTY: boolean;
  /**
   * Aborted when the user asks to stop (SIGINT/SIGTERM in `main.ts`): it ends a
   * foreground `emulator` and stops waiting for a running operation.
   */
  signal: AbortSignal;
}

/** An {@link CliIo} bound to the current process; `signal` aborts on the first SIGINT or SIGTERM. */
export function processIo(): CliIo & { dispose(): void } {
  const controller = new AbortController();
  const stop = (name: NodeJS.Signals): void => controller.abort(new Error(`received ${name}`));
  // `once`: a second Ctrl+C falls back to Node's default and ends the process at once.
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // The reader went away (e.g. `vm-identity demo | head`): stop quietly, as other command line tools do.
  // Kept after dispose(): the error of a last write can arrive after run() has returned.
  const onPipeError = (error: NodeJS.ErrnoException): void => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  };
  process.stdout.on("error", onPipeError);
  process.stderr.on("error", onPipeError);
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    },
  };
}
