import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import {
  type PipelineRequest,
  type PipelineResponse,
  createHttpHeaders,
  createPipelineRequest,
} from "@azure/core-rest-pipeline";
import { throttlingBackoffPolicy } from "../../src/index.js";
import { capture } from "../support/capture.js";
import { ARM, fastClient, vmBody, vmPath } from "../support/fakes.js";
import { useNock } from "../support/nock.js";

useNock();

afterEach(() => nock.cleanAll());

function respond(status: number, headers: Record<string, string> = {}) {
  return (request: PipelineRequest): PipelineResponse => ({ request, status, headers: createHttpHeaders(headers) });
}

describe("throttlingBackoffPolicy", () => {
  const request = createPipelineRequest({ url: "https://management.azure.com/x" });

  it("retries a 429 without Retry-After until it succeeds", async () => {
    const answers = [respond(429), respond(429), respond(200)];
    let calls = 0;
    const policy = throttlingBackoffPolicy({ retryDelayInMs: 1, maxRetryDelayInMs: 2 });
    const response = await policy.sendRequest(request, async (r) => answers[calls++]!(r));
    expect(response.status).toBe(200);
    expect(calls).toBe(3);
  });

  it("leaves a 429 with Retry-After to the default retry policy", async () => {
    let calls = 0;
    const policy = throttlingBackoffPolicy({ retryDelayInMs: 1 });
    const response = await policy.sendRequest(request, async (r) => (calls++, respond(429, { "retry-after": "1" })(r)));
    expect(response.status).toBe(429);
    expect(calls).toBe(1);
  });

  it("gives up after maxRetries and returns the last 429", async () => {
    let calls = 0;
    const policy = throttlingBackoffPolicy({ retryDelayInMs: 1, maxRetryDelayInMs: 1, maxRetries: 2 });
    const response = await policy.sendRequest(request, async (r) => (calls++, respond(429)(r)));
    expect(response.status).toBe(429);
    expect(calls).toBe(3);
  });

  it("does not touch other statuses", async () => {
    let calls = 0;
    const policy = throttlingBackoffPolicy({ retryDelayInMs: 1 });
    const response = await policy.sendRequest(request, async (r) => (calls++, respond(400)(r)));
    expect(response.status).toBe(400);
    expect(calls).toBe(1);
  });
});

describe("429 through the client", () => {
  it("is survived without Retry-After and with it", async () => {
    const scope = nock(ARM)
      .get(vmPath("rg", "vm1")).query(true).reply(429, { error: { code: "TooManyRequests", message: "slow down" } })
      .get(vmPath("rg", "vm1")).query(true).reply(429, { error: { code: "TooManyRequests", message: "slow down" } }, { "retry-after": "0" })
      .get(vmPath("rg", "vm1")).query(true).reply(200, vmBody("rg", "vm1", 1, { type: "SystemAssigned", principalId: "p", tenantId: "t" }));
    const seen = capture(scope);
    const identity = await fastClient().vm("rg", "vm1").getIdentity();
    expect(identity.type).toBe("SystemAssigned");
    expect(seen).toHaveLength(3);
    expect(scope.isDone()).toBe(true);
  });
});
