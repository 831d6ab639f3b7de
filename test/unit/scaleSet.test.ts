/** The pure core of scale sets: ids, names, what a scale set's JSON says, and the MSI extensions a VM or scale set lists. */
import { describe, expect, it } from "vitest";
import { checkScaleSetIdentity, orchestrationModeOf, upgradePolicyOf, vmssInstanceOf } from "../../src/core/scaleSet.js";
import { validateScaleSetName, validateVmName } from "../../src/core/validation.js";
import {
  InvalidInputError,
  msiExtensionsIn,
  parseComputeResourceId,
  parseVmssResourceId,
  vmssResourceId,
} from "../../src/index.js";

const SUB = "00000000-0000-0000-0000-000000000001";
const SS = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/ss`;
const VM = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm`;

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as InvalidInputError).code;
  }
  return undefined;
};

describe("scale set ids and names", () => {
  it("parses a scale set id in any casing of its fixed segments, and makes the canonical one", () => {
    expect(parseVmssResourceId(SS)).toEqual({ subscriptionId: SUB, resourceGroup: "rg", name: "ss" });
    expect(parseVmssResourceId(SS.replace("resourceGroups", "resourcegroups").replace("virtualMachineScaleSets", "VIRTUALMACHINESCALESETS")).name).toBe("ss");
    expect(vmssResourceId({ subscriptionId: SUB, resourceGroup: "rg", name: "ss" })).toBe(SS);
  });

  it.each([VM, `${SS}/`, `${SS}/extensions/x`, SS.replace(SUB, "nope"), SS.replace("/ss", "/bad name"), 42])("refuses %j as a scale set id", (value) => {
    expect(codeOf(() => parseVmssResourceId(value))).toBe("InvalidResourceId");
  });

  it("tells a VM from a scale set, and takes an extension's id for its owner's", () => {
    expect(parseComputeResourceId(VM)).toEqual({ kind: "virtualMachine", subscriptionId: SUB, resourceGroup: "rg", name: "vm" });
    expect(parseComputeResourceId(SS)).toEqual({ kind: "virtualMachineScaleSet", subscriptionId: SUB, resourceGroup: "rg", name: "ss" });
    expect(parseComputeResourceId(`${VM}/extensions/ManagedIdentityExtensionForLinux`).kind).toBe("virtualMachine");
    expect(parseComputeResourceId(`${SS}/extensions/ManagedIdentityExtensionForLinux`)).toMatchObject({ kind: "virtualMachineScaleSet", name: "ss" });
    for (const bad of [`${VM}/other/x`, VM.replace("virtualMachines", "disks"), "/subscriptions", ""]) {
      expect(codeOf(() => parseComputeResourceId(bad))).toBe("InvalidResourceId");
    }
  });

  it("validates scale set names: letters, digits, _ . -, first a letter or digit, last not . or -", () => {
    for (const ok of ["s", "ss-1", "My_Scale.Set", "ss_", "x".repeat(64), "Grüße"]) expect(validateScaleSetName(ok)).toBe(ok);
    for (const bad of ["", "-ss", "_ss", "ss-", "ss.", "a b", "a/b", "x".repeat(65), 7]) expect(codeOf(() => validateScaleSetName(bad))).toBe("InvalidScaleSetName");
  });

  it("accepts the names Azure gives a Flexible scale set's instance VMs, and still no other '_'", () => {
    expect(validateVmName("flex_1a2b3c4d")).toBe("flex_1a2b3c4d");
    expect(validateVmName("my-scale.set_ABCD1234")).toBe("my-scale.set_ABCD1234");
    for (const bad of ["a_b", "vm_1a2b3c4", "_1a2b3c4d", "-x_1a2b3c4d", "a b_1a2b3c4d", "ss_1a2b3c4d_"]) expect(codeOf(() => validateVmName(bad))).toBe("InvalidVmName");
  });
});

