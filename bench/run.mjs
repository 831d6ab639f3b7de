// `npm run bench`: every benchmark, against the emulator in a child process,
// printed as two tables (ours vs @azure/arm-compute; the fleets at Azure's
// limits) and written into docs/benchmarks.md between its "results" markers.
// `node bench/run.mjs cpu fleets` runs only the named parts and leaves the docs alone.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as coldStart from "./coldStart.mjs";
import * as cpu from "./cpu.mjs";
import * as fleets from "./fleets.mjs";
import * as requests from "./requests.mjs";
import * as size from "./size.mjs";
import { COMPARISON, comparisonRow, fixed, markdownTable, ratio, textTable, verdict } from "./lib/table.mjs";

const PARTS = { cpu, coldStart, size, requests, fleets };
const DOC = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));
const START = "<!-- results:start (written by npm run bench) -->";
const END = "<!-- results:end -->";

const chosen = process.argv.slice(2);
for (const name of chosen) if (!PARTS[name]) throw new Error(`unknown part ${name}; parts: ${Object.keys(PARTS).join(", ")}`);
const results = {};
const timings = {};
const loadBefore = os.loadavg();
const runStart = performance.now();
for (const [name, part] of Object.entries(PARTS)) {
  if (chosen.length && !chosen.includes(name)) continue;
  const start = performance.now();
  process.stderr.write(`bench: ${name}...`);
  results[name] = await part.run();
  timings[name] = (performance.now() - start) / 1000;
  // Kept outside the repository after every part, so that a later part's crash loses nothing.
  writeFileSync(join(os.tmpdir(), "azure-vm-identity-bench.json"), JSON.stringify({ results, timings }, null, 1));
  process.stderr.write(` ${timings[name].toFixed(1)} s\n`);
}
const runSeconds = (performance.now() - runStart) / 1000;
const loadAfter = os.loadavg();

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
    measure: `cold start, whole process (node's start + import + new client), ms (median of ${runs} fresh processes)`,
    ours: fixed(ours.process, 1),
    peer: fixed(peer.process, 1),
    ratio: ratio(ours.process, peer.process),
    target: `≤ 0.50: ${verdict(ours.process / peer.process, 0.5)}`,
  });
  rows.push({
    measure: "  of which import + new client, timed inside the process, ms",
    ours: fixed(ours.inside, 1),
    peer: fixed(peer.inside, 1),
    ratio: ratio(ours.inside, peer.inside),
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
const comparison = rows.map(comparisonRow);

/** The fleets table: one row per fleet and client, targets on ours. */
const FLEET_HEADER = ["fleet / client", "time scale", "wall, emulator s", "× ideal", "requests/VM", "429s by budget", "VMs failed", "targets (ours)"];
const fleetRows = [];
if (results.fleets) {
  for (const [name, fleet] of Object.entries(fleets.FLEETS)) {
    const runs = results.fleets.runs.filter((r) => r.fleet === name);
    if (runs.length === 0) continue;
    const { ideal } = runs[0];
    const b = ideal.binding;
    fleetRows.push([
      `${fleet.title}: ideal ${fixed(ideal.seconds)} s, bound by ${b.name} ((${fixed(b.tokens)} − ${fixed(b.bucket)}) / ${fixed(b.refillPerSecond, 2)}/s + ${fixed(results.fleets.operationMs / 1000)} s)`,
      "", "", "", "", "", "", "",
    ]);
    for (const r of runs) {
      const client = fleets.CLIENTS[r.client];
      if (r.error) {
        fleetRows.push([`  ${client.label}`, "", "error", "", "", "", "", r.error.slice(0, 80)]);
        continue;
      }
      const throttled = Object.entries(r.throttledBy).map(([k, n]) => `${k} ${fixed(n)}`).join(", ") || "0";
      let targets = "";
      if (client.ours) {
        const perVm = client.listEtags ? 1.3 : 2.3;
        targets = [
          `≤ 1.1×: ${verdict(r.vsIdeal, 1.1)}`,
          `0 failed: ${verdict(r.failed, 0)}`,
          `≤ ${perVm} req/VM: ${verdict(r.requestsPerVm, perVm)}`,
        ].join("; ");
      }
      fleetRows.push([
        `  ${client.label}`,
        String(r.timeScale),
        `${fixed(r.seconds)}${r.cutOff ? " (cut off)" : ""}`,
        fixed(r.vsIdeal, 2),
        fixed(r.requestsPerVm, 2),
        throttled,
        fixed(r.failed),
        targets,
      ]);
    }
  }
}

if (comparison.length) console.log(`\n${textTable(COMPARISON, comparison)}\n`);
if (fleetRows.length) console.log(`${textTable(FLEET_HEADER, fleetRows)}\n`);
const cpuSpread = (c) =>
  `CPU: ours/peer of each round's back-to-back pair: median ${fixed(c.pairedRatio.median, 2)}, quartiles ${fixed(c.pairedRatio.q1, 2)}–${fixed(c.pairedRatio.q3, 2)}`;
if (results.cpu) console.log(cpuSpread(results.cpu));
const fleetLines = (results.fleets?.runs ?? []).map(fleetLine);
for (const line of fleetLines) console.log(line);
console.log(`run: ${fixed(runSeconds)} s (${Object.entries(timings).map(([k, s]) => `${k} ${fixed(s)} s`).join(", ")}); load average ${loadBefore.map((l) => fixed(l, 1)).join(" ")} before, ${loadAfter.map((l) => fixed(l, 1)).join(" ")} after`);

if (chosen.length === 0) writeDoc();

/** The details of one fleet run, for the line under the table. */
function fleetLine(r) {
  if (r.error) return `- fleet ${r.fleet}, ${fleets.CLIENTS[r.client].label}: did not finish: ${r.error}`;
  const own = r.own
    ? `; the fleet's own stats: peak concurrency ${r.own.peakConcurrency}, confirmations ${JSON.stringify(r.own.confirmations)}`
    : "";
  const errors = Object.keys(r.errors).length ? `, failures ${JSON.stringify(r.errors)}` : "";
  return (
    `- fleet ${r.fleet}, ${fleets.CLIENTS[r.client].label}: ${fixed(r.seconds)} s of emulator time in ${fixed(r.realSeconds, 1)} s real; ` +
    `${fixed(r.requests)} requests (${fixed(r.reads)} reads, ${fixed(r.writes)} writes), ${fixed(r.throttled)} 429s, ${fixed(r.conflicts)} 409s, ${fixed(r.preconditionFailed)} 412s; ` +
    `${fixed(r.done)} of ${fixed(r.vms)} VMs hold the change${errors}; CPU busy: bench ${fixed(r.cpu.bench, 2)}, emulator ${fixed(r.cpu.emulator, 2)} of a core; ` +
    `the bench's event loop ran late by ${fixed(Math.max(0, r.loopDelayMs.p99))} ms at the 99th percentile, ${fixed(Math.max(0, r.loopDelayMs.max))} ms at most (real time)${own}`
  );
}

function machine() {
  const cpus = os.cpus();
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {}
  const version = (path) => JSON.parse(readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8")).version;
  return [
    `- date: ${new Date().toISOString()}; the whole run took ${fixed(runSeconds)} s (${Object.entries(timings).map(([k, s]) => `${k} ${fixed(s)} s`).join(", ")})`,
    `- node: ${process.version} (${os.type()} ${os.release()} ${os.arch()})`,
    `- cpu: ${cpus[0]?.model ?? "unknown"}, ${cpus.length} cores; ${fixed(os.totalmem() / 2 ** 30, 1)} GiB memory; load average (1, 5, 15 min) ${loadBefore.map((l) => fixed(l, 1)).join(", ")} at the start, ${loadAfter.map((l) => fixed(l, 1)).join(", ")} at the end`,
    `- azure-vm-identity ${version("../package.json")} (dist built from commit ${commit} and the working tree), @azure/arm-compute ${version("../node_modules/@azure/arm-compute/package.json")}, p-limit ${version("../node_modules/p-limit/package.json")}`,
    `- fleets: emulator \`limits: "azure"\`, \`operationDurationMs: ${results.fleets.operationMs}\`, the time scale of each run in the table, a fresh emulator per run`,
  ].join("\n");
}

function writeDoc() {
  const details = [];
  for (const step of results.requests) details.push(`- ${step.name}: ours \`${step.oursDetail}\`; peer \`${step.peerDetail}\``);
  const { installed } = results.size;
  const mb = (x) => `${fixed(x.bytes / 1024 / 1024, 1)} MB (${x.packages} packages)`;
  const block = [
    START,
    machine(),
    "",
    markdownTable(COMPARISON, comparison),
    "",
    `${cpuSpread(results.cpu)}.`,
    "",
    `Installed size, for context: @azure/arm-compute together with @azure/identity (which its README has users add to authenticate) ${mb(installed.peerWithIdentity)}.`,
    "",
    "Requests of each step, as the emulator saw them (GET after a write = status polls, then the read back):",
    "",
    ...details,
    "",
    "Fleets at Azure's limits (wall time on the emulator's clock):",
    "",
    markdownTable(FLEET_HEADER, fleetRows),
    "",
    "Each fleet run in detail (counts from the emulator's `stats`):",
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
