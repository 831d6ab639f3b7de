// Cold start: import the package and construct the client, in a fresh node
// process each time, ours and the peer interleaved. Reports the median of the
// child's whole life as the parent sees it (node's own start included: what a
// user of a command or a short script waits for; the target is on this), and
// of the time measured inside the child (import + construct only).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median } from "./lib/stats.mjs";

const RUNS = 15;
const SCRIPTS = {
  ours: fileURLToPath(new URL("./fixtures/cold-ours.mjs", import.meta.url)),
  peer: fileURLToPath(new URL("./fixtures/cold-peer.mjs", import.meta.url)),
};

function once(script) {
  const start = performance.now();
  const inside = Number(execFileSync(process.execPath, [script], { encoding: "utf8" }));
  return { inside, process: performance.now() - start };
}

export async function run() {
  const samples = { ours: [], peer: [] };
  // One unmeasured run each warms the OS file cache.
  for (const script of Object.values(SCRIPTS)) once(script);
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 === 0 ? ["ours", "peer"] : ["peer", "ours"];
    for (const name of order) samples[name].push(once(SCRIPTS[name]));
  }
  const summary = (name) => ({
    inside: median(samples[name].map((s) => s.inside)),
    process: median(samples[name].map((s) => s.process)),
  });
  return { ours: summary("ours"), peer: summary("peer"), runs: RUNS };
}
