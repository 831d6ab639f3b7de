import { Socket } from "node:net";
import nock from "nock";

// No test may reach the network: recordings are replayed by nock and the
// emulator listens on loopback only.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);

// nock passes loopback requests through to a real socket, and when such a
// request is aborted while that socket still connects, it removes the
// socket's listeners before destroying it: the cancelled connect then emits
// `connect ECANCELED` on a socket nobody listens to, which Node throws as an
// uncaught exception (a fleet aborted mid-run meets it every few runs). Without
// nock the pipeline's sockets always have a listener. Only that error, on a
// socket with no listener left, is dropped; every other error is emitted.
const emit = Socket.prototype.emit;
Socket.prototype.emit = function (this: Socket, event: string | symbol, ...args: unknown[]): boolean {
  const error = args[0] as NodeJS.ErrnoException | undefined;
  if (event === "error" && this.listenerCount("error") === 0 && error?.code === "ECANCELED" && error.syscall === "connect") return false;
  return Reflect.apply(emit, this, [event, ...args]) as boolean;
} as typeof Socket.prototype.emit;
