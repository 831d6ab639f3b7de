/**
 * DefaultAzureCredential is made for the subscription's cloud and tenant.
 * `@azure/identity` is replaced by a recorder here: the test sees the
 * options the command gives it and the scopes it is asked for, and no token
 * leaves the machine (nock refuses the request that follows).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { CHINA, PROD, profileDir, profileJson, runInProcess } from "./helpers.js";
import { useNock } from "../../../test/support/nock.js";

useNock();

const made = vi.hoisted(() => [] as { options: Record<string, unknown>; scopes: string[][] }[]);

vi.mock("@azure/identity", () => ({
  DefaultAzureCredential: class {
    private readonly record: { options: Record<string, unknown>; scopes: string[][] };
    constructor(options: Record<string, unknown>) {
      this.record = { options, scopes: [] };
      made.push(this.record);
    }
    async getToken(scopes: string | string[]) {
      this.record.scopes.push(Array.isArray(scopes) ? scopes : [scopes]);
      return { token: "recorded-token-0123456789", expiresOnTimestamp: Date.now() + 3_600_000 };
    }
  },
}));

afterEach(() => {
  made.length = 0;
});

describe("DefaultAzureCredential", () => {
  it("signs in at the China cloud's authority, in the subscription's tenant, for a China cloud subscription of the profile", async () => {
    const dir = await profileDir(profileJson());
    const r = await runInProcess(["show", "-g", "rg", "-n", "vm", "--subscription", "China Sub"], { AZURE_CONFIG_DIR: dir });
    expect(made).toEqual([
      { options: { authorityHost: "https://login.chinacloudapi.cn", tenantId: "tenant-of-China Sub" }, scopes: [["https://management.chinacloudapi.cn/.default"]] },
    ]);
    // The request itself went nowhere (the network is closed to tests), and says where it was going.
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: no answer from the ARM endpoint https://management.chinacloudapi.cn: ");
    expect(r.stderr).toContain(`/subscriptions/${CHINA}/resourceGroups/rg/`);
    expect(r.stderr).not.toContain("recorded-token");
  });

  it("signs in at the US Government authority when --endpoint is that cloud's, and leaves the tenant to AZURE_TENANT_ID when set", async () => {
    const dir = await profileDir(profileJson());
    await runInProcess(["show", "-g", "rg", "-n", "vm", "--endpoint", "https://management.usgovcloudapi.net"], { AZURE_CONFIG_DIR: dir, AZURE_TENANT_ID: "t-env" });
    expect(made).toEqual([{ options: { authorityHost: "https://login.microsoftonline.us" }, scopes: [["https://management.usgovcloudapi.net/.default"]] }]);
  });

  it("is the public cloud's for the default subscription, and is not made at all for a usage error", async () => {
    const dir = await profileDir(profileJson(PROD));
    await runInProcess(["show", "-g", "rg", "-n", "vm"], { AZURE_CONFIG_DIR: dir });
    expect(made).toEqual([
      { options: { authorityHost: "https://login.microsoftonline.com", tenantId: "tenant-of-Production" }, scopes: [["https://management.azure.com/.default"]] },
    ]);
    made.length = 0;
    const usage = await runInProcess(["show", "-g", "rg", "-n", "bad name!"], { AZURE_CONFIG_DIR: dir });
    expect(usage.code).toBe(2);
    expect(made).toEqual([]);
  });
});
