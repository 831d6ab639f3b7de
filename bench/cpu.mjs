// CPU per identity change (GET + PATCH + wait + read back), ours vs the peer,
// on one emulator (in a child process), in interleaved rounds.
import { ourClient, peerClient, peerEnableSystemAssigned } from "./lib/clients.mjs";
import { startEmulator } from "./lib/emulator.mjs";
import { cpuMicros, median } from "./lib/stats.mjs";

const RG = "rg-cpu";
const WARMUP = 40; // operations per client before measuring
const ROUNDS = 60;
const PER_ROUND = 15; // operations per client per round, each on a fresh VM

export async function run() {
  const emu = await startEmulator({ pollsUntilDone: 1, retryAfterSeconds: 0 });
  try {
    const perClient = WARMUP + ROUNDS * PER_ROUND;
    await emu.call("addVms", { resourceGroup: RG, prefix: "ours-", count: perClient });
    await emu.call("addVms", { resourceGroup: RG, prefix: "peer-", count: perClient });
    const ours = ourClient(emu, { updateIntervalInMs: 0 });
    const peer = peerClient(emu);
    let nextOurs = 0;
    let nextPeer = 0;
    const clients = {
      ours: async () => {
        const result = await ours.vm(RG, `ours-${nextOurs++}`).enableSystemAssigned();
        if (!result.identity.systemAssigned?.principalId) throw new Error("ours: no principal id read back");
      },
      peer: async () => {
        const vm = await peerEnableSystemAssigned(peer, RG, `peer-${nextPeer++}`, { updateIntervalInMs: 0 });
        if (!vm.identity?.principalId) throw new Error("peer: no principal id read back");
      },
    };
    const requestsPerOp = {};
    for (const [name, op] of Object.entries(clients)) {
      await emu.call("clearRequests");
      await op();
      requestsPerOp[name] = (await emu.call("stats")).requests;
      for (let i = 1; i < WARMUP; i++) await op();
    }
    const samples = { ours: [], peer: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // A,B then B,A: neither always runs right after the other.
      const order = round % 2 === 0 ? ["ours", "peer"] : ["peer", "ours"];
      for (const name of order) {
        const op = clients[name];
        const micros = await cpuMicros(async () => {
          for (let i = 0; i < PER_ROUND; i++) await op();
        });
        samples[name].push(micros / PER_ROUND);
      }
    }
    // Rounds are paired (the two halves of one round ran back to back), so the
    // spread of the paired ratios says how steady the machine was.
    const paired = samples.ours.map((o, i) => o / samples.peer[i]).sort((a, b) => a - b);
    return {
      ours: median(samples.ours),
      peer: median(samples.peer),
      pairedRatio: { median: median(paired), q1: paired[Math.floor(paired.length / 4)], q3: paired[Math.floor((3 * paired.length) / 4)] },
      requestsPerOp,
      rounds: ROUNDS,
      perRound: PER_ROUND,
    };
  } finally {
    await emu.close();
  }
}
