// Fleets at Azure's real limits: the emulator (in a child process) enforces
// every budget Azure publishes (limits "azure"), each VM write's operation
// runs OPERATION_MS of emulator time, and the emulator's clock runs a time
// scale faster than real time (TIME_SCALE, or the fleet's or client's own).
// Three fleets, each run by four
// clients on a freshly started and seeded emulator:
//   ours (list etags on), ours (list etags off): the library's adaptive fleet;
//   p-limit: @azure/arm-compute behind p-limit(16), default retries;
//   Promise.all: @azure/arm-compute, every VM at once, default retries.
// Wall time is measured on the emulator's clock and set against the ideal
// the binding budget allows (lib/ideal.mjs).
import { setMaxListeners } from "node:events";
import { monitorEventLoopDelay } from "node:perf_hooks";
import pLimit from "p-limit";
import { ourClient, peerClient } from "./lib/clients.mjs";
import { startEmulator } from "./lib/emulator.mjs";
import { idealSeconds } from "./lib/ideal.mjs";

/**
 * Emulator time runs this many times faster than real time: 10, unless a
 * fleet or a client says otherwise (BENCH_TIME_SCALE overrides them all).
 * The scale is chosen so that no run asks much more than about 100 VMs (a few
 * hundred requests) per real second of the client, and every real
 * millisecond the client loses costs it only that many emulator
 * milliseconds: see "The time scale" in docs/benchmarks.md.
 */
export const TIME_SCALE = 10;
const SCALE_OVERRIDE = process.env.BENCH_TIME_SCALE === undefined ? undefined : Number(process.env.BENCH_TIME_SCALE);
/** Emulator time each VM write's operation runs: the middle of the 3-7 s (identity) to 9 s (scale set) Azure was seen to take. */
export const OPERATION_MS = 7000;
/** Each client's own poll interval when ARM sends no Retry-After, in emulator time: ours 5 s, core-lro's (the peer's) 2 s. */
const OUR_POLL_MS = 5000;
const PEER_POLL_MS = 2000;
/** p-limit's concurrency for the limited peer. */
export const PEER_CONCURRENCY = 16;
/** A run is cut off after this many times its ideal (emulator time); VMs not done by then count as failed. */
export const CUTOFF_FACTOR = 30;

const RG = "fleet";
const PREFIX = "vm-";
const UAI = { resourceGroup: "identities", name: "shared-uai", location: "westeurope" };

/** The fleets: VMs per subscription, subscriptions, and the change. */
export const FLEETS = {
  a: { title: "(a) shared user-assigned identity, 10,000 VMs, 1 subscription", subscriptions: 1, vmsPerSubscription: 10_000, change: "user" },
  b: { title: "(b) system identities, 2,000 VMs", subscriptions: 1, vmsPerSubscription: 2_000, change: "system" },
  // Four subscriptions' budgets at once: four times (a)'s pace, so a quarter of its scale.
  c: { title: "(c) shared user-assigned identity, 4 subscriptions × 2,500 VMs", subscriptions: 4, vmsPerSubscription: 2_500, change: "user", timeScale: 2.5 },
};

/** The clients, in the order they run: label, and whether list entries carry etags in its run. */
export const CLIENTS = {
  oursEtags: { label: "ours, list etags", ours: true, listEtags: true },
  ours: { label: "ours, no list etags", ours: true, listEtags: false },
  // Its 16 slots set its pace (about 2 VMs per emulator second) in every fleet: the same scale everywhere.
  pLimit: { label: `arm-compute + p-limit(${PEER_CONCURRENCY})`, ours: false, listEtags: false, timeScale: TIME_SCALE },
  promiseAll: { label: "arm-compute + Promise.all", ours: false, listEtags: false },
};

