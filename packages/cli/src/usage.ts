import type { Command } from "commander";

/** The full name of a command, e.g. `vm-identity extension install`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** The one-line usage of a command, e.g. `Usage: vm-identity show (-g RG -n VM | --ids ID) [options]`. */
export function usageLine(command: Command): string {
  return `Usage: ${commandPath(command)} ${command.usage()}`;
}

/** Where to read more, e.g. `Run "vm-identity show --help" for details.` */
export function helpHint(command: Command): string {
  return `Run "${commandPath(command)} --help" for details.`;
}
