import type { HttpClient, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { createHttpHeaders } from "@azure/core-rest-pipeline";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { VmIdentityClient } from "../../src/client/VmIdentityClient.js";
import { planIdentityChange } from "../../src/core/planIdentityChange.js";
import { InvalidInputError } from "../../src/core/errors.js";

// Issue: arbitrary strings as subscription, group, VM, extension names, identity
// ids and resource ids either are refused with a coded error and no request, or
// produce a URL whose path is exactly the intended ARM path.

const SUB = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const HOST = "management.azure.com";
const COMPUTE = "2024-11-01";
const MANAGED_IDENTITY = "2024-11-30";
const RUNS = 300;

const credential = { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3600e3 }) };

/** A transport that records every URL and answers 200 `{}`. Nothing leaves the process. */
function recordingHttpClient(): HttpClient & { urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      urls.push(request.url);
      return {
        request,
        status: 200,
        headers: createHttpHeaders({ "x-ms-request-id": `req-${urls.length}`, "content-type": "application/json" }),
        bodyAsText: "{}",
      };
    },
  };
}

function newClient(subscriptionId = SUB, endpoint?: string): { client: VmIdentityClient; urls: string[] } {
  const httpClient = recordingHttpClient();
  const options = endpoint === undefined ? { httpClient } : { httpClient, endpoint };
  return { client: new VmIdentityClient(credential, subscriptionId, options), urls: httpClient.urls };
}

const tally = { tried: 0, refused: 0, accepted: 0 };
const byTarget: Record<string, { tried: number; refused: number; accepted: number }> = {};
function count(target: string, refused: boolean): void {
  const t = (byTarget[target] ??= { tried: 0, refused: 0, accepted: 0 });
  for (const c of [tally, t]) {
    c.tried++;
    if (refused) c.refused++;
    else c.accepted++;
  }
}

afterAll(() => {
  const lines = Object.entries(byTarget).map(([k, v]) => `  ${k}: ${v.tried} tried, ${v.refused} refused, ${v.accepted} accepted`);
  console.log(`hostile input: ${tally.tried} inputs tried, ${tally.refused} refused, ${tally.accepted} accepted\n${lines.join("\n")}`);
});

/** The path segments of a URL, percent-decoded, after checking nothing can escape the intended path. */
function checkedSegments(url: string, apiVersion: string): string[] {
  const parsed = new URL(url);
  expect(parsed.protocol).toBe("https:");
  expect(parsed.host).toBe(HOST);
  expect(parsed.username).toBe("");
  expect(parsed.password).toBe("");
  expect(parsed.hash).toBe("");
  expect(parsed.search).toBe(`?api-version=${apiVersion}`);
  // The raw URL, as built, already had this path: the parser resolved no dot segment.
  expect(url.slice(`https://${HOST}`.length).split("?")[0]).toBe(parsed.pathname);
  // No encoded slash, backslash, query, fragment or percent that a proxy could decode into structure.
  expect(parsed.pathname).not.toMatch(/%(2f|5c|3f|23|25)/i);
  const [lead, ...segments] = parsed.pathname.split("/");
  expect(lead).toBe("");
  const decoded = segments.map((s) => decodeURIComponent(s));
  for (const segment of decoded) {
    expect(segment).not.toBe("");
    expect(segment).not.toBe(".");
    expect(segment).not.toBe("..");
  }
  return decoded;
}

const vmSegments = (rg: string, name: string, sub = SUB): string[] => [
  "subscriptions", sub, "resourceGroups", rg, "providers", "Microsoft.Compute", "virtualMachines", name,
];
const uaiSegments = (rg: string, name: string): string[] => [
  "subscriptions", SUB, "resourceGroups", rg, "providers", "Microsoft.ManagedIdentity", "userAssignedIdentities", name,
];

/**
 * Run `act` on a hostile input: it must either throw InvalidInputError with a
 * string code and send nothing, or send exactly `requests` requests whose
 * decoded path segments are `expected`.
 */