describe("what a scale set's JSON says", () => {
  const body = (properties: Record<string, unknown>) => ({ properties });

  it("reads the orchestration mode and the upgrade policy in any casing; no policy shown is Manual", () => {
    expect(orchestrationModeOf(body({ orchestrationMode: "flexible" }))).toBe("Flexible");
    expect(orchestrationModeOf(body({}))).toBeUndefined();
    expect(upgradePolicyOf(body({ upgradePolicy: { mode: "automatic" } }))).toBe("Automatic");
    expect(upgradePolicyOf(body({ upgradePolicy: { mode: "Rolling" } }))).toBe("Rolling");
    expect(upgradePolicyOf(body({}))).toBe("Manual");
    expect(upgradePolicyOf(undefined)).toBe("Manual");
  });

  it("reads an instance: only an explicit latestModelApplied: true counts as current", () => {
    expect(vmssInstanceOf({ instanceId: "3", id: `${SS}/virtualMachines/3`, name: "ss_3", properties: { latestModelApplied: true } })).toEqual({
      instanceId: "3",
      id: `${SS}/virtualMachines/3`,
      name: "ss_3",
      latestModelApplied: true,
    });
    expect(vmssInstanceOf({ instanceId: "4", properties: {} })?.latestModelApplied).toBe(false);
    expect(vmssInstanceOf({ instanceId: "5", properties: { latestModelApplied: "true" } })?.latestModelApplied).toBe(false);
    expect(vmssInstanceOf({ id: "x" })).toBeUndefined();
  });

  it("refuses a system identity for a Flexible scale set only", () => {
    const flexible = body({ orchestrationMode: "Flexible" });
    const system = { type: "SystemAssigned, UserAssigned" as const, userAssigned: [] };
    expect(codeOf(() => checkScaleSetIdentity(flexible, system, "virtual machine scale set 'f'"))).toBe("SystemIdentityNotSupported");
    expect(() => checkScaleSetIdentity(flexible, { type: "UserAssigned", userAssigned: [] }, "f")).not.toThrow();
    expect(() => checkScaleSetIdentity(body({ orchestrationMode: "Uniform" }), system, "u")).not.toThrow();
  });
});

describe("msiExtensionsIn", () => {
  const ext = (name: string, type?: string, port?: number) => ({ name, ...(type ? { properties: { type, ...(port ? { settings: { port } } : {}) } } : {}) });

  it("finds the MSI extension among a VM's resources by its type, whatever it is named", () => {
    const vm = { resources: [ext("CustomScript", "CustomScriptExtension"), ext("msi", "managedidentityextensionforwindows", 50343)] };
    expect(msiExtensionsIn(vm)).toEqual([{ name: "msi", type: "ManagedIdentityExtensionForWindows", port: 50343 }]);
  });

  it("finds it in a scale set's model, and by its name when the listing shows no type", () => {
    const ss = { properties: { virtualMachineProfile: { extensionProfile: { extensions: [ext("ManagedIdentityExtensionForLinux")] } } } };
    expect(msiExtensionsIn(ss)).toEqual([{ name: "ManagedIdentityExtensionForLinux", type: "ManagedIdentityExtensionForLinux" }]);
  });

  it("takes the name from an id when there is no name, and finds nothing where nothing is listed", () => {
    expect(msiExtensionsIn({ resources: [{ id: `${VM}/extensions/ManagedIdentityExtensionForLinux` }] })).toEqual([{ name: "ManagedIdentityExtensionForLinux", type: "ManagedIdentityExtensionForLinux" }]);
    expect(msiExtensionsIn({ properties: { virtualMachineProfile: {} } })).toEqual([]);
    expect(msiExtensionsIn({})).toEqual([]);
    expect(msiExtensionsIn({ resources: [ext("ManagedIdentityExtensionForMac", "ManagedIdentityExtensionForMac")] })).toEqual([]);
  });
});
