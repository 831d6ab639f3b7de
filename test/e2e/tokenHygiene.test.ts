import { inspect } from "node:util";
import { AzureLogger, getLogLevel, setLogLevel } from "@azure/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeArm } from "../../src/testing/index.js";
import type { VmIdentityClient } from "../../src/index.js";
import { emulatorWithClient } from "../support/emulator.js";

let arm: FakeArm;
let client: VmIdentityClient;
let token: string;
const lines: string[] = [];
const originalLog = AzureLogger.log;
const originalLevel = getLogLevel();

beforeAll(async () => {
  ({ arm, client } = await emulatorWithClient({ pollsUntilDone: 1 }, { requestTimeoutInMs: 300 }));
  token = (await arm.credential.getToken("x"))!.token;
  // As AZURE_LOG_LEVEL=verbose does: every Azure SDK logger, ours included, at its most talkative.
  setLogLevel("verbose");
  AzureLogger.log = (...args: unknown[]) => lines.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 8 }))).join(" "));
});
afterAll(async () => {
  AzureLogger.log = originalLog;
  setLogLevel(originalLevel);
  await arm.close();
});

describe("the bearer token stays out of everything a user can print", () => {
  it("after a run with successes, retries and failures", async () => {
    const uai = arm.addUserAssignedIdentity({ resourceGroup: "rg", name: "app-id", location: "westus" });
    arm.addVm({ resourceGroup: "rg", name: "vm1", location: "westus", osType: "Windows" });
    const vm = client.vm("rg", "vm1");
    const texts: string[] = [];
    const keep = (value: unknown): void => {
      texts.push(inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value) ?? "", String(value));
      if (value instanceof Error) texts.push(value.message, String(value.stack));
    };

    keep(await vm.identity().enableSystemAssigned().assignUserAssigned(uai).plan());
    arm.injectFault({ method: "PATCH", status: 503, body: { error: { code: "ServerBusy", message: "busy" } } });
    arm.injectFault({ method: "GET", pathIncludes: "/operations/", kind: "reset" });
    keep(await vm.enableSystemAssigned());
    keep(await vm.msiExtension.install({ port: 50342 }));
    arm.injectFault({ method: "PATCH", status: 403, body: { error: { code: "LinkedAuthorizationFailed", message: "no" } }, times: 1 });
    keep(await vm.assignUserAssigned(uai).catch((e: unknown) => e));
    arm.failOperations({ code: "InternalExecutionError", times: 1 });
    keep(await vm.assignUserAssigned(uai).catch((e: unknown) => e));
    keep(await client.vm("rg", "missing").getIdentity().catch((e: unknown) => e));
    arm.injectFault({ method: "GET", kind: "hang" });
    keep(await client.vm("rg", "vm1").getIdentity({ timeoutInMs: 100 }).catch((e: unknown) => e));

    expect(lines.length).toBeGreaterThan(20);
    expect(lines.some((l) => l.includes("vm-identity"))).toBe(true);
    for (const text of [...texts, ...lines]) {
      expect(text).not.toContain(token);
    }
    // The Authorization header is named only as redacted, never with a value.
    for (const line of lines.filter((l) => /authorization/i.test(l))) expect(line).toMatch(/REDACTED/);
    console.log(`[reliability] token hygiene: ${lines.length} log lines and ${texts.length} printed results/errors searched, token found 0 times`);
  });
});
