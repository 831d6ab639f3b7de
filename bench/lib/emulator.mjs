// Parent side of emulator-server.mjs: fork it, call its operations over IPC.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const SERVER = fileURLToPath(new URL("../emulator-server.mjs", import.meta.url));

/**
 * Start the emulator in a child process with `options` (FakeArmOptions).
 * Resolves to { endpoint, subscriptionId, subscriptionIds, credential, call(op, args), close() }.
 */
export async function startEmulator(options = {}) {
  const child = fork(SERVER, [JSON.stringify(options)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const pending = new Map();
  let nextId = 0;
  const ready = new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code} before it was ready`)));
    child.on("message", (message) => {
      if (message.ready) return resolve(message);
      const call = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) call?.reject(new Error(message.error));
      else call?.resolve(message.result);
    });
  });
  const { endpoint, subscriptionId, subscriptionIds, token } = await ready;
  child.removeAllListeners("exit");
  return {
    endpoint,
    subscriptionId,
    /** Every subscription served, the first one first. */
    subscriptionIds,
    /** A TokenCredential handing out the token the emulator accepts. */
    credential: { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000, tokenType: "Bearer" }) },
    call(op, args) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, op, args });
      });
    },
    close() {
      return new Promise((resolve) => {
        child.once("exit", resolve);
        child.disconnect();
      });
    },
  };
}
