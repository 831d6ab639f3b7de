import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/** A subscription the Azure CLI knows (an entry of `az account list`). */
export interface CliSubscription {
  id: string;
  name: string;
  isDefault: boolean;
  tenantId?: string;
  /** The cloud, e.g. `AzureCloud`, `AzureChinaCloud`, `AzureUSGovernment`. */
  environmentName?: string;
  state?: string;
}

/** The Azure CLI's profile, or why it could not be read. */
export type CliProfile =
  | { path: string; subscriptions: CliSubscription[]; problem?: undefined }
  | { path: string; subscriptions?: undefined; problem: string };

/** The profile's path: `$AZURE_CONFIG_DIR/azureProfile.json`, by default `~/.azure/azureProfile.json`. */
export function cliProfilePath(env: Readonly<Record<string, string | undefined>>): string {
  const dir = env["AZURE_CONFIG_DIR"]?.trim();
  return join(dir ? dir : join(homedir(), ".azure"), "azureProfile.json");
}

function asSubscription(value: unknown): CliSubscription | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v["id"] !== "string" || typeof v["name"] !== "string") return undefined;
  return {
    id: v["id"],
    name: v["name"],
    isDefault: v["isDefault"] === true,
    ...(typeof v["tenantId"] === "string" ? { tenantId: v["tenantId"] } : {}),
    ...(typeof v["environmentName"] === "string" ? { environmentName: v["environmentName"] } : {}),
    ...(typeof v["state"] === "string" ? { state: v["state"] } : {}),
  };
}

/**
 * Read the Azure CLI's profile (written by `az login` and `az account set`).
 * The Azure CLI writes it with a UTF-8 byte order mark, which is skipped.
 * Never throws: a missing or unreadable file is described in `problem`.
 */
export async function readCliProfile(env: Readonly<Record<string, string | undefined>>): Promise<CliProfile> {
  const path = cliProfilePath(env);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { path, problem: code === "ENOENT" ? `there is no ${path} (run "az login")` : `${path} cannot be read (${code ?? (e as Error).message})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    return { path, problem: `${path} is not valid JSON (${(e as Error).message})` };
  }
  const list = (json as { subscriptions?: unknown } | null)?.subscriptions;
  if (!Array.isArray(list)) return { path, problem: `${path} lists no subscriptions (run "az login")` };
  return { path, subscriptions: list.map(asSubscription).filter((s): s is CliSubscription => s !== undefined) };
}
