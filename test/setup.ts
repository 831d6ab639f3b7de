import { ClientRequest } from "node:http";
import { Socket } from "node:net";
import nock from "nock";

// No test may reach the network: recordings are replayed by nock and the
// emulator listens on loopback only.
//
// nock intercepts only in the files that ask for it (`useNock()` from
// test/support/nock.ts). Elsewhere every request goes to the emulator, and
// nock's interception of each one (it hands loopback requests through to a
// real socket) only cost time: about a fifth of the CPU of the emulator's
// files. Those files are held to loopback by a guard on the socket instead,
// which refuses any other host before a DNS lookup. A worker runs many files
// (isolate: false), so this runs before each: nock is switched off here, and
// on again by the file that uses it.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
if (nock.isActive()) nock.restore();

const LOOPBACK = /^(127\.0\.0\.1|localhost|::1)$/i;
const guarded = Symbol.for("azure-vm-identity.test.loopbackOnly");
type Connect = (this: Socket, ...args: unknown[]) => Socket;
const socketProto = Socket.prototype as unknown as { connect: Connect; [guarded]?: true };
if (!socketProto[guarded]) {
  socketProto[guarded] = true;
  const connect = socketProto.connect;
  socketProto.connect = function (this: Socket, ...args: unknown[]): Socket {
    // net.connect passes [options, listener] as one array; socket.connect(options | port, host?, listener?) otherwise.
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const target = typeof first === "object" && first !== null ? (first as { host?: string; port?: number; path?: string }) : { port: Number(first), host: typeof args[1] === "string" ? args[1] : undefined };
    const host = target.host ?? "localhost";
    if (target.path === undefined && !LOOPBACK.test(host)) {
      const error = Object.assign(new Error(`Tests may not reach the network: connect to ${host}:${target.port} refused (only loopback is open)`), { code: "ENETUNREACH", syscall: "connect", address: host, port: target.port });
      process.nextTick(() => this.destroy(error));
      return this;
    }
    return Reflect.apply(connect, this, args) as Socket;
  };
}

// nock passes loopback requests through to a real socket. When such a
// request is aborted while that socket still connects, the cancelled connect
// reports `connect ECANCELED` after everyone stopped listening: on the real
// socket, whose listeners nock removed, or on the request, whose one-shot
// error listener the abort already used. Node throws an error nobody listens
// to as an uncaught exception (a fleet aborted mid-run meets it every few
// runs). Without nock the pipeline's sockets and requests always have a
// listener. Only that error, where no listener is left, is dropped; every
// other error is emitted.
const patched = Symbol.for("azure-vm-identity.test.orphanedEcanceled");
for (const proto of [Socket.prototype, ClientRequest.prototype] as unknown as Array<{ emit(event: string | symbol, ...args: unknown[]): boolean; listenerCount(event: string): number; [patched]?: true }>) {
  if (proto[patched]) continue;
  proto[patched] = true;
  const emit = proto.emit;
  proto.emit = function (this: typeof proto, event: string | symbol, ...args: unknown[]): boolean {
    const error = args[0] as NodeJS.ErrnoException | undefined;
    if (event === "error" && this.listenerCount("error") === 0 && error?.code === "ECANCELED" && error.syscall === "connect") return false;
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  };
}
