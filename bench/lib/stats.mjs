export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** µs of CPU (user + system) this process spent in `fn`. */
export async function cpuMicros(fn) {
  const before = process.cpuUsage();
  await fn();
  const { user, system } = process.cpuUsage(before);
  return user + system;
}
