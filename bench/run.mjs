// `npm run bench`: every benchmark, against the emulator in a child process,
// printed as one table (ours, @azure/arm-compute, ratio) and written into
// docs/benchmarks.md between its "results" markers.
// `node bench/run.mjs cpu fleet` runs only the named parts and leaves the docs alone.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import * as coldStart from "./coldStart.mjs";
import * as cpu from "./cpu.mjs";
import * as fleet from "./fleet.mjs";
import * as requests from "./requests.mjs";
import * as size from "./size.mjs";
import { fixed, markdownTable, ratio, textTable } from "./lib/table.mjs";

const PARTS = { cpu, coldStart, size, requests, fleet };
const DOC = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));
const START = "<!-- results:start (written by npm run bench) -->";
const END = "<!-- results:end -->";

const chosen = process.argv.slice(2);
for (const name of chosen) if (!PARTS[name]) throw new Error(`unknown part ${name}; parts: ${Object.keys(PARTS).join(", ")}`);
const results = {};
for (const [name, part] of Object.entries(PARTS)) {
  if (chosen.length && !chosen.includes(name)) continue;
  const start = performance.now();
  process.stderr.write(`bench: ${name}...`);
  results[name] = await part.run();
  process.stderr.write(` ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
}

const verdict = (value, limit) => (value <= limit ? "met" : "NOT met");
const rows = [];
if (results.cpu) {
  const { ours, peer, rounds, perRound, requestsPerOp } = results.cpu;
  rows.push({
    measure: `CPU per identity change, µs (median of ${rounds} rounds × ${perRound}; ${requestsPerOp.ours} vs ${requestsPerOp.peer} requests)`,
    ours: fixed(ours),
    peer: fixed(peer),
    ratio: ratio(ours, peer),
    target: `≤ 1.00: ${verdict(ours / peer, 1)}`,
  });
}
if (results.coldStart) {
  const { ours, peer, runs } = results.coldStart;
  rows.push({
    measure: `cold start: import + new client, ms (median of ${runs} fresh processes)`,
    ours: fixed(ours.inside, 1),
    peer: fixed(peer.inside, 1),
    ratio: ratio(ours.inside, peer.inside),
    target: `≤ 0.50: ${verdict(ours.inside / peer.inside, 0.5)}`,
  });
  rows.push({
    measure: "  whole process incl. node's own start, ms",
    ours: fixed(ours.process, 1),
    peer: fixed(peer.process, 1),
    ratio: ratio(ours.process, peer.process),
  });
}
if (results.size) {
  const { bundle, installed } = results.size;
  const kb = (b) => fixed(b / 1024, 1);
  rows.push({
    measure: "bundle of an 'enable system identity' script, minified, KB",
    ours: kb(bundle.ours.bytes),
    peer: kb(bundle.peer.bytes),
    ratio: ratio(bundle.ours.bytes, bundle.peer.bytes),
    target: `≤ 0.50: ${verdict(bundle.ours.bytes / bundle.peer.bytes, 0.5)}`,
  });
  rows.push({
    measure: "  same, gzipped, KB",
    ours: kb(bundle.ours.gzip),
    peer: kb(bundle.peer.gzip),
    ratio: ratio(bundle.ours.gzip, bundle.peer.gzip),
    target: `≤ 0.50: ${verdict(bundle.ours.gzip / bundle.peer.gzip, 0.5)}`,
  });
  const mb = (b) => fixed(b / 1024 / 1024, 1);
  rows.push({
    measure: "installed: package + runtime dependency closure, MB (packages)",
    ours: `${mb(installed.ours.bytes)} (${installed.ours.packages})`,
    peer: `${mb(installed.peer.bytes)} (${installed.peer.packages})`,
    ratio: ratio(installed.ours.bytes, installed.peer.bytes),
  });
}
for (const step of results.requests ?? []) {
  rows.push({ measure: `requests: ${step.name}`, ours: String(step.ours), peer: String(step.peer), ratio: ratio(step.ours, step.peer) });
}
if (results.fleet) {
  const { adaptive, fixed64, peer } = results.fleet;
  const limit = 1.2 * fleet.IDEAL_SECONDS;
  const wall = (r) => `${fixed(r.seconds, 1)} (${fixed(r.vsIdeal, 2)}× ideal${r.seconds * 1000 >= fleet.CUTOFF_MS ? ", cut off" : ""})`;
  const variants = [
    ["ours adaptive", adaptive, true],
    ["ours concurrency 64", fixed64, false],
  ];
  for (const [label, ours, targeted] of variants) {
    const title = `fleet ${fleet.VMS} VMs, ${fleet.THROTTLE.writesPerSecond} writes/s: ${label} vs Promise.all`;
    rows.push({
      measure: `${title}: wall s`,
      ours: wall(ours),
      peer: wall(peer),
      ratio: ratio(ours.seconds, peer.seconds),
      target: targeted ? `≤ ${fixed(limit, 1)} s: ${verdict(ours.seconds, limit)}` : "",
    });
    rows.push({ measure: "  429s received (emulator)", ours: String(ours.throttled), peer: String(peer.throttled), ratio: ratio(ours.throttled, peer.throttled) });
    rows.push({
      measure: "  VMs failed",
      ours: String(ours.failed),
      peer: String(peer.failed),
      ratio: ratio(ours.failed, peer.failed),
      target: targeted ? `0: ${verdict(ours.failed, 0)}` : "",
    });
  }
}

const table = textTable(rows);
console.log(`\n${table}\n`);
const cpuSpread = (c) =>
  `CPU: ours/peer of each round's back-to-back pair: median ${fixed(c.pairedRatio.median, 2)}, quartiles ${fixed(c.pairedRatio.q1, 2)}–${fixed(c.pairedRatio.q3, 2)}`;
if (results.cpu) console.log(cpuSpread(results.cpu));
if (results.fleet) {
  for (const [name, r] of Object.entries(results.fleet)) {
    const own = r.peakConcurrency === undefined ? "" : `; fleet stats: peakConcurrency ${r.peakConcurrency}, writesPerSecond ${r.writesPerSecond === undefined ? "not learned" : fixed(r.writesPerSecond, 1)}, throttled ${r.clientThrottled}`;
    console.log(`fleet ${name}: ${r.writes} writes sent, ${r.requests} requests, failures ${JSON.stringify(r.errors)}${own}`);
  }
}

if (chosen.length === 0) writeDoc();

function machine() {
  const cpus = os.cpus();
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {}
  const version = (path) => JSON.parse(readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8")).version;
  return [
    `- date: ${new Date().toISOString()}`,
    `- node: ${process.version} (${os.type()} ${os.release()} ${os.arch()})`,
    `- cpu: ${cpus[0]?.model ?? "unknown"}, ${cpus.length} cores; ${fixed(os.totalmem() / 2 ** 30, 1)} GiB memory`,
    `- azure-vm-identity ${version("../package.json")} (dist built from commit ${commit} and the working tree), @azure/arm-compute ${version("../node_modules/@azure/arm-compute/package.json")}`,
  ].join("\n");
}

function writeDoc() {
  const details = [];
  for (const step of results.requests) details.push(`- ${step.name}: ours \`${step.oursDetail}\`; peer \`${step.peerDetail}\``);
  const fleetLines = Object.entries(results.fleet).map(([name, r]) => {
    const own = r.peakConcurrency === undefined ? "" : `; the fleet's own stats: peakConcurrency ${r.peakConcurrency}, writesPerSecond ${r.writesPerSecond === undefined ? "not learned" : fixed(r.writesPerSecond, 1)}, throttled ${r.clientThrottled}`;
    return `- ${name}: ${fixed(r.seconds, 2)} s, ${r.writes} writes sent (${r.throttled} answered 429), ${r.requests} requests in all, failures ${JSON.stringify(r.errors)}${own}`;
  });
  const { installed } = results.size;
  const mb = (x) => `${fixed(x.bytes / 1024 / 1024, 1)} MB (${x.packages} packages)`;
  const block = [
    START,
    machine(),
    "",
    markdownTable(rows),
    "",
    `${cpuSpread(results.cpu)}.`,
    "",
    `Installed size, for context: @azure/arm-compute together with @azure/identity (which its README has users add to authenticate) ${mb(installed.peerWithIdentity)}; ours without the dependencies only the command line tool imports (@azure/identity, commander, cli-progress) ${mb(installed.oursWithoutCliDeps)}.`,
    "",
    "Requests of each step, as the emulator saw them (GET after a write = status polls, then the read back):",
    "",
    ...details,
    "",
    "Fleet runs:",
    "",
    ...fleetLines,
    END,
  ].join("\n");
  const current = existsSync(DOC) ? readFileSync(DOC, "utf8") : `# Benchmarks\n\n${START}\n${END}\n`;
  const from = current.indexOf(START);
  const to = current.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${DOC} has no results markers; add ${START} ... ${END} where the results go`);
  writeFileSync(DOC, current.slice(0, from) + block + current.slice(to + END.length));
  process.stderr.write(`bench: results written to docs/benchmarks.md\n`);
}
