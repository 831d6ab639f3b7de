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
  /** Whether standard output is a terminal: only then is colour used, and its width taken. */
  stdoutIsTTY: boolean;
  /** The terminal's width in columns, when standard output is a terminal that says; text is laid out for 80 otherwise. */
  stdoutColumns?: number;
  /**
   * Standard error when it is a terminal, for the progress bar of runs on
   * several VMs; undefined (no progress bar) when stderr is a file or a pipe.
   */
  stderrTerminal?: TerminalStream;
  /** Read all of standard input (`--ids-file -`); undefined where there is none. */
  readStdin?: () => Promise<string>;
  /**
   * Aborted when the user asks to stop (SIGINT/SIGTERM in `main.ts`): it ends a
   * foreground `emulator` and stops waiting for a running operation.
   */
  signal: AbortSignal;
}

/** A terminal stream to draw on: what `process.stderr` is when it is a TTY. */
export type TerminalStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Read a stream to its end as UTF-8. */
async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
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
    ...(process.stdout.isTTY === true && process.stdout.columns ? { stdoutColumns: process.stdout.columns } : {}),
    ...(process.stderr.isTTY === true ? { stderrTerminal: process.stderr } : {}),
    readStdin: () => readAll(process.stdin),
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    },
  };
}
