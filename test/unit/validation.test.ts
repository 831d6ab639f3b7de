import { describe, expect, it } from "vitest";
import { parseUserAssignedIdentityId, parseVmResourceId, validateUserAssignedIdentityId } from "../../src/core/resourceId.js";
import {
  validateEndpoint,
  validateExtensionName,
  validateIdentityName,
  validateLocation,
  validateOsType,
  validatePort,
  validateResourceGroupName,
  validateSubscriptionId,
  validateVmName,
} from "../../src/core/validation.js";
import { type InvalidInputCode, InvalidInputError } from "../../src/core/errors.js";

const SUB = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const UAI = `/subscriptions/${SUB}/resourceGroups/my-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/my-identity`;
const VM = `/subscriptions/${SUB}/resourceGroups/my-rg/providers/Microsoft.Compute/virtualMachines/my-vm`;

/** How a value appears in a message: strings JSON-quoted (escapes visible), others as written. */
const shown = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : String(value));

function refusal(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return e as InvalidInputError;
  }
  throw new Error("expected an InvalidInputError, nothing was thrown");
}

interface Case {
  name: string;
  validate: (value: unknown) => unknown;
  code: InvalidInputCode;
  form: string | RegExp;
  ok: unknown[];
  bad: unknown[];
  /** Resource ids are always quoted whole; other values longer than 120 characters are shown cut short. */
  wholeIds?: true;
}

const cases: Case[] = [
  {
    name: "subscription id",
    validate: validateSubscriptionId,
    code: "InvalidSubscriptionId",
    form: "expected a GUID",
    ok: [SUB, SUB.toUpperCase(), "00000000-0000-0000-0000-000000000000"],
    bad: ["", "sub", `${SUB} `, ` ${SUB}`, `{${SUB}}`, SUB.replace(/-/g, ""), SUB.replace("3", "g"), `${SUB}/x`, "../", 7, null, undefined],
  },
  {
    name: "resource group name",
    validate: validateResourceGroupName,
    code: "InvalidResourceGroupName",
    form: "expected 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'",
    ok: ["a", "my-rg", "My_RG.1", "(rg)", "rg.(x)", "Grüße", "日本語", "..a", "x".repeat(90)],
    bad: ["", "rg.", ".", "..", "a b", "a/b", "a%2Fb", "a?b", "a#b", "a\\b", "rg\u0000", "a@b", "a:b", "x".repeat(91), 1, null],
  },
  {
    name: "VM name",
    validate: validateVmName,
    code: "InvalidVmName",
    form: "expected 1-64 characters without spaces, control characters or any of ~ ! @ # $ % ^ & * ( ) = + _ [ ] { } \\ | ; : . ' \" , < > / ?, not ending in '.' or '-'",
    ok: ["v", "my-vm", "VM01", "a-b-c", "ü", "x".repeat(64)],
    bad: [
      "",
      "x".repeat(65),
      "vm-",
      "vm.",
      ..."~!@#$%^&*()=+_[]{}\\|;:.'\",<>/?".split("").map((c) => `a${c}b`),
      "a b",
      "a\tb",
      "a\nb",
      "a\u0000b",
      "a\u007fb",
      "a\u0085b",
      "a\u00a0b",
      "\ud800",
      "a\udc00b",
      1,
      undefined,
    ],
  },
  {
    name: "extension name",
    validate: validateExtensionName,
    code: "InvalidExtensionName",
    form: "expected 1-64 letters, digits, '_', '-' or '.', not ending in '.'",
    ok: ["ManagedIdentityExtensionForWindows", "ManagedIdentityExtensionForLinux", "my.ext_1-a", "a", "x".repeat(64)],
    bad: ["", ".", "..", "ext.", "a/b", "a b", "a?b", "a#b", "a%2Fb", "a(b)", "x".repeat(65), 5, null],
  },
  {
    name: "identity name",
    validate: validateIdentityName,
    code: "InvalidIdentityName",
    form: "expected 3-128 letters, digits, '-' or '_', starting with a letter or digit",
    ok: ["abc", "my-identity", "Id_01", "1ab", "x".repeat(128)],
    bad: ["", "ab", "-abc", "_abc", "a.bc", "a bc", "a/bc", "x".repeat(129), 123, null],
  },
  {
    name: "user-assigned identity id",
    validate: validateUserAssignedIdentityId,
    code: "InvalidUserAssignedIdentityId",
    wholeIds: true,
    form: "expected /subscriptions/<GUID>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>",
    ok: [
      UAI,
      UAI.toLowerCase(),
      UAI.replace("/resourceGroups/", "/resourcegroups/"),
      UAI.toUpperCase(),
    ],
    bad: [
      "",
      "my-identity",
      UAI.slice(1),
      `${UAI}/`,
      `${UAI}/x`,
      `//${UAI}`,
      UAI.replace("userAssignedIdentities", "userAssignedIdentity"),
      UAI.replace("Microsoft.ManagedIdentity", "Microsoft.Compute"),
      UAI.replace(SUB, "not-a-guid"),
      UAI.replace("my-rg", "my rg"),
      UAI.replace("my-identity", "ab"),
      UAI.replace("my-identity", "../x"),
      `${UAI}?api-version=1`,
      VM,
      42,
      null,
    ],
  },
  {
    name: "VM resource id",
    validate: parseVmResourceId,
    code: "InvalidResourceId",
    wholeIds: true,
    form: "expected /subscriptions/<GUID>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name>",
    ok: [VM, VM.toLowerCase(), VM.replace("/resourceGroups/", "/resourcegroups/")],
    bad: [
      "",
      "my-vm",
      `${VM}/`,
      `${VM}/extensions/x`,
      VM.replace("virtualMachines", "virtualMachineScaleSets"),
      VM.replace(SUB, "sub"),
      VM.replace("my-rg", "rg."),
      VM.replace("my-vm", "my.vm"),
      VM.replace("my-vm", "vm#f"),
      UAI,
      null,
    ],
  },
  {
    name: "port",
    validate: validatePort,
    code: "InvalidPort",
    form: "expected an integer from 1 to 65535",
    ok: [1, 80, 50342, 65535],
    bad: [0, -1, 65536, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "50342", null, undefined],
  },
  {
    name: "OS type",
    validate: validateOsType,
    code: "InvalidOsType",
    form: 'expected "Windows" or "Linux"',
    ok: ["Windows", "Linux", "windows", "LINUX"],
    bad: ["", "win", "Windows ", "macOS", "Linux\u0000", 1, null],
  },
  {
    name: "location",
    validate: validateLocation,
    code: "InvalidLocation",
    form: 'expected an Azure region name such as "westeurope"',
    ok: ["westeurope", "West Europe", "eastus2"],
    bad: ["", " westeurope", "west/europe", "west?europe", "x".repeat(65), 3, null],
  },
  {
    name: "endpoint",
    validate: validateEndpoint,
    code: "InvalidEndpoint",
    form: 'expected an https origin such as "https://management.azure.com" (plain http only for 127.0.0.1, localhost or [::1])',
    ok: [
      "https://management.azure.com",
      "https://management.azure.com/",
      "https://management.chinacloudapi.cn",
      "https://localhost:8443",
      "http://127.0.0.1:4000",
      "http://127.1.2.3",
      "http://localhost:1234",
      "http://LOCALHOST",
      "http://[::1]:8080",
    ],
    bad: [
      "",
      "management.azure.com",
      "/relative",
      "http://management.azure.com",
      "http://10.0.0.1",
      "http://127.0.0.1.evil.com",
      "http://localhost.evil.com",
      "http://[::2]",
      "ftp://management.azure.com",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "https://management.azure.com/subscriptions",
      "https://management.azure.com/?x=1",
      "https://management.azure.com/#f",
      "https://user:pw@management.azure.com",
      "https://user@management.azure.com",
      "https://management.azure.com@evil.com/x",
      42,
      null,
    ],
  },
];

