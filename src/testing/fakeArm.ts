/** `startFakeArm`: wires the emulator's parts together behind the {@link FakeArm} interface. */
import type { FakeArmAccessOptions } from "./accessTypes.js";
import { createAccessAndScaleSets, resolveExtendedOptions } from "./accessAndScaleSets.js";
import { createFakeAuth } from "./auth.js";
import type { EmulatorState } from "./context.js";
import { createFaultRegistry } from "./faults.js";
import { createOperations } from "./operations.js";
import { createPipeline } from "./pipeline.js";
import { renderExtension, renderUai, renderVm } from "./render.js";
import { createRequestLog } from "./requestLog.js";
import { createRouter } from "./router.js";
import { createSeeding } from "./seeding.js";
import { listen } from "./server.js";
import { createStore } from "./store.js";
import { createThrottle } from "./throttle.js";
import type { FakeArm, FakeArmOptions } from "./types.js";

/** The subscription the emulator serves unless told otherwise (a well-formed, obviously fake GUID). */
export const DEFAULT_SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000000";

/** The tenant of the identities the emulator creates unless told otherwise. */
export const DEFAULT_TENANT_ID = "00000000-0000-4000-8000-000000000001";

function validated(options: FakeArmOptions): Required<Omit<FakeArmOptions, keyof FakeArmAccessOptions>> {
  const resolved = {
    subscriptionId: options.subscriptionId ?? DEFAULT_SUBSCRIPTION_ID,
    tenantId: options.tenantId ?? DEFAULT_TENANT_ID,
    pollsUntilDone: options.pollsUntilDone ?? 1,
    retryAfterSeconds: options.retryAfterSeconds ?? 0,
    autoCompleteAfterMs: options.autoCompleteAfterMs ?? 2000,
    port: options.port ?? 0,
  };
  const checks: Array<[boolean, string]> = [
    [/^[^/?#\s]+$/.test(resolved.subscriptionId), "subscriptionId must be a non-empty id without '/', '?', '#' or spaces"],
    [resolved.tenantId !== "", "tenantId must not be empty"],
    [Number.isInteger(resolved.pollsUntilDone) && resolved.pollsUntilDone >= 0, "pollsUntilDone must be an integer >= 0"],
    [
      Number.isInteger(resolved.retryAfterSeconds) && resolved.retryAfterSeconds >= 0,
      "retryAfterSeconds must be an integer >= 0",
    ],
    [resolved.autoCompleteAfterMs >= 0, "autoCompleteAfterMs must be >= 0 (Infinity to disable)"],
    [Number.isInteger(resolved.port) && resolved.port >= 0 && resolved.port <= 65535, "port must be 0..65535"],
  ];
  for (const [ok, message] of checks) if (!ok) throw new RangeError(`startFakeArm: ${message}.`);
  return resolved;
}

/**
 * Starts an in-process emulator of the ARM operations this library performs
 * (VMs and their identities, VM extensions, user-assigned identities,
 * asynchronous operations), listening on 127.0.0.1 only.
 *
 * @example
 * ```ts
 * const arm = await startFakeArm();
 * arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
 * const client = new VmIdentityClient(arm.credential, arm.subscriptionId, { endpoint: arm.endpoint });
 * // ...
 * await arm.close();
 * ```
 */
export async function startFakeArm(options: FakeArmOptions = {}): Promise<FakeArm> {
  const config = validated(options);
  const extraOptions = resolveExtendedOptions(options);
  const auth = createFakeAuth();
  const log = createRequestLog();
  const faults = createFaultRegistry();
  const throttle = createThrottle();
  const store = createStore(config.subscriptionId);
  const operations = createOperations(config);

  // Requests are handled in I/O callbacks, never before the synchronous code
  // that follows `await listen` has set the pipeline.
  let pipeline: ReturnType<typeof createPipeline> | undefined;
  const server = await listen(config.port, (raw) => pipeline!(raw));
  const state: EmulatorState = {
    subscriptionId: config.subscriptionId,
    tenantId: config.tenantId,
    endpoint: server.origin,
    retryAfterSeconds: config.retryAfterSeconds,
    store,
    operations,
  };
  const seeding = createSeeding(state);
  const extra = createAccessAndScaleSets(state, extraOptions, seeding.seedIdentity);
  pipeline = createPipeline({ log, faults, auth, throttle, route: extra.guard(createRouter(state, extra.routes)) });

  return {
    endpoint: server.origin,
    credential: auth.credential,
    subscriptionId: config.subscriptionId,
    tenantId: config.tenantId,
    get requests() {
      return log.entries;
    },
    get stats() {
      return log.stats();
    },
    ...extra.api,
    addVm(vm) {
      const id = seeding.addVm(vm);
      extra.seeded(id, vm.identity);
      return id;
    },
    addUserAssignedIdentity(uai) {
      const id = seeding.addUserAssignedIdentity(uai);
      extra.seeded(id);
      return id;
    },
    getVm(resourceGroup, name) {
      const vm = store.findVm(resourceGroup, name);
      return vm && renderVm(vm);
    },
    getExtension(resourceGroup, vmName, name) {
      const vm = store.findVm(resourceGroup, vmName);
      const ext = vm?.extensions.get(name.toLowerCase());
      return vm && ext && renderExtension(vm, ext);
    },
    getUserAssignedIdentity(resourceGroup, name) {
      const uai = store.findUai(resourceGroup, name);
      return uai && renderUai(uai);
    },
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    failOperations: (spec = {}) => operations.failNext(spec),
    completeOperations: () => operations.completeAll(),
    setThrottle: (spec) => throttle.set(spec),
    clearRequests: () => log.clear(),
    reset() {
      operations.clear();
      store.clear();
      extra.reset();
      log.clear();
      faults.clear();
      throttle.set(undefined);
    },
    close() {
      operations.clear();
      return server.close();
    },
  };
}
