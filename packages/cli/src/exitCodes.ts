/** Exit codes of `vm-identity`. */
export const ExitCode = {
  /** The command did what was asked (a dry run included). */
  Ok: 0,
  /** The operation failed: ARM answered with an error, the network failed, or a wait timed out. */
  Failed: 1,
  /** Usage error: unknown command or option, missing target, bad value; nothing was sent. */
  Usage: 2,
  /** Interrupted by SIGINT/SIGTERM (128 + 2, as shells report Ctrl+C). */
  Interrupted: 130,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
