// Fleet: enable the system identity on 500 VMs with the emulator throttling
// writes to 50/s with a burst of 50. Ideal wall time: (500 - 50) / 50 = 9 s.
// Every variant polls operations every 200 ms (the emulator answers status
// polls with Retry-After: 0, which core-lro ignores, so the interval applies).
import { setMaxListeners } from "node:events";
import { ourClient, peerClient, peerEnableSystemAssigned } from "./lib/clients.mjs";
import { startEmulator } from "./lib/emulator.mjs";

export const VMS = 500;
export const THROTTLE = { writesPerSecond: 50, burst: 50 };
export const IDEAL_SECONDS = (VMS - THROTTLE.burst) / THROTTLE.writesPerSecond;
export const POLL_MS = 200;
/** Every variant is cut off after this long; VMs not done by then count as failed. */
export const CUTOFF_MS = 30_000;
const RG = "rg-fleet";

const variants = {
  /** Ours, adaptive concurrency paced by the write limit (the default). */
  adaptive: async (emu, targets) => {
    const results = await ourClient(emu, { updateIntervalInMs: POLL_MS }).vms(targets).identity().enableSystemAssigned().apply({ concurrency: "adaptive", timeoutInMs: CUTOFF_MS });
    return { failed: results.filter((r) => r.status === "failed"), stats: results.stats };
  },
  /** Ours, 64 at once, unpaced. */
  fixed64: async (emu, targets) => {
    const results = await ourClient(emu, { updateIntervalInMs: POLL_MS }).vms(targets).identity().enableSystemAssigned().apply({ concurrency: 64, timeoutInMs: CUTOFF_MS });
    return { failed: results.filter((r) => r.status === "failed"), stats: results.stats };
  },
  /** The peer: Promise.all over get + update, default retry options; a VM whose promise rejects counts as failed. */
  peer: async (emu, targets) => {
    const peer = peerClient(emu);
    const failed = [];
    const abortSignal = AbortSignal.timeout(CUTOFF_MS);
    setMaxListeners(0, abortSignal); // every request in flight listens to it
    await Promise.all(
      targets.map(({ resourceGroup, name }) =>
        peerEnableSystemAssigned(peer, resourceGroup, name, { updateIntervalInMs: POLL_MS, abortSignal }).catch((e) => failed.push({ name, error: e })),
      ),
    );
    return { failed };
  },
};

async function runVariant(emu, name) {
  await emu.call("reset");
  await emu.call("addVms", { resourceGroup: RG, prefix: "vm-", count: VMS });
  const targets = Array.from({ length: VMS }, (_, i) => ({ resourceGroup: RG, name: `vm-${i}` }));
  await emu.call("setThrottle", THROTTLE); // the bucket starts full
  const start = performance.now();
  const { failed, stats } = await variants[name](emu, targets);
  const seconds = (performance.now() - start) / 1000;
  const arm = await emu.call("stats");
  const errors = {};
  for (const { error } of failed) {
    const key = error?.code ?? error?.statusCode ?? error?.name ?? "unknown";
    errors[key] = (errors[key] ?? 0) + 1;
  }
  return {
    seconds,
    vsIdeal: seconds / IDEAL_SECONDS,
    throttled: arm.throttled,
    writes: arm.writes,
    requests: arm.requests,
    failed: failed.length,
    errors,
    ...(stats ? { peakConcurrency: stats.peakConcurrency, writesPerSecond: stats.writesPerSecond, clientThrottled: stats.throttled } : {}),
  };
}

export async function run() {
  // autoCompleteAfterMs: an operation nobody polls still completes (the default, 2 s).
  const emu = await startEmulator({ pollsUntilDone: 1, retryAfterSeconds: 0 });
  try {
    const out = {};
    for (const name of ["adaptive", "peer", "fixed64"]) out[name] = await runVariant(emu, name);
    return out;
  } finally {
    await emu.close();
  }
}
