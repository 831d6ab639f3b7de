/** The node:http plumbing: reading requests, writing outcomes, closing sockets. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RawRequest } from "./pipeline.js";
import type { ArmResponse, Outcome } from "./response.js";

/** A listening server. */
export interface ListeningServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Stops listening and destroys every connection, hung requests included. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:`port` (0 for an ephemeral port) and hands each request to `handle`. */
export async function listen(port: number, handle: (raw: RawRequest) => Outcome): Promise<ListeningServer> {
  let origin = "";
  const server = createServer((req, res) => {
    void serve(req, res);
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch {
      return; // The client went away while sending.
    }
    let outcome: Outcome;
    try {
      outcome = handle({
        method: (req.method ?? "GET").toUpperCase(),
        // Joined rather than resolved: a path starting with "//" must not become a host.
        url: new URL(req.url?.startsWith("/") ? origin + req.url : (req.url ?? "/"), origin),
        headers: flattenHeaders(req),
        rawBody,
      });
    } catch (err) {
      outcome = { kind: "respond", response: { status: 500, body: `ARM emulator failure: ${String(err)}` } };
    }
    if (outcome.kind === "reset") req.socket.resetAndDestroy();
    else if (outcome.kind === "respond") send(res, outcome.response);
    // "hang": leave the request open; close() destroys the socket.
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        // Resolves on a second close too (the callback then gets ERR_SERVER_NOT_RUNNING).
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function send(res: ServerResponse, { status, headers = {}, body }: ArmResponse): void {
  const out: Record<string, string> = { ...headers };
  let payload = "";
  if (body !== undefined && status !== 204 && status !== 304) {
    const isText = typeof body === "string";
    payload = isText ? body : JSON.stringify(body);
    out["content-type"] ??= isText ? "text/plain; charset=utf-8" : "application/json; charset=utf-8";
  }
  out["content-length"] = String(Buffer.byteLength(payload));
  res.writeHead(status, out);
  res.end(payload);
}
