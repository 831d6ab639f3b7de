// The ARM emulator in a child process, so that its CPU is not counted in the
// benchmark's and the two do not share one core's time. Started by
// lib/emulator.mjs with its options as argv[2] (JSON: any FakeArmOptions that
// JSON can carry, e.g. limits "azure", timeScale, operationDurationMs,
// listEtags, subscriptionIds, maxLoggedRequests); answers { id, op, args }
// messages over the IPC channel with { id, result | error }.
import { startFakeArm } from "../dist/testing/index.js";

const arm = await startFakeArm(JSON.parse(process.argv[2] ?? "{}"));
const { token } = await arm.credential.getToken("https://management.azure.com/.default");

const ops = {
  /** Seed `count` VMs named `${prefix}${i}` (no zero padding), all alike, one at a time. */
  addVms({ resourceGroup, prefix, count, location = "westeurope", osType = "Linux", identity }) {
    for (let i = 0; i < count; i++) {
      arm.addVm({ resourceGroup, name: `${prefix}${i}`, location, osType, ...(identity ? { identity } : {}) });
    }
    return count;
  },
  /** Seed `count` VMs in bulk (the emulator's addVms: names `<namePrefix><zero-padded index>`); returns the count, not the ids. */
  seedVms({ count, ...template }) {
    return arm.addVms(count, { location: "westeurope", osType: "Linux", ...template }).length;
  },
  addUserAssignedIdentity: (options) => arm.addUserAssignedIdentity(options),
  getVm: ({ resourceGroup, name, subscriptionId }) => arm.getVm(resourceGroup, name, subscriptionId),
  /** Summary of the VMs of a resource group as the emulator holds them (for checking a fleet's outcome). */
  identities({ resourceGroup, namePrefix, count, subscriptionId, width }) {
    const byType = {};
    let withUser = 0;
    let missing = 0;
    for (let i = 0; i < count; i++) {
      const vm = arm.getVm(resourceGroup, `${namePrefix}${String(i).padStart(width, "0")}`, subscriptionId);
      if (!vm) {
        missing++;
        continue;
      }
      const type = vm.identity?.type ?? "None";
      byType[type] = (byType[type] ?? 0) + 1;
      if (Object.keys(vm.identity?.userAssignedIdentities ?? {}).length > 0) withUser++;
    }
    return { byType, withUser, missing };
  },
  setThrottle: (spec) => arm.setThrottle(spec ?? undefined),
  reset: () => arm.reset(),
  clearRequests: () => arm.clearRequests(),
  stats: () => arm.stats,
  /** Emulator time (ms since the epoch). */
  now: () => arm.now(),
  /** CPU this process has used, µs (user + system). */
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  },
  /** Method, path and status of every request still in the (bounded) log since the last clear. */
  requests: () => arm.requests.map(({ method, url, status }) => ({ method, path: new URL(url).pathname, status })),
};

process.on("message", async ({ id, op, args }) => {
  try {
    process.send({ id, result: await ops[op](args ?? {}) });
  } catch (e) {
    process.send({ id, error: String(e?.stack ?? e) });
  }
});
// The parent went away (or closed us): stop listening and leave.
process.on("disconnect", () => arm.close().finally(() => process.exit(0)));

process.send({ ready: true, endpoint: arm.endpoint, subscriptionId: arm.subscriptionId, subscriptionIds: arm.subscriptionIds, token });