const subscriptionIdsFor = (count) =>
  Array.from({ length: count }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`);

/** Ours: select the fleet's VMs by resource group (one subscription) or by subscriptions, change them, adaptive. */
async function runOurs(emu, fleet, uai, cutoffMs, timeScale) {
  const client = ourClient(emu, { updateIntervalInMs: OUR_POLL_MS / timeScale });
  const selection = fleet.subscriptions === 1 ? { resourceGroup: RG } : { subscriptions: emu.subscriptionIds };
  const identity = client.vms(selection).identity();
  const change = fleet.change === "system" ? identity.enableSystemAssigned() : identity.assignUserAssigned(uai);
  const results = await change.apply({ timeoutInMs: cutoffMs });
  const errors = {};
  for (const r of results) if (r.status === "failed" || r.status === "unknown") count(errors, r.error?.code ?? r.error?.name ?? r.status);
  return { vms: results.length, failed: results.filter((r) => r.status === "failed" || r.status === "unknown").length, errors, own: results.stats };
}

/**
 * The peer's identity for a VM as its list entry shows it, with the change
 * made: a PATCH of `identity` (whose user-assigned map ARM merges), sent
 * without a GET first because the list entry already holds the identity.
 * Undefined when the VM already has it.
 */
function peerIdentity(vm, change, uai) {
  const type = vm.identity?.type ?? "None";
  const system = /SystemAssigned/i.test(type);
  const users = Object.keys(vm.identity?.userAssignedIdentities ?? {});
  if (change === "system") {
    if (system) return undefined;
    return users.length ? { type: "SystemAssigned, UserAssigned", userAssignedIdentities: Object.fromEntries(users.map((id) => [id, {}])) } : { type: "SystemAssigned" };
  }
  if (users.some((id) => id.toLowerCase() === uai.toLowerCase())) return undefined;
  return { type: system ? "SystemAssigned, UserAssigned" : "UserAssigned", userAssignedIdentities: { [uai]: {} } };
}

/**
 * The peer: list each subscription's VMs with arm-compute's list API and,
 * as each page arrives, update each VM (through `schedule`: p-limit or
 * nothing), waiting for its operation with the poller's defaults but the
 * interval in emulator time. A VM whose promise rejects counts as failed.
 */
async function runPeer(emu, fleet, uai, cutoffMs, timeScale, schedule) {
  const abortSignal = AbortSignal.timeout(cutoffMs);
  setMaxListeners(0, abortSignal); // every request in flight listens to it
  const errors = {};
  let vms = 0;
  let failed = 0;
  const tasks = [];
  await Promise.all(
    emu.subscriptionIds.map(async (subscriptionId) => {
      const client = peerClient(emu, {}, subscriptionId);
      try {
        for await (const vm of client.virtualMachines.list(RG, { abortSignal })) {
          vms++;
          const identity = peerIdentity(vm, fleet.change, uai);
          if (!identity) continue;
          tasks.push(
            schedule(() => client.virtualMachines.update(RG, vm.name, { identity }, { abortSignal, updateIntervalInMs: PEER_POLL_MS / timeScale })).catch((e) => {
              failed++;
              count(errors, e?.code ?? e?.statusCode ?? e?.name ?? "unknown");
            }),
          );
        }
      } catch (e) {
        // The list itself failed (a page throttled past the retries): the VMs on the
        // pages not read are never reached, and count as failed.
        count(errors, `list page: ${e?.code ?? e?.statusCode ?? e?.name ?? "unknown"}`);
      }
    }),
  );
  await Promise.all(tasks);
  return { vms, failed, errors };
}

function count(into, key) {
  into[key] = (into[key] ?? 0) + 1;
}

/** One fleet, one client, on a fresh emulator. */
async function runOne(fleetName, clientName) {
  const fleet = FLEETS[fleetName];
  const client = CLIENTS[clientName];
  const ideal = idealSeconds({ vmsPerSubscription: fleet.vmsPerSubscription, change: fleet.change, operationSeconds: OPERATION_MS / 1000 });
  const subscriptionIds = subscriptionIdsFor(fleet.subscriptions);
  const timeScale = SCALE_OVERRIDE ?? client.timeScale ?? fleet.timeScale ?? TIME_SCALE;
  const emu = await startEmulator({
    limits: "azure",
    timeScale,
    operationDurationMs: OPERATION_MS,
    listEtags: client.listEtags,
    subscriptionIds,
    maxLoggedRequests: 0,
  });
  try {
    for (const subscriptionId of subscriptionIds) {
      await emu.call("seedVms", { count: fleet.vmsPerSubscription, resourceGroup: RG, namePrefix: PREFIX, subscriptionId });
    }
    const uai = await emu.call("addUserAssignedIdentity", { ...UAI, subscriptionId: subscriptionIds[0] });
    const cutoffMs = (CUTOFF_FACTOR * ideal.seconds * 1000) / timeScale;
    const cpuBefore = { bench: process.cpuUsage(), emulator: await emu.call("cpu") };
    // How late the bench's timers fire: every ms of it is timeScale ms of emulator time the client lost.
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const realStart = performance.now();
    const emuStart = await emu.call("now");
    const outcome = client.ours
      ? await runOurs(emu, fleet, uai, cutoffMs, timeScale)
      : await runPeer(emu, fleet, uai, cutoffMs, timeScale, clientName === "pLimit" ? pLimit(PEER_CONCURRENCY) : (fn) => fn());
    const emuEnd = await emu.call("now");
    const realSeconds = (performance.now() - realStart) / 1000;
    const cpu = process.cpuUsage(cpuBefore.bench);
    loop.disable();
    const emulatorCpu = (await emu.call("cpu")) - cpuBefore.emulator;
    const arm = await emu.call("stats");
    const total = fleet.subscriptions * fleet.vmsPerSubscription;
    const width = String(fleet.vmsPerSubscription - 1).length;
    // What the emulator holds afterwards: VMs that have the change, whatever the client said.
    let done = 0;
    for (const subscriptionId of subscriptionIds) {
      const held = await emu.call("identities", { resourceGroup: RG, namePrefix: PREFIX, count: fleet.vmsPerSubscription, subscriptionId, width });
      done += fleet.change === "system" ? Object.entries(held.byType).filter(([t]) => /SystemAssigned/.test(t)).reduce((s, [, n]) => s + n, 0) : held.withUser;
    }
    const seconds = (emuEnd - emuStart) / 1000;
    return {
      fleet: fleetName,
      client: clientName,
      timeScale,
      vms: total,
      selected: outcome.vms,
      seconds,
      realSeconds,
      ideal,
      vsIdeal: seconds / ideal.seconds,
      cutOff: seconds >= CUTOFF_FACTOR * ideal.seconds * 0.99,
      failed: outcome.failed + (total - outcome.vms),
      done,
      errors: outcome.errors,
      requests: arm.requests,
      requestsPerVm: arm.requests / total,
      reads: arm.reads,
      writes: arm.writes,
      throttled: arm.throttled,
      throttledBy: Object.fromEntries(Object.entries(arm.throttledBy).filter(([, n]) => n > 0)),
      conflicts: arm.conflicts,
      preconditionFailed: arm.preconditionFailed,
      cpu: { bench: (cpu.user + cpu.system) / 1e6 / realSeconds, emulator: emulatorCpu / 1e6 / realSeconds },
      // Event-loop delay beyond the 10 ms sampling interval, real ms.
      loopDelayMs: { p50: loop.percentile(50) / 1e6 - 10, p99: loop.percentile(99) / 1e6 - 10, max: loop.max / 1e6 - 10 },
      ...(outcome.own
        ? {
            own: {
              peakConcurrency: outcome.own.peakConcurrency,
              confirmations: outcome.own.confirmations,
              throttledBy: outcome.own.throttledBy,
            },
          }
        : {}),
    };
  } finally {
    await emu.close();
  }
}

/**
 * Every fleet with every client, or those named in BENCH_FLEETS (e.g. "a,b")
 * and BENCH_CLIENTS (e.g. "ours,pLimit"). Progress goes to stderr.
 */
export async function run() {
  const fleets = (process.env.BENCH_FLEETS ?? Object.keys(FLEETS).join(",")).split(",");
  const clients = (process.env.BENCH_CLIENTS ?? Object.keys(CLIENTS).join(",")).split(",");
  for (const f of fleets) if (!FLEETS[f]) throw new Error(`unknown fleet ${f}; fleets: ${Object.keys(FLEETS).join(", ")}`);
  for (const c of clients) if (!CLIENTS[c]) throw new Error(`unknown client ${c}; clients: ${Object.keys(CLIENTS).join(", ")}`);
  const runs = [];
  for (const f of fleets) {
    for (const c of clients) {
      let r;
      try {
        r = await runOne(f, c);
      } catch (e) {
        // One broken run must not lose the others' figures: it shows as an error row.
        process.stderr.write(`\n  fleet ${f} ${c}: ${e?.stack ?? e}`);
        runs.push({ fleet: f, client: c, error: String(e?.message ?? e) });
        continue;
      }
      process.stderr.write(
        `\n  fleet ${f} ${c} (time scale ${r.timeScale}): ${r.seconds.toFixed(0)} s emulator (${r.realSeconds.toFixed(1)} s real), ${r.vsIdeal.toFixed(2)}× ideal, ${r.requestsPerVm.toFixed(2)} req/VM, 429s ${JSON.stringify(r.throttledBy)}, failed ${r.failed}, cpu bench ${r.cpu.bench.toFixed(2)} emulator ${r.cpu.emulator.toFixed(2)}, loop delay p99 ${r.loopDelayMs.p99.toFixed(0)} ms`,
      );
      runs.push(r);
    }
  }
  process.stderr.write("\n");
  return { operationMs: OPERATION_MS, runs };
}
