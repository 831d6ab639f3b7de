import { type FakeArm, type FakeArmOptions, startFakeArm } from "../../src/testing/index.js";
import { VmIdentityClient, type VmIdentityClientOptions } from "../../src/index.js";

/** An emulator and a client pointed at it, with no real waiting anywhere. */
export async function emulatorWithClient(
  armOptions: FakeArmOptions = {},
  clientOptions: VmIdentityClientOptions = {},
): Promise<{ arm: FakeArm; client: VmIdentityClient }> {
  const arm = await startFakeArm({ retryAfterSeconds: 0, ...armOptions });
  const client = new VmIdentityClient(arm.credential, arm.subscriptionId, {
    endpoint: arm.endpoint,
    updateIntervalInMs: 0,
    retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 50 },
    ...clientOptions,
  });
  return { arm, client };
}

/** The writes the emulator received, as `METHOD path`. */
export function writesOf(arm: FakeArm): { method: string; path: string; headers: Record<string, string>; body: unknown; status: number | undefined }[] {
  return arm.requests
    .filter((r) => r.method !== "GET")
    .map((r) => ({ method: r.method, path: new URL(r.url).pathname, headers: r.headers, body: r.body, status: r.status }));
}

/** The ids of the user-assigned identities a VM holds, lower-cased and sorted. */
export function heldIds(arm: FakeArm, rg: string, name: string): string[] {
  const map = arm.getVm(rg, name)?.identity?.userAssignedIdentities ?? {};
  return Object.keys(map).map((id) => id.toLowerCase()).sort();
}
