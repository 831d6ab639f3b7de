/**
 * The `afterRecord` sanitizer for nock.back recordings of ARM traffic.
 *
 * A live recording holds things that must never be committed: the bearer
 * token (in the request's `Authorization` header, and whole token responses
 * if the credential's own HTTP calls were recorded), the subscription id, and
 * the tenant, principal and client ids of the identities involved. This module
 * turns recorded definitions into committable ones:
 *
 * - definitions for hosts other than ARM (the token endpoint, IMDS, ...) are dropped;
 * - request headers are reduced to the ones replay should match on
 *   (`content-type`, `if-match`, `if-none-match`), so `authorization`,
 *   correlation and client request ids never reach the file;
 * - compressed response bodies are decoded to JSON (so ids in them can be
 *   replaced) and `content-length`/`transfer-encoding`/cookies are dropped
 *   (replay re-serialises the body, so a recorded length would be wrong);
 * - every subscription id becomes `00000000-0000-0000-0000-000000000000`, the
 *   tenant `aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa`, principal ids
 *   `bbbbbbbb-bbbb-bbbb-bbbb-<n>` and client ids `cccccccc-cccc-cccc-cccc-<n>`,
 *   numbered by first appearance; each real id is replaced wherever it occurs
 *   (paths, URLs in headers, map keys, bodies);
 * - anything left that looks like a bearer token or a JWT is redacted, and
 *   secret-bearing body fields (`adminPassword`, `protectedSettings`, ...) too;
 * - any literal the caller names (`replacements`, e.g. a real SSH public key)
 *   is replaced by its fake.
 *
 * Ids that are already fake are kept, so sanitizing is idempotent: every
 * committed fixture is a fixed point (checked by the hygiene test).
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";

/** One nock.back definition, as nock 14 records it (`output_objects: true`). */
export interface RecordedDefinition {
  scope: string;
  method: string;
  path: string;
  body?: unknown;
  status?: number;
  response?: unknown;
  /** nock 14 records an object (lower-case names); older nock recorded a flat `[name, value, ...]` array. */
  rawHeaders?: Record<string, string> | string[];
  headers?: Record<string, string>;
  reqheaders?: Record<string, string>;
  responseIsBinary?: boolean;
  [key: string]: unknown;
}

export interface SanitizeOptions {
  /** The real subscription id(s) recorded against (e.g. AZURE_SUBSCRIPTION_ID). Any other GUID after `/subscriptions/` is faked too. */
  subscriptionIds?: readonly string[];
  /** Hosts whose traffic is kept. Default: the public and sovereign ARM hosts. */
  armHosts?: readonly string[];
  /**
   * Other literal values to replace, as `[real, fake]` pairs: e.g. the SSH
   * public key a live VM create needed, written to the fixture as the fake key
   * the replayed test sends.
   */
  replacements?: readonly (readonly [string, string])[];
}

export const FAKE_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";
export const FAKE_TENANT_ID = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
export const DEFAULT_ARM_HOSTS: readonly string[] = Object.freeze([
  "management.azure.com",
  "management.chinacloudapi.cn",
  "management.usgovcloudapi.net",
]);

/** Request headers kept in a fixture: the ones whose value replay must match. */
export const KEPT_REQUEST_HEADERS: readonly string[] = Object.freeze(["content-type", "if-match", "if-none-match"]);
const DROPPED_RESPONSE_HEADERS = new Set(["content-length", "transfer-encoding", "content-encoding", "set-cookie", "authorization", "www-authenticate"]);
const SECRET_FIELDS = new Set(["adminpassword", "protectedsettings", "customdata", "access_token", "refresh_token", "id_token", "client_secret"]);

const GUID_SOURCE = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const GUID = new RegExp(`^${GUID_SOURCE}$`);
const SUBSCRIPTION_IN_TEXT = new RegExp(`/subscriptions/(${GUID_SOURCE})`, "gi");
/**
 * A fake id: one hex digit repeated through the first four groups (the fourth
 * may end in two decimal digits, a fixture number), and the last group the
 * same digit repeated or a decimal counter.
 */
