import cliProgress from "cli-progress";
import type { FleetProgress } from "azure-vm-identity";
import type { CliIo } from "../io.js";

/** Shows how far a run on several VMs has got. */
export interface ProgressView {
  update(progress: FleetProgress): void;
  /** Remove the bar (it leaves no line behind); safe to call twice. */
  stop(): void;
}

const none: ProgressView = { update() {}, stop() {} };

/** Options of {@link progressView}. */
export interface ProgressViewOptions {
  /** What is being done, e.g. `assign`. */
  label: string;
  total: number;
  /** `--verbose` writes a log to stderr, which a bar would garble: no bar then. */
  verbose: boolean;
}

/**
 * A progress bar on stderr when stderr is a terminal (not with `TERM=dumb` or
 * `--verbose`); otherwise nothing, so files, pipes and CI logs get no escape
 * codes. The bar is cleared when stopped, leaving the summary line alone.
 */
export function progressView(io: CliIo, options: ProgressViewOptions): ProgressView {
  const stream = io.stderrTerminal;
  if (!stream || stream.isTTY !== true || options.verbose || io.env["TERM"] === "dumb") return none;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${options.label} {bar} {value}/{total} VMs | {failed} failed | ETA {eta_formatted}`,
      barsize: 30,
      clearOnComplete: true,
      // A second Ctrl+C ends the process at once: never leave the user's cursor hidden.
      hideCursor: false,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.total, 0, { failed: 0 });
  let stopped = false;
  return {
    update(progress) {
      if (!stopped) bar.update(progress.done, { failed: progress.failed });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
