import { safeUrl } from "../http/safeUrl.js";
import type { CliRuntime } from "../runtime.js";

/**
 * What `--no-wait` prints once a write is accepted: nothing on stdout (as
 * the Azure CLI prints nothing for `--no-wait`); with `--verbose`, where the
 * operation's status can be read (its query's secrets redacted).
 */
export function noteAccepted(rt: CliRuntime, what: string, statusUrl: string | undefined): void {
  if (!rt.verbose) return;
  rt.stderr(
    statusUrl
      ? `--no-wait: the write to ${what} was accepted; its operation's status: ${safeUrl(statusUrl)}\n`
      : `--no-wait: ${what} needed no operation to wait for (nothing to change, or the write was done at once).\n`,
  );
}

/** A write the library has no poller for, stopped once ARM accepted it. */
export interface AcceptedWrite {
  /** The operation's status URL (`Azure-AsyncOperation`, else `Location`), when ARM gave one. */
  statusUrl: string | undefined;
}

/**
 * Run `call` (a library call that writes `url` with `method`, then waits for
 * the operation) and stop waiting as soon as ARM accepts the write (a 2xx
 * answer): the call's own signal is aborted then, so the library stops
 * polling. Resolves with the accepted write, or undefined when the call
 * ended without one (nothing needed writing). A user's Ctrl+C still
 * rejects as an interruption; any other failure rejects as it is.
 */
export async function untilAccepted(
  rt: CliRuntime,
  write: { method: "PUT" | "DELETE"; url: (requestUrl: string) => boolean },
  call: (abortSignal: AbortSignal) => Promise<unknown>,
): Promise<AcceptedWrite | undefined> {
  const stop = new AbortController();
  let accepted: AcceptedWrite | undefined;
  const unwatch = rt.watchWrites((request, response) => {
    if (accepted || request.method !== write.method || !write.url(request.url) || response.status < 200 || response.status > 299) return;
    accepted = { statusUrl: response.headers.get("azure-asyncoperation") ?? response.headers.get("location") ?? undefined };
    stop.abort(new Error("--no-wait: the write was accepted"));
  });
  try {
    await call(AbortSignal.any([rt.io.signal, stop.signal]));
    return accepted;
  } catch (e) {
    if (accepted && !rt.io.signal.aborted) return accepted;
    throw e;
  } finally {
    unwatch();
  }
}