async function refusedOrExact(
  target: string,
  urls: string[],
  act: () => Promise<unknown>,
  expected: () => string[],
  apiVersion = COMPUTE,
): Promise<void> {
  const before = urls.length;
  let error: unknown;
  try {
    await act();
  } catch (e) {
    error = e;
  }
  if (error !== undefined) {
    count(target, true);
    expect(error, String(error)).toBeInstanceOf(InvalidInputError);
    expect(typeof (error as InvalidInputError).code).toBe("string");
    expect((error as InvalidInputError).code.length).toBeGreaterThan(0);
    expect(urls.length, "a refused input sent a request").toBe(before);
    return;
  }
  count(target, false);
  const sent = urls.slice(before);
  expect(sent).toHaveLength(1);
  expect(checkedSegments(sent[0]!, apiVersion)).toEqual(expected());
}

// ---------------------------------------------------------------------------
// Hostile strings
// ---------------------------------------------------------------------------

const NASTY = [
  "", ".", "..", "...", "a/b", "/", "//", "a\\b", "\\", "a%2Fb", "%2F", "%2f", "%2e%2e", "%252F", "%", "%zz",
  "?x=1", "a?b", "#f", "a#b", "@evil.com", "a@evil.com", "evil.com/", "//evil.com", "http://evil.com", "https:", ":80",
  "\u0000", "a\u0000b", "\n", "a\r\nb", "\t", " ", " a", "a ", "\u00a0", "\u2028", "\u200b", "\ufeff", "\u202e",
  "\ud800", "a\udfffb", "😀", "é", "e\u0301", "ＡＢＣ", "／", "．．", "\uff0f", "%ef%bc%8f",
  "../../subscriptions", "a/../b", "./a", "a/.", "..%2f", ".%2e", "()", "(.)", "a.", "a-", "-a", "_a", "a_b", "a'b", "a\"b",
  "x".repeat(64), "x".repeat(65), "x".repeat(90), "x".repeat(91), "x".repeat(128), "x".repeat(129), "a/".repeat(5000),
  "toString", "__proto__", "constructor", "null", "undefined",
];

/** UTF-16 code units in any combination, lone surrogates included. */
const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 });
/** Mostly name-like strings with hostile characters mixed in: the ones most likely to be accepted. */
const PIECES = [
  "a", "Z", "0", "9", "-", "_", ".", "(", ")", "é", "日", "😀", "/", "\\", "?", "#", "%", "%2F", "@", ":", " ", "..",
  "\u0000", "\ud800", "\u200b", "'", "~", "!", "*",
];
const nameLike = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 10 }).map((p) => p.join(""));

const hostile: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  utf16,
  { arbitrary: nameLike, weight: 3 },
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_().-]{0,20}$/), weight: 2 },
);

/** Valid-looking names in several scripts (with the punctuation some validators allow): exercise the accepted path. */
const LETTERS = ["a", "Z", "0", "7", "é", "ß", "日", "Ж", "٣", "Ⅻ", "²", "😀"];
const validish = fc
  .array(fc.oneof({ arbitrary: fc.constantFrom(...LETTERS), weight: 8 }, fc.constantFrom("-", "_", ".", "(", ")")), { minLength: 1, maxLength: 14 })
  .map((p) => p.join(""));
/** Hostile or plausible, about evenly. */
const nameArb = fc.oneof(hostile, validish);

const options = { numRuns: RUNS };
/** Every hand-made nasty string is tried on every run, before the random ones. */
function withExamples<T>(examples: T[]): { numRuns: number; examples: T[] } {
  return { numRuns: RUNS + examples.length, examples }; // examples come on top of RUNS random inputs
}
const one = withExamples(NASTY.map((s): [string] => [s]));
const pair = (left: string, right: string) =>
  withExamples(
    NASTY.flatMap((s): [string, string][] => [
      [s, right],
      [left, s],
    ]),
  );

