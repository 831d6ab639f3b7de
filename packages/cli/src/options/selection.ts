import { type Command, InvalidArgumentError } from "commander";
import { collectList, nonEmpty } from "./parsers.js";

/** The options that select many VMs without naming each, as commander parsed them. */
export interface SelectionOptions {
  /** `--subscriptions`: names or ids, as `--subscription` takes them. */
  subscriptions?: string[];
  /** `--tag key=value`, repeatable: every tag must match. */
  tag?: Record<string, string>;
  /** `--location`: only VMs in this region. */
  location?: string;
  /** `--graph-query`: a Resource Graph (KQL) query whose rows' `id` name the VMs. */
  graphQuery?: string;
  /** `--journal FILE` (writes only). */
  journal?: string;
  /** `--shard K/N`. */
  shard?: string;
}

/** Collect `--tag key=value` into one object; the flag repeats. */
export function collectTag(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0 || value.slice(0, eq).trim() === "") throw new InvalidArgumentError(`expected key=value, e.g. --tag env=prod, got "${value}".`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1) };
}

/**
 * Add the options that select VMs without naming each one (`-g` without a VM
 * name is the resource group's VMs; see {@link resolveVmTargets}):
 * `--subscriptions`, `--tag`, `--location`, `--graph-query`, `--shard`, and
 * for commands that write, `--journal`.
 */
export function addSelectionOptions(command: Command, { writes, what = "VM" }: { writes: boolean; what?: "VM" | "VM and scale set" }): Command {
  const many = what === "VM" ? "VMs" : "VMs and scale sets";
  command
    .option(
      "--subscriptions <name-or-id...>",
      `every ${what} of these subscriptions (names or ids, as --subscription takes them)`,
      collectList("a subscription name or id"),
    )
    .option("--tag <key=value>", `only the ${many} with this tag (repeatable: every tag must match); with -g or --subscriptions`, collectTag)
    .option("--location <location>", `only the ${many} in this region, e.g. westeurope; with -g or --subscriptions`, nonEmpty("--location"))
    .option(
      "--graph-query <kql>",
      `every ${what} whose id a Resource Graph query returns, e.g. "resources | where tags.env == 'prod'" (--query takes one too)`,
      nonEmpty("--graph-query"),
    );
  if (writes) {
    command.option("--journal <file>", `record each ${what}'s outcome in this file; a rerun with the same file skips those done`, nonEmpty("--journal"));
  }
  return command.option("--shard <K/N>", `only the Kth of N shares of the ${many} (split by resource id), e.g. 2/4 on the second of four machines`, nonEmpty("--shard"));
}
