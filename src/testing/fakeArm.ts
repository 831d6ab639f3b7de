/** `startFakeArm`: wires the emulator's parts together behind the {@link FakeArm} interface. */
import { validateResourceGroupName } from "../core/validation.js";
import { createAccess } from "./access.js";
import { createAccessAndScaleSets } from "./accessAndScaleSets.js";
import { createFakeAuth } from "./auth.js";
import { addVms } from "./bulkSeeding.js";
import { createClock } from "./clock.js";
import type { EmulatorState } from "./context.js";
import { createFaultRegistry } from "./faults.js";
import { createLimits } from "./limits.js";
import { createOperations } from "./operations.js";
import { resolveOptions } from "./options.js";
import { createPipeline } from "./pipeline.js";
import { renderExtension, renderUai, renderVm } from "./render.js";
import { createRequestLog } from "./requestLog.js";
import { createRouter } from "./router.js";
import { createSeeding } from "./seeding.js";
import { listen } from "./server.js";
import { createStats } from "./stats.js";
import { createStore } from "./store.js";
import { createThrottle } from "./throttle.js";
import type { FakeArm, FakeArmOptions } from "./types.js";

export { DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID } from "./options.js";

/**
 * Starts an in-process emulator of the ARM operations this library performs
 * (VMs and scale sets with their identities and extensions, user-assigned
 * identities, role definitions and assignments, asynchronous operations,
 * lists, subscriptions and Resource Graph queries), listening on 127.0.0.1
 * only, optionally with Azure's request budgets.
 *
 * @example
 * ```ts
 * const arm = await startFakeArm();
 * arm.addVm({ resourceGroup: "rg", name: "vm", location: "westeurope", osType: "Linux" });
 * const client = new VmIdentityClient(arm.credential, arm.subscriptionId, { endpoint: arm.endpoint });
 * // ...
 * await arm.close();
 * ```
 * @throws RangeError for an invalid option, naming it and the expected form.
 */
export async function startFakeArm(options: FakeArmOptions = {}): Promise<FakeArm> {
  const config = resolveOptions(options);
  const clock = createClock(config.timeScale, config.clock);
  const auth = createFakeAuth();
  const stats = createStats();
  const log = createRequestLog(config.maxLoggedRequests);
  const faults = createFaultRegistry();
  const throttle = createThrottle();
  const limits = createLimits(config.budgets, clock, stats);
  const operations = createOperations({ ...config, clock });
  const access = createAccess();

  // Requests are handled in I/O callbacks, never before the synchronous code
  // that follows `await listen` has set the pipeline.
  let pipeline: ReturnType<typeof createPipeline> | undefined;
  const server = await listen(config.port, (raw) => pipeline!(raw));

  const states = new Map<string, EmulatorState>();
  for (const { id } of config.subscriptions) {
    states.set(id.toLowerCase(), {
      subscriptionId: id,
      tenantId: config.tenantId,
      endpoint: server.origin,
      retryAfterSeconds: config.retryAfterSeconds,
      store: createStore(id, (other) => states.get(other.toLowerCase())?.store),
      operations,
      clock,
      limits,
      config,
      access,
      subscriptions: states,
    });
  }
  const subscriptionId = config.subscriptions[0]!.id;
  const seedings = new Map([...states].map(([id, state]) => [id, createSeeding(state)]));

  /** The state of one of the emulator's subscriptions (default the first). @throws for one it does not serve. */
  function stateOf(id: string | undefined = subscriptionId): EmulatorState {
    const state = states.get(String(id).toLowerCase());
    if (!state) {
      throw new RangeError(`The emulator does not serve subscription '${String(id)}'; it serves ${[...states.values()].map((s) => `'${s.subscriptionId}'`).join(", ")}.`);
    }
    return state;
  }
  const seedingOf = (id: string | undefined) => seedings.get(stateOf(id).subscriptionId.toLowerCase())!;
  const extra = createAccessAndScaleSets({ first: stateOf(undefined), stateOf, seedingOf, settle: () => operations.settle() });

  pipeline = createPipeline({
    log,
    stats,
    faults,
    auth,
    throttle,
    arm: limits.arm,
    servesSubscription: (id) => states.has(id.toLowerCase()),
    settle: () => operations.settle(),
    route: extra.guard(createRouter(states)),
  });

  /** Looks up state after finishing the operations whose time has come. */
  function settled<T>(id: string | undefined, read: (state: EmulatorState) => T): T {
    operations.settle();
    return read(stateOf(id));
  }

  return {
    endpoint: server.origin,
    credential: auth.credential,
    subscriptionId,
    subscriptionIds: config.subscriptions.map((s) => s.id),
    tenantId: config.tenantId,
    get requests() {
      return log.entries;
    },
    get stats() {
      return stats.snapshot();
    },
    now: () => clock.now(),
    credentialFor: (principal) => auth.credentialFor(principal),
    ...extra.api,
    addVm(vm) {
      const id = seedingOf(vm.subscriptionId).addVm(vm);
      extra.seeded(id, vm.identity);
      return id;
    },
    addVms(count, template) {
      const ids = addVms(stateOf(template.subscriptionId), seedingOf(template.subscriptionId), count, template, extra.seededVm);
      extra.seeded(undefined, template.identity);
      return ids;
    },
    addUserAssignedIdentity(uai) {
      const id = seedingOf(uai.subscriptionId).addUserAssignedIdentity(uai);
      extra.seeded(id);
      return id;
    },
    addResourceGroup(name, subscription) {
      // ARM's rule for the name, as the library checks it.
      stateOf(subscription).store.resourceGroups.add(validateResourceGroupName(name).toLowerCase());
    },
    getVm: (resourceGroup, name, subscription) =>
      settled(subscription, ({ store }) => {
        const vm = store.findVm(resourceGroup, name);
        return vm && renderVm(vm);
      }),
    getExtension: (resourceGroup, vmName, name, subscription) =>
      settled(subscription, ({ store }) => {
        const vm = store.findVm(resourceGroup, vmName);
        const ext = vm?.extensions.get(name.toLowerCase());
        return vm && ext && renderExtension(vm, ext);
      }),
    getUserAssignedIdentity: (resourceGroup, name, subscription) =>
      settled(subscription, ({ store }) => {
        const uai = store.findUai(resourceGroup, name);
        return uai && renderUai(uai);
      }),
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    failOperations: (spec = {}) => operations.failNext(spec),
    completeOperations: () => operations.completeAll(),
    setThrottle: (spec) => throttle.set(spec),
    clearRequests() {
      log.clear();
      stats.clear();
    },
    reset() {
      operations.clear();
      for (const state of states.values()) state.store.clear();
      access.clear();
      log.clear();
      stats.clear();
      faults.clear();
      throttle.set(undefined);
      limits.clear();
    },
    close() {
      operations.clear();
      return server.close();
    },
  };
}
