// The ARM emulator in a child process, so that its CPU is not counted in the
// benchmark's. Started by lib/emulator.mjs with its options as argv[2] (JSON);
// answers { id, op, args } messages over the IPC channel with { id, result | error }.
import { startFakeArm } from "../dist/testing/index.js";

const arm = await startFakeArm(JSON.parse(process.argv[2] ?? "{}"));
const { token } = await arm.credential.getToken("https://management.azure.com/.default");

const ops = {
  /** Seed `count` VMs named `${prefix}${i}`, all alike. */
  addVms({ resourceGroup, prefix, count, location = "westeurope", osType = "Linux", identity }) {
    for (let i = 0; i < count; i++) {
      arm.addVm({ resourceGroup, name: `${prefix}${i}`, location, osType, ...(identity ? { identity } : {}) });
    }
    return count;
  },
  addUserAssignedIdentity: (options) => arm.addUserAssignedIdentity(options),
  getVm: ({ resourceGroup, name }) => arm.getVm(resourceGroup, name),
  setThrottle: (spec) => arm.setThrottle(spec ?? undefined),
  reset: () => arm.reset(),
  clearRequests: () => arm.clearRequests(),
  stats: () => arm.stats,
  /** Method, path and status of every request received since the last clear. */
  requests: () => arm.requests.map(({ method, url, status }) => ({ method, path: new URL(url).pathname, status })),
};

process.on("message", async ({ id, op, args }) => {
  try {
    process.send({ id, result: await ops[op](args) });
  } catch (e) {
    process.send({ id, error: String(e?.stack ?? e) });
  }
});
// The parent went away (or closed us): stop listening and leave.
process.on("disconnect", () => arm.close().finally(() => process.exit(0)));

process.send({ ready: true, endpoint: arm.endpoint, subscriptionId: arm.subscriptionId, token });
