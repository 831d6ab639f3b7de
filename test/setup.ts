import { ClientRequest } from "node:http";
import { Socket } from "node:net";
import nock from "nock";

// No test may reach the network: recordings are replayed by nock and the
// emulator listens on loopback only.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);

// nock passes loopback requests through to a real socket. When such a
// request is aborted while that socket still connects, the cancelled connect
// reports `connect ECANCELED` after everyone stopped listening: on the real
// socket, whose listeners nock removed, or on the request, whose one-shot
// error listener the abort already used. Node throws an error nobody listens
// to as an uncaught exception (a fleet aborted mid-run meets it every few
// runs). Without nock the pipeline's sockets and requests always have a
// listener. Only that error, where no listener is left, is dropped; every
// other error is emitted.
for (const proto of [Socket.prototype, ClientRequest.prototype] as Array<{ emit(event: string | symbol, ...args: unknown[]): boolean; listenerCount(event: string): number }>) {
  const emit = proto.emit;
  proto.emit = function (this: typeof proto, event: string | symbol, ...args: unknown[]): boolean {
    const error = args[0] as NodeJS.ErrnoException | undefined;
    if (event === "error" && this.listenerCount("error") === 0 && error?.code === "ECANCELED" && error.syscall === "connect") return false;
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  };
}
