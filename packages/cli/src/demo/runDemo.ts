import { VmIdentityClient } from "azure-vm-identity";
import type { FakeArm, FakeArmRequest } from "azure-vm-identity/testing";
import type { OutputFormat } from "../options/global.js";
import { toJson } from "../output/printer.js";
import type { Style } from "../output/style.js";
import { type DemoRequest, type DemoStepReport, renderIntro, renderStep, renderSummary } from "./render.js";
import { DEMO_GROUP, DEMO_STEPS, type DemoContext, seedDemo } from "./scenario.js";

const WRITES = new Set(["PUT", "PATCH", "DELETE"]);

/** Where the demo writes and how. */
export interface DemoOptions {
  write: (text: string) => void;
  style: Style;
  format: OutputFormat;
  signal: AbortSignal;
}

function writesSince(arm: FakeArm, from: number): DemoRequest[] {
  return arm.requests
    .slice(from)
    .filter((r: FakeArmRequest) => WRITES.has(r.method.toUpperCase()))
    .map((r) => {
      const headers: Record<string, string> = {};
      for (const name of ["if-match", "if-none-match"]) {
        const value = r.headers[name];
        if (value !== undefined) headers[name] = value;
      }
      return r.body === undefined ? { method: r.method, url: r.url, headers } : { method: r.method, url: r.url, headers, body: r.body };
    });
}

/**
 * Run the walkthrough against a fresh embedded emulator: seed it, perform every
 * step in order, and print for each the PowerShell it replaces, the ARM writes
 * the emulator received and the resulting identity. Closes the emulator.
 */
export async function runDemo(options: DemoOptions): Promise<DemoStepReport[]> {
  const started = Date.now();
  // Imported here so that every other command starts without loading the emulator.
  const { startFakeArm } = await import("azure-vm-identity/testing");
  const arm = await startFakeArm({ retryAfterSeconds: 0 });
  try {
    const ids = seedDemo(arm);
    const client = new VmIdentityClient(arm.credential, arm.subscriptionId, {
      endpoint: arm.endpoint,
      updateIntervalInMs: 0,
      userAgentOptions: { userAgentPrefix: "vm-identity-demo" },
    });
    const ctx: DemoContext = { client, ids, options: { abortSignal: options.signal } };
    const text = options.format !== "json";
    if (text) options.write(renderIntro(options.style, arm.endpoint, arm.subscriptionId, ids));

    const reports: DemoStepReport[] = [];
    for (const [index, step] of DEMO_STEPS.entries()) {
      const from = arm.requests.length;
      await step.run(ctx);
      const requests = writesSince(arm, from);
      const vm = client.vm(DEMO_GROUP, step.vm);
      const report: DemoStepReport = {
        step: index + 1,
        title: step.title,
        powershell: step.powershell,
        cli: step.cli,
        requests,
        vm: step.vm,
        identity: await vm.getIdentity(ctx.options),
      };
      if (step.showExtension) {
        const ext = await vm.msiExtension.get({}, ctx.options);
        report.extension = ext
          ? {
              name: ext.name ?? "",
              ...(ext.properties?.provisioningState ? { provisioningState: ext.properties.provisioningState } : {}),
              ...(typeof ext.properties?.settings?.port === "number" ? { port: ext.properties.settings.port } : {}),
            }
          : null;
      }
      reports.push(report);
      if (text) options.write(renderStep(options.style, report, DEMO_STEPS.length));
    }
    if (text) {
      const writes = reports.reduce((sum, r) => sum + r.requests.length, 0);
      options.write(renderSummary(options.style, reports.length, writes, Date.now() - started));
    } else {
      options.write(toJson({ endpoint: arm.endpoint, subscriptionId: arm.subscriptionId, identities: ids, steps: reports }));
    }
    return reports;
  } finally {
    await arm.close();
  }
}
