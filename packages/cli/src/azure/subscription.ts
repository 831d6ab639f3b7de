import { UsageError } from "../errors.js";
import type { ResolvedGlobals } from "../options/global.js";
import type { CliProfile, CliSubscription } from "./cliProfile.js";

/** A subscription id: a GUID. Anything else given as a subscription is a name. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` has the form of a subscription id. */
export function isSubscriptionId(value: string): boolean {
  return GUID.test(value);
}

/** The subscription a run uses when its target does not name one. */
export interface ChosenSubscription {
  id: string;
  /** The Azure CLI's entry for it (its name, tenant and cloud), when its profile has one. */
  entry?: CliSubscription;
  /** `given`: an id; `name`: a name looked up in the profile; `default`: the profile's default. */
  how: "given" | "name" | "default";
}

/** The profile's entry for a subscription id, if any. */
export function profileEntry(profile: CliProfile, id: string): CliSubscription | undefined {
  return profile.subscriptions?.find((s) => s.id.toLowerCase() === id.toLowerCase());
}

/**
 * Choose the subscription: the one asked for by id; by name, looked up in
 * the Azure CLI's profile (an unknown or ambiguous name is a usage error that
 * names it); else the profile's default one (`az account set`).
 */
export function chooseSubscription(asked: ResolvedGlobals["subscription"], profile: CliProfile): ChosenSubscription {
  if (asked && isSubscriptionId(asked.value)) {
    const entry = profileEntry(profile, asked.value);
    return { id: asked.value, how: "given", ...(entry ? { entry } : {}) };
  }
  if (asked) {
    const where = `${asked.source} ${JSON.stringify(asked.value)}`;
    if (profile.problem !== undefined) {
      throw new UsageError(
        `Unknown subscription ${where}: it is not a subscription id (a GUID such as 00000000-0000-0000-0000-000000000000), ` +
          `and subscription names are looked up in the Azure CLI's profile, but ${profile.problem}.`,
      );
    }
    const matches = profile.subscriptions.filter((s) => s.name.toLowerCase() === asked.value.toLowerCase());
    if (matches.length === 0) {
      throw new UsageError(
        `Unknown subscription ${where}: no subscription has that name or id in the Azure CLI's profile (${profile.path}). ` +
          `Run "az account list -o table" to see them, or pass the subscription's id.`,
      );
    }
    if (matches.length > 1) {
      throw new UsageError(
        `Ambiguous subscription name ${where}: ${matches.length} subscriptions in the Azure CLI's profile have it ` +
          `(${matches.map((m) => m.id).join(", ")}); pass the id of the one you mean.`,
      );
    }
    return { id: matches[0]!.id, entry: matches[0]!, how: "name" };
  }
  const fallback = profile.subscriptions?.find((s) => s.isDefault);
  if (!fallback) {
    const why = profile.problem ?? `the Azure CLI's profile (${profile.path}) has no default subscription`;
    throw new UsageError(`No subscription: pass --subscription <name or id>, set AZURE_SUBSCRIPTION_ID, or sign in with "az login" (${why}).`);
  }
  return { id: fallback.id, entry: fallback, how: "default" };
}

/** The note printed on stderr when the subscription came from the Azure CLI's profile, else undefined. */
export function subscriptionNote(chosen: ChosenSubscription, profile: CliProfile): string | undefined {
  if (chosen.how === "given" || !chosen.entry) return undefined;
  const what = `subscription "${chosen.entry.name}" (${chosen.id})`;
  return chosen.how === "default"
    ? `Using ${what}, the Azure CLI's default subscription (${profile.path}).\n`
    : `Using ${what}, found by name in the Azure CLI's profile (${profile.path}).\n`;
}
