import { afterEach, describe, expect, it } from "vitest";
import type { FakeArm } from "../../src/testing/index.js";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { VmIdentityClient } from "../../src/index.js";
import { emulatorWithClient, heldIds, writesOf } from "../support/emulator.js";

const WRITERS = 12;
let arm: FakeArm | undefined;
afterEach(async () => arm?.close());

interface Outcome {
  succeeded: number;
  failed: number;
  /** Changes asked for that the final state does not hold. */
  lost: number;
  patches: number;
  patchesWithIfMatch: number;
  attempts: number[];
}

/**
 * A policy that tells when the first GET has been answered (`read`) and holds
 * the first PATCH back until `release` resolves.
 */
function readThenHoldFirstPatch(release: Promise<unknown>): { policy: PipelinePolicy; read: Promise<void> } {
  let held = false;
  let answered = false;
  let markRead!: () => void;
  const read = new Promise<void>((resolve) => (markRead = resolve));
  return {
    read,
    policy: {
      name: "readThenHoldFirstPatch",
      async sendRequest(request, next) {
        if (request.method === "PATCH" && !held) {
          held = true;
          await release;
        }
        const response = await next(request);
        if (request.method === "GET" && !answered) {
          answered = true;
          markRead();
        }
        return response;
      },
    },
  };
}

/**
 * 12 writers each attach a different user identity to one VM while a 13th
 * disables its system identity, all at once. With `staleDisabler`, the
 * disabler reads the VM first and its first PATCH is held until the other 12
 * have finished, so it was planned from a read that every other change has
 * since made stale.
 */
async function race(
  client: VmIdentityClient,
  a: FakeArm,
  mode: "optimistic" | "last-writer-wins",
  staleDisabler = false,
): Promise<Outcome> {
  const vmRg = "rg";
  const ids = Array.from({ length: WRITERS }, (_, i) => a.addUserAssignedIdentity({ resourceGroup: vmRg, name: `writer-${i}`, location: "westus" }));
  a.addVm({ resourceGroup: vmRg, name: "shared", location: "westus", osType: "Linux", identity: { type: "SystemAssigned" } });
  const vm = client.vm(vmRg, "shared");
  // 13 writers on one VM lose many races and meet many running writes: give them more rounds than the default 10.
  const options = { concurrency: mode, conflictRetryDelayInMs: 5, timeoutInMs: 30_000, maxAttempts: 100 } as const;
  let startAssigns!: () => void;
  const assignsMayStart = new Promise<void>((resolve) => (startAssigns = resolve));
  const assigns = ids.map(async (id) => {
    await assignsMayStart;
    return vm.assignUserAssigned(id, options);
  });
  const assignsDone = Promise.allSettled(assigns);
  let disable: ReturnType<typeof vm.disableSystemAssigned>;
  if (staleDisabler) {
    // The disabler reads the VM before any other writer starts, and its PATCH waits until they all
    // finished: it is planned from a read that every other change has made stale, whatever the timing.
    const hold = readThenHoldFirstPatch(assignsDone);
    const disabler = new VmIdentityClient(a.credential, a.subscriptionId, {
      endpoint: a.endpoint,
      updateIntervalInMs: 0,
      additionalPolicies: [{ policy: hold.policy, position: "perCall" }],
    });
    disable = disabler.vm(vmRg, "shared").disableSystemAssigned(options);
    await Promise.race([hold.read, disable.catch(() => undefined)]);
    startAssigns();
  } else {
    startAssigns();
    disable = client.vm(vmRg, "shared").disableSystemAssigned(options);
  }
  const calls = [...assigns, disable];
  const settled = await Promise.allSettled(calls);
  const held = new Set(heldIds(a, vmRg, "shared"));
  const type = a.getVm(vmRg, "shared")?.identity?.type ?? "None";
  const lostAssignments = ids.filter((id) => !held.has(id.toLowerCase())).length;
  const lostDisable = type.startsWith("SystemAssigned") ? 1 : 0;
  const patches = writesOf(a).filter((w) => w.method === "PATCH");
  return {
    succeeded: settled.filter((s) => s.status === "fulfilled").length,
    failed: settled.filter((s) => s.status === "rejected").length,
    lost: lostAssignments + lostDisable,
    patches: patches.length,
    patchesWithIfMatch: patches.filter((p) => p.headers["if-match"]).length,
    attempts: settled.flatMap((s) => (s.status === "fulfilled" ? [s.value.attempts] : [])),
  };
}