describe("hostile names never escape the intended ARM path", () => {
  it("subscription id", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostile, fc.uuid(), fc.uuid().map((u) => `${u}/x`)), async (sub) => {
        let created: ReturnType<typeof newClient> | undefined;
        try {
          created = newClient(sub);
        } catch (e) {
          count("subscription id", true);
          expect(e).toBeInstanceOf(InvalidInputError);
          expect((e as InvalidInputError).code).toBe("InvalidSubscriptionId");
          return;
        }
        const { client, urls } = created;
        await refusedOrExact("subscription id", urls, () => client.vm("rg", "vm").getIdentity(), () => vmSegments("rg", "vm", sub));
      }),
      one,
    );
  });

  it("resource group and VM name", async () => {
    const { client, urls } = newClient();
    await fc.assert(
      fc.asyncProperty(fc.oneof(nameArb, fc.constant("rg")), fc.oneof(nameArb, fc.constant("vm")), async (rg, name) => {
        await refusedOrExact("resource group + VM name", urls, () => client.vm(rg, name).getIdentity(), () => vmSegments(rg, name));
      }),
      pair("rg", "vm"),
    );
  });

  it("extension name", async () => {
    const { client, urls } = newClient();
    const vm = client.vm("rg", "vm");
    await fc.assert(
      fc.asyncProperty(nameArb, async (name) => {
        await refusedOrExact("extension name", urls, () => vm.msiExtension.get({ name }), () => [...vmSegments("rg", "vm"), "extensions", name]);
      }),
      one,
    );
  });

  it("user-assigned identity group and name", async () => {
    const { client, urls } = newClient();
    await fc.assert(
      fc.asyncProperty(fc.oneof(nameArb, fc.constant("rg")), nameArb, async (rg, name) => {
        await refusedOrExact(
          "identity group + name",
          urls,
          () => client.userAssignedIdentity(rg, name).get(),
          () => uaiSegments(rg, name),
          MANAGED_IDENTITY,
        );
      }),
      pair("rg", "my-identity"),
    );
  });

  it("VM resource id", async () => {
    const { client, urls } = newClient();
    const shaped = fc
      .tuple(fc.oneof(fc.constant(SUB), fc.constant(SUB.toUpperCase()), hostile), fc.oneof(nameArb, fc.constant("rg")), nameArb, fc.constantFrom("resourceGroups", "resourcegroups", "RESOURCEGROUPS"))
      .map(([sub, rg, name, rgs]) => `/subscriptions/${sub}/${rgs}/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostile, { arbitrary: shaped, weight: 3 }), async (id) => {
        await refusedOrExact(
          "VM resource id",
          urls,
          async () => client.vm(id).getIdentity(),
          () => {
            // Accepted only in the canonical shape; the client's subscription spelling is used.
            const parts = id.split("/");
            expect(parts).toHaveLength(9);
            return vmSegments(parts[4]!, parts[8]!);
          },
        );
      }),
      withExamples(
        NASTY.flatMap((s): [string][] => [
          [s],
          [`/subscriptions/${SUB}/resourceGroups/${s}/providers/Microsoft.Compute/virtualMachines/vm`],
          [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${s}`],
        ]),
      ),
    );
  });
});

