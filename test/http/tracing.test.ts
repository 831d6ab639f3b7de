import { type Instrumenter, type TracingContext, type TracingSpan, useInstrumenter } from "@azure/core-tracing";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { API, ARM, SUB, fastClient, vmBody, vmPath } from "../support/fakes.js";
import { useNock } from "../support/nock.js";

useNock();

interface RecordedSpan {
  name: string;
  kind?: string;
  parent?: RecordedSpan;
  status?: { status: string; error?: unknown };
  attributes: Record<string, unknown>;
  ended: boolean;
}

const SPAN = Symbol("span");

function context(values: Map<symbol, unknown> = new Map()): TracingContext {
  return {
    getValue: (key) => values.get(key),
    setValue: (key, value) => context(new Map(values).set(key, value)),
    deleteValue: (key) => {
      const next = new Map(values);
      next.delete(key);
      return context(next);
    },
  };
}

/** An instrumenter that records every span, its parent (from the context it was started in) and how it ended. */
function recordingInstrumenter(spans: RecordedSpan[]): Instrumenter {
  return {
    startSpan(name, options) {
      const parent = options.tracingContext?.getValue(SPAN) as RecordedSpan | undefined;
      const record: RecordedSpan = { name, attributes: { ...options.spanAttributes }, ended: false, ...(options.spanKind ? { kind: options.spanKind } : {}), ...(parent ? { parent } : {}) };
      spans.push(record);
      const span: TracingSpan = {
        setStatus: (status) => void (record.status = status),
        setAttribute: (key, value) => void (record.attributes[key] = value),
        end: () => void (record.ended = true),
        recordException: () => undefined,
        isRecording: () => true,
      };
      return { span, tracingContext: (options.tracingContext ?? context()).setValue(SPAN, record) };
    },
    withContext: (_context, callback, ...args) => callback(...args),
    parseTraceparentHeader: () => undefined,
    createRequestHeaders: () => ({}),
  };
}

let spans: RecordedSpan[];
beforeEach(() => {
  spans = [];
  useInstrumenter(recordingInstrumenter(spans));
});
afterEach(() => nock.cleanAll());

const opPath = `/subscriptions/${SUB}/providers/Microsoft.Compute/locations/westus/operations/op1`;

describe("tracing: one span per public operation, HTTP spans as its children", () => {
  it("apply() is one VmIdentityClient.applyIdentityChange span; its GET, PATCH, poll and read-back are its children", async () => {
    nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1), { etag: '"1"' })
      .patch(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, undefined, "Updating"), { "azure-asyncoperation": `${ARM}${opPath}?api-version=${API}` })
      .get(opPath).query(true).reply(200, { status: "Succeeded" })
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 2, { type: "SystemAssigned", principalId: "p", tenantId: "t" }));
    await fastClient().vm("rg", "vm1").enableSystemAssigned();
    const operation = spans.filter((s) => s.name === "VmIdentityClient.applyIdentityChange");
    expect(operation).toHaveLength(1);
    expect(operation[0]).toMatchObject({ ended: true, status: { status: "success" }, kind: "internal" });
    expect(operation[0]!.attributes["az.namespace"]).toBe("Microsoft.Compute");
    const http = spans.filter((s) => s.name.startsWith("HTTP "));
    expect(http.map((s) => s.name)).toEqual(["HTTP GET", "HTTP PATCH", "HTTP GET", "HTTP GET"]);
    expect(http.map((s) => [s.parent?.name, s.kind, s.ended])).toEqual(http.map(() => ["VmIdentityClient.applyIdentityChange", "client", true]));
  });

  it("a failed operation ends its span with an error status carrying the RestError", async () => {
    nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(404, { error: { code: "ResourceNotFound", message: "no VM" } });
    await fastClient().vm("rg", "vm1").getIdentity().catch(() => undefined);
    const [span] = spans.filter((s) => s.name === "VmIdentityClient.getIdentity");
    expect(span).toMatchObject({ ended: true, status: { status: "error", error: { name: "RestError", code: "ResourceNotFound" } } });
  });

  it("a caller's tracing context is the parent of the operation's span", async () => {
    nock(ARM).get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1));
    const outer: RecordedSpan = { name: "caller", attributes: {}, ended: false };
    await fastClient().vm("rg", "vm1").getIdentity({ tracingOptions: { tracingContext: context().setValue(SPAN, outer) } });
    expect(spans.find((s) => s.name === "VmIdentityClient.getIdentity")?.parent).toBe(outer);
  });

  it("a fleet is one span, with one child span per VM", async () => {
    nock(ARM).get(/virtualMachines\/vm[12]/).query(true).times(2).reply(200, vmBody("rg", "vm", 1, { type: "SystemAssigned", principalId: "p", tenantId: "t" }));
    await fastClient().vms([{ resourceGroup: "rg", name: "vm1" }, { resourceGroup: "rg", name: "vm2" }]).identity().enableSystemAssigned().apply();
    const [fleet] = spans.filter((s) => s.name === "VmIdentityClient.fleet.applyIdentityChange");
    const perVm = spans.filter((s) => s.parent === fleet);
    expect(perVm).toHaveLength(2);
    expect(fleet?.ended).toBe(true);
  });
});