describe.each(cases)("$name", ({ validate, code, form, ok, bad, wholeIds }) => {
  it.each(ok.map((v) => [shown(v), v]))("accepts %s", (_label, value) => {
    expect(() => validate(value)).not.toThrow();
  });

  it.each(bad.map((v) => [shown(v).slice(0, 80), v]))("refuses %s, naming it and the expected form", (_label, value) => {
    const e = refusal(() => validate(value));
    expect(e.code).toBe(code);
    expect(e.value).toBe(value);
    const quoted = shown(value);
    if (wholeIds || quoted.length <= 120) expect(e.message).toContain(quoted);
    else expect(e.message).toContain(`${quoted.slice(0, 100)}`);
    if (typeof form === "string") expect(e.message).toContain(form);
    else expect(e.message).toMatch(form);
  });
});

describe("what validators return", () => {
  it("returns names and ids unchanged, and the canonical OS spelling", () => {
    expect(validateResourceGroupName("My_RG")).toBe("My_RG");
    expect(validateUserAssignedIdentityId(UAI.toLowerCase())).toBe(UAI.toLowerCase());
    expect(validateOsType("wInDoWs")).toBe("Windows");
    expect(validateOsType("linux")).toBe("Linux");
  });

  it("returns the endpoint's origin", () => {
    expect(validateEndpoint("https://management.azure.com/")).toBe("https://management.azure.com");
    expect(validateEndpoint("HTTPS://Management.Azure.com:443")).toBe("https://management.azure.com");
    expect(validateEndpoint("http://127.0.0.1:4000")).toBe("http://127.0.0.1:4000");
    expect(validateEndpoint("http://[::1]:8080")).toBe("http://[::1]:8080");
  });

  it("parses resource ids into their parts", () => {
    expect(parseVmResourceId(VM)).toEqual({ subscriptionId: SUB, resourceGroup: "my-rg", name: "my-vm" });
    expect(parseUserAssignedIdentityId(UAI.replace("/resourceGroups/", "/resourcegroups/"))).toEqual({
      subscriptionId: SUB,
      resourceGroup: "my-rg",
      name: "my-identity",
    });
  });

  it("says which part of a resource id is wrong", () => {
    const e = refusal(() => parseVmResourceId(VM.replace("my-vm", "my.vm")));
    expect(e.message).toContain("Invalid virtual machine name");
    expect(e.message).toContain('"my.vm"');
    const u = refusal(() => validateUserAssignedIdentityId(UAI.replace(SUB, "not-a-guid")));
    expect(u.message).toContain("Invalid subscription id");
    expect(u.message).toContain('"not-a-guid"');
  });

  it("keeps messages about huge values bounded", () => {
    const huge = "a/".repeat(100_000);
    for (const validate of [validateVmName, validateResourceGroupName, validateUserAssignedIdentityId, parseVmResourceId, validateEndpoint]) {
      expect(refusal(() => validate(huge)).message.length).toBeLessThan(2000);
    }
  });
});
