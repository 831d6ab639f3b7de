import { InvalidArgumentError } from "commander";

/** Parse a TCP port (1-65535); commander reports a bad one as a usage error. */
export function parsePort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`expected an integer from 1 to 65535, got "${value}".`);
  }
  return port;
}

/** Parse a TCP port for listening: 0 (any free port) to 65535. */
export function parseListenPort(value: string): number {
  if (value === "0") return 0;
  return parsePort(value);
}

/** Parse an OS type, any casing, to `Windows` or `Linux`. */
export function parseOs(value: string): "Windows" | "Linux" {
  const lower = value.toLowerCase();
  if (lower === "windows") return "Windows";
  if (lower === "linux") return "Linux";
  throw new InvalidArgumentError(`expected Windows or Linux, got "${value}".`);
}

/** Parse a non-empty value (an empty string usually means an unset shell variable). */
export function nonEmpty(what: string): (value: string) => string {
  return (value: string): string => {
    if (value.trim() === "") throw new InvalidArgumentError(`${what} must not be empty (is a shell variable unset?).`);
    return value;
  };
}

/** Collect a variadic option's values, also splitting `a,b` lists; repeated flags accumulate. */
export function collectList(what: string): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => {
    const items = value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
    if (items.length === 0) throw new InvalidArgumentError(`expected ${what}.`);
    return [...(previous ?? []), ...items];
  };
}