describe("hostile user-assigned identity ids", () => {
  const shapedUai = fc
    .tuple(fc.oneof(nameArb, fc.constant("rg")), nameArb)
    .map(([rg, name]) => `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`);

  it("are refused with a coded error, or become exactly one key of the PATCH body (pure core)", () => {
    fc.assert(
      fc.property(fc.oneof(hostile, { arbitrary: shapedUai, weight: 3 }), (id) => {
        let plan: ReturnType<typeof planIdentityChange>;
        try {
          plan = planIdentityChange({ type: "None", userAssigned: [] }, [{ op: "assignUserAssigned", ids: [id] }]);
        } catch (e) {
          count("identity id (planner)", true);
          expect(e).toBeInstanceOf(InvalidInputError);
          expect((e as InvalidInputError).code).toBe("InvalidUserAssignedIdentityId");
          return;
        }
        count("identity id (planner)", false);
        expect(plan.patch).toEqual({ identity: { type: "UserAssigned", userAssignedIdentities: { [id]: {} } } });
        expect(Object.keys(JSON.parse(JSON.stringify(plan.patch)).identity.userAssignedIdentities)).toEqual([id]);
        const parts = id.split("/");
        expect(parts).toHaveLength(9);
        for (const part of parts.slice(1)) expect(part).not.toMatch(/^\.*$|[?#%\\\s]/u);
      }),
      withExamples(
        NASTY.flatMap((s): [string][] => [
          [s],
          [`/subscriptions/${SUB}/resourceGroups/${s}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/my-identity`],
          [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${s}`],
        ]),
      ),
    );
  });

  it("through the client, the only request before the refusal is the VM read, and the write never goes", async () => {
    const { client, urls } = newClient();
    const vm = client.vm("rg", "vm");
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostile, shapedUai), async (id) => {
        const before = urls.length;
        try {
          await vm.identity().assignUserAssigned(id).plan();
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidInputError);
          expect(urls.slice(before).every((u) => checkedSegments(u, COMPUTE).join("/") === vmSegments("rg", "vm").join("/"))).toBe(true);
          return;
        }
        expect(urls.length - before).toBe(1);
      }),
      { numRuns: 100 },
    );
  });

  // Input errors are thrown before any request: the builder checks ids as they are given.
  it("refuses a malformed id before any request", async () => {
    const { client, urls } = newClient();
    expect(() => client.vm("rg", "vm").identity().assignUserAssigned("not-an-id")).toThrow(InvalidInputError);
    expect(() => client.vms([{ resourceGroup: "rg", name: "vm" }]).identity().removeUserAssigned("/x")).toThrow(InvalidInputError);
    expect(urls).toEqual([]);
  });
});

describe("hostile endpoints", () => {
  const urlish = fc.oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.webUrl(),
    fc.tuple(fc.constantFrom("http://", "https://", "HTTPS://", "ftp://", "//", "http:/", ""), fc.constantFrom(
      "127.0.0.1", "127.255.0.9:81", "localhost", "LOCALHOST:3000", "[::1]", "[::1]:8080", "127.0.0.1.evil.com", "localhost.evil.com",
      "0x7f.1", "2130706433", "[::ffff:127.0.0.1]", "10.0.0.1", HOST, `${HOST}:443`, `user:pw@${HOST}`, `${HOST}@evil.com`, "evil.com",
      `${HOST}/`, `${HOST}/x`, `${HOST}?q`, `${HOST}#f`, `${HOST}/..`, `${HOST}\\evil.com`, `${HOST}%2F`, "",
    )).map(([scheme, rest]) => scheme + rest),
  );

  it("are refused unless https, or http to a loopback host", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostile, urlish), async (endpoint) => {
        let created: ReturnType<typeof newClient>;
        try {
          created = newClient(SUB, endpoint);
        } catch (e) {
          count("endpoint", true);
          expect(e).toBeInstanceOf(InvalidInputError);
          expect((e as InvalidInputError).code).toBe("InvalidEndpoint");
          return;
        }
        count("endpoint", false);
        const given = new URL(endpoint);
        const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(given.hostname);
        expect(given.protocol === "https:" || (given.protocol === "http:" && loopback), endpoint).toBe(true);
        expect(given.username + given.password).toBe("");
        const { client, urls } = created;
        expect(client.endpoint).toBe(given.origin);
        if (given.protocol !== "https:") return;
        // Requests go to that origin and nowhere else.
        await client.vm("rg", "vm").getIdentity();
        expect(urls).toHaveLength(1);
        const sent = new URL(urls[0]!);
        expect(sent.origin).toBe(given.origin);
        expect(sent.pathname).toBe(`/${vmSegments("rg", "vm").join("/")}`);
      }),
      one,
    );
  });
});
