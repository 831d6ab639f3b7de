const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Whether a host name is the local machine (the emulator listens there). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOST.test(hostname);
}

/** Whether the endpoint is a plain-http loopback one (the emulator); real ARM is https. */
export function isLoopbackEndpoint(endpoint: string): boolean {
  try {
    const { protocol, hostname } = new URL(endpoint);
    return protocol === "http:" && isLoopbackHost(hostname);
  } catch {
    return false;
  }
}