const FAKE_GUID = /^([0-9a-f])\1{7}-\1{4}-\1{4}-\1{2}(?:\1{2}|\d{2})-(?:\1{12}|\d{12})$/i;
/** A subscription id the hygiene test accepts: one hex digit repeated throughout. */
const FAKE_SUBSCRIPTION = /^([0-9a-f])\1{7}-\1{4}-\1{4}-\1{4}-\1{12}$/i;
const BEARER = /Bearer\s+[A-Za-z0-9\-._~+/]+=*/gi;
const JWT = /eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}/g;

/** Whether a GUID is one of the recognisable fakes (never a real id). */
export function isFakeGuid(value: string): boolean {
  return FAKE_GUID.test(value);
}

/** Whether a subscription id is an allowed fake (`00000000-...`, `11111111-...`, ...). */
export function isFakeSubscriptionId(value: string): boolean {
  return FAKE_SUBSCRIPTION.test(value);
}

type Kind = "subscription" | "tenant" | "principal" | "client";

const counter = (n: number): string => String(n).padStart(12, "0");
const FAKE_OF: Record<Kind, (n: number) => string> = {
  subscription: (n) => {
    const digit = "0123456789abcdef"[n - 1] ?? "f";
    return `${digit.repeat(8)}-${digit.repeat(4)}-${digit.repeat(4)}-${digit.repeat(4)}-${digit.repeat(12)}`;
  },
  tenant: (n) => (n === 1 ? FAKE_TENANT_ID : `aaaaaaaa-aaaa-aaaa-aaaa-${counter(n)}`),
  principal: (n) => `bbbbbbbb-bbbb-bbbb-bbbb-${counter(n)}`,
  client: (n) => `cccccccc-cccc-cccc-cccc-${counter(n)}`,
};
const KIND_OF_FIELD: Record<string, Kind> = {
  tenantid: "tenant",
  principalid: "principal",
  objectid: "principal",
  clientid: "client",
  subscriptionid: "subscription",
};

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function hostOf(scope: string): string | undefined {
  try {
    return new URL(scope).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function headerObject(raw: RecordedDefinition["rawHeaders"]): Record<string, string> {
  if (Array.isArray(raw)) {
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < raw.length; i += 2) out[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
    return out;
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  return out;
}

function parseText(text: string): unknown {
  if (text === "") return "";
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Undo `content-encoding` on a recorded body (nock records encoded bodies as hex chunks). */
function decodeBody(response: unknown, encoding: string | undefined, binary: boolean | undefined): unknown {
  const codings = (encoding ?? "").toLowerCase().split(",").map((c) => c.trim()).filter((c) => c && c !== "identity");
  const hexChunks = Array.isArray(response) && response.every((c) => typeof c === "string") ? (response as string[]) : typeof response === "string" && binary ? [response] : undefined;
  if (codings.length === 0) {
    return binary && typeof response === "string" ? parseText(Buffer.from(response, "hex").toString("utf8")) : response;
  }
  if (!hexChunks) return response;
  let buffer = Buffer.concat(hexChunks.map((c) => Buffer.from(c, "hex")));
  for (const coding of [...codings].reverse()) {
    if (coding === "gzip" || coding === "x-gzip") buffer = gunzipSync(buffer);
    else if (coding === "deflate") buffer = inflateSync(buffer);
    else if (coding === "br") buffer = brotliDecompressSync(buffer);
    else throw new Error(`sanitize: cannot decode content-encoding ${coding}`);
  }
  return parseText(buffer.toString("utf8"));
}

function redactSecretFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecretFields);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_FIELDS.has(key.toLowerCase()) ? "REDACTED" : redactSecretFields(v);
  }
  return out;
}

/**
 * Sanitizes recordings, remembering which real id became which fake so the
 * same mapping can be applied to other values (a test's result while recording).
 */
export class RecordingSanitizer {
  private readonly fakes = new Map<string, string>();
  private readonly used: Record<Kind, Set<string>> = { subscription: new Set(), tenant: new Set(), principal: new Set(), client: new Set() };
  private readonly armHosts: Set<string>;
  private readonly replacements: readonly (readonly [string, string])[];

  constructor(options: SanitizeOptions = {}) {
    this.armHosts = new Set((options.armHosts ?? DEFAULT_ARM_HOSTS).map((h) => h.toLowerCase()));
    // JSON-escaped, since they are replaced in serialised JSON; longest first so no pair splits another.
    this.replacements = (options.replacements ?? [])
      .filter(([real, fake]) => real.length > 0 && real !== fake)
      .map(([real, fake]) => [JSON.stringify(real).slice(1, -1), JSON.stringify(fake).slice(1, -1)] as const)
      .sort((a, b) => b[0].length - a[0].length);
    for (const id of options.subscriptionIds ?? []) {
      if (id && GUID.test(id)) this.note("subscription", id);
    }
  }

  /** The real-to-fake id mapping so far (lower-case real ids). */
  get mapping(): ReadonlyMap<string, string> {
    return this.fakes;
  }

  /** What `afterRecord` returns: the definitions, safe to commit. */
  definitions(recorded: readonly RecordedDefinition[] | string): RecordedDefinition[] {
    if (typeof recorded === "string") throw new Error("sanitize: record with output_objects: true (nock.back does by default)");
    const kept = recorded.filter((def) => {
      const host = hostOf(def.scope);
      return host !== undefined && this.armHosts.has(host);
    });
    const cleaned = kept.map((def) => this.cleanDefinition(def));
    return this.value(cleaned);
  }

  /** Apply the id mapping (extended by any new ids found) and token redaction to any JSON value. */
  value<T>(value: T): T {
    if (value === undefined) return value;
    this.collect(value, undefined);
    let text = JSON.stringify(value);
    for (const [real, fake] of this.replacements) text = text.split(real).join(fake);
    for (const [real, fake] of this.fakes) {
      if (real !== fake) text = text.replace(new RegExp(escapeRegExp(real), "gi"), fake);
    }
    text = text.replace(BEARER, "REDACTED").replace(JWT, "REDACTED");
    return JSON.parse(text) as T;
  }

  private cleanDefinition(def: RecordedDefinition): RecordedDefinition {
    const headers = headerObject(def.rawHeaders ?? def.headers);
    const response = decodeBody(def.response, headers["content-encoding"], def.responseIsBinary);
    const rawHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (!DROPPED_RESPONSE_HEADERS.has(name)) rawHeaders[name] = value;
    }
    const out: RecordedDefinition = {
      scope: def.scope,
      method: def.method,
      path: def.path,
      body: redactSecretFields(def.body ?? ""),
      status: def.status ?? 200,
      response: redactSecretFields(response ?? ""),
      rawHeaders,
    };
    const reqheaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(def.reqheaders ?? {})) {
      if (KEPT_REQUEST_HEADERS.includes(name.toLowerCase())) reqheaders[name.toLowerCase()] = String(value);
    }
    if (Object.keys(reqheaders).length > 0) out.reqheaders = reqheaders;
    out.responseIsBinary = false;
    return out;
  }

  private note(kind: Kind, id: string): void {
    const real = id.toLowerCase();
    if (this.fakes.has(real)) return;
    if (isFakeGuid(real)) {
      this.fakes.set(real, real);
      this.used[kind].add(real);
      return;
    }
    let n = 1;
    while (this.used[kind].has(FAKE_OF[kind](n)) || this.fakes.has(FAKE_OF[kind](n))) n++;
    const fake = FAKE_OF[kind](n);
    this.used[kind].add(fake);
    this.fakes.set(real, fake);
  }

  /** Walk a value in order, noting ids by the field that holds them and subscriptions in any text. */
  private collect(value: unknown, field: string | undefined): void {
    if (typeof value === "string") {
      for (const match of value.matchAll(SUBSCRIPTION_IN_TEXT)) this.note("subscription", match[1]!);
      const kind = field === undefined ? undefined : KIND_OF_FIELD[field.toLowerCase()];
      if (kind && GUID.test(value)) this.note(kind, value);
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) this.collect(item, undefined);
      return;
    }
    if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        this.collect(key, undefined);
        this.collect(item, key);
      }
    }
  }
}

/** Sanitize recorded definitions in one go. */
export function sanitizeDefinitions(recorded: readonly RecordedDefinition[], options: SanitizeOptions = {}): RecordedDefinition[] {
  return new RecordingSanitizer(options).definitions(recorded);
}

/**
 * An `afterRecord` hook for nock.back:
 * `nock.back(name, { afterRecord: afterRecord({ subscriptionIds: [process.env.AZURE_SUBSCRIPTION_ID!] }) })`.
 */
export function afterRecord(options: SanitizeOptions = {}): (recorded: RecordedDefinition[]) => RecordedDefinition[] {
  return (recorded) => sanitizeDefinitions(recorded, options);
}