describe("12 concurrent writers plus one disabling the system identity, on one VM", () => {
  it("optimistic (default): every call succeeds and the final state holds every change", async () => {
    const rounds: Outcome[] = [];
    for (let round = 0; round < 3; round++) {
      const setup = await emulatorWithClient({ pollsUntilDone: 1 });
      arm = setup.arm;
      rounds.push(await race(setup.client, setup.arm, "optimistic"));
      await arm.close();
      arm = undefined;
    }
    for (const outcome of rounds) {
      expect(outcome.succeeded).toBe(WRITERS + 1);
      expect(outcome.failed).toBe(0);
      expect(outcome.lost).toBe(0);
      expect(outcome.patchesWithIfMatch).toBe(outcome.patches);
    }
    console.log(
      `[reliability] optimistic: ${rounds.length} rounds x ${WRITERS + 1} writers: ` +
        `succeeded ${rounds.map((r) => r.succeeded).join("/")}, lost ${rounds.map((r) => r.lost).join("/")}, ` +
        `PATCHes ${rounds.map((r) => r.patches).join("/")} (all with If-Match), max attempts ${Math.max(...rounds.flatMap((r) => r.attempts))}`,
    );
  });

  it("last-writer-wins (opt-out): a PATCH planned from a stale read undoes every other change", async () => {
    const rounds: Outcome[] = [];
    for (let round = 0; round < 3; round++) {
      const setup = await emulatorWithClient({ pollsUntilDone: 1 });
      arm = setup.arm;
      rounds.push(await race(setup.client, setup.arm, "last-writer-wins", true));
      await arm.close();
      arm = undefined;
    }
    for (const outcome of rounds) {
      // Every call reports success, yet the stale disable wiped all 12 identities.
      expect(outcome).toMatchObject({ succeeded: WRITERS + 1, failed: 0, lost: WRITERS, patchesWithIfMatch: 0 });
    }
    console.log(`[reliability] last-writer-wins, stale disabler: ${rounds.length} rounds x ${WRITERS + 1} writers: lost ${rounds.map((r) => r.lost).join("/")} changes, every call reported success`);
  });

  it("optimistic, with the same stale disabler: its PATCH is refused (412), re-planned, and nothing is lost", async () => {
    const setup = await emulatorWithClient({ pollsUntilDone: 1 });
    arm = setup.arm;
    const outcome = await race(setup.client, setup.arm, "optimistic", true);
    expect(outcome).toMatchObject({ succeeded: WRITERS + 1, failed: 0, lost: 0 });
    expect(outcome.patchesWithIfMatch).toBe(outcome.patches);
    expect(setup.arm.getVm("rg", "shared")?.identity?.type).toBe("UserAssigned");
    console.log(`[reliability] optimistic, stale disabler: lost ${outcome.lost}, 412s ${setup.arm.stats.preconditionFailed}`);
  });

  it("optimistic under the same instant-completion conditions still loses nothing", async () => {
    const setup = await emulatorWithClient({ pollsUntilDone: 0, autoCompleteAfterMs: 0 });
    arm = setup.arm;
    const outcome = await race(setup.client, setup.arm, "optimistic");
    expect(outcome).toMatchObject({ succeeded: WRITERS + 1, failed: 0, lost: 0 });
    expect(outcome.patchesWithIfMatch).toBe(outcome.patches);
    console.log(`[reliability] optimistic, instant operations: lost ${outcome.lost}, PATCHes ${outcome.patches}, 412s ${setup.arm.stats.preconditionFailed}`);
  });
});
