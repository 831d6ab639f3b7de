import { VmIdentityClient } from "azure-vm-identity";
import type { FakeArm, FakeArmRequest } from "azure-vm-identity/testing";
import { armIdentity } from "../output/identity.js";
import type { Printer } from "../output/printer.js";
import type { Style } from "../output/style.js";
import { type DemoRequest, type DemoStepReport, renderIntro, renderStep, renderSummary } from "./render.js";
import { DEMO_GROUP, DEMO_STEPS, type DemoContext, PLACEHOLDERS } from "./scenario.js";

const WRITES = new Set(["PUT", "PATCH", "DELETE"]);

/** Where the demo writes and how. */
export interface DemoOptions {
  /** Prints the steps as JSON (or as `--query`/`-o` say), unless the output is for people. */
  out: Printer;
  style: Style;
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
 * Run the article's steps in order, each against the emulator of its
 * starting point (a fresh one where the article's section starts from a
 * given state), and print for each the PowerShell it replaces, the
 * equivalent command, the ARM writes the emulator received and the resulting
 * identity. Closes every emulator it started.
 */
export async function runDemo(options: DemoOptions): Promise<DemoStepReport[]> {
  const started = Date.now();
  // Imported here so that every other command starts without loading the emulator.
  const { startFakeArm } = await import("azure-vm-identity/testing");
  const { out, style } = options;
  const width = out.width;
  const reports: DemoStepReport[] = [];
  let ctx: DemoContext | undefined;
  try {
    for (const [index, step] of DEMO_STEPS.entries()) {
      if (step.start || !ctx) {
        await ctx?.arm.close();
        const arm = await startFakeArm({ retryAfterSeconds: 0 });
        ctx = {
          arm,
          client: new VmIdentityClient(arm.credential, arm.subscriptionId, {
            endpoint: arm.endpoint,
            updateIntervalInMs: 0,
            userAgentOptions: { userAgentPrefix: "vm-identity-demo" },
          }),
          options: { abortSignal: options.signal },
        };
        step.start?.seed(arm);
        await step.start?.setup?.(ctx);
        if (index === 0 && out.forPeople) out.text(renderIntro(style, arm.subscriptionId, width));
      }
      const from = ctx.arm.requests.length;
      await step.run(ctx);
      const requests = writesSince(ctx.arm, from);
      const vm = ctx.client.vm(DEMO_GROUP, step.vm);
      const report: DemoStepReport = {
        step: index + 1,
        section: step.section,
        title: step.title,
        ...(step.start ? { start: step.start.describe } : {}),
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
      if (out.forPeople) {
        const newSection = index === 0 || DEMO_STEPS[index - 1]!.section !== step.section;
        out.text(renderStep(style, report, DEMO_STEPS.length, width, newSection));
      }
    }
    const writes = reports.reduce((sum, r) => sum + r.requests.length, 0);
    if (out.forPeople) {
      out.text(renderSummary(style, reports.length, writes, Date.now() - started, width));
    } else {
      out.result(
        {
          subscriptionId: ctx?.arm.subscriptionId,
          placeholders: Object.fromEntries(PLACEHOLDERS),
          steps: reports.map((r) => ({ ...r, identity: armIdentity(r.identity) })),
        },
        () => "",
      );
    }
    return reports;
  } finally {
    await ctx?.arm.close();
  }
}
