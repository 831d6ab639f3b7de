import type { OperationOptions, VmIdentityClient } from "azure-vm-identity";
import type { FakeArm } from "azure-vm-identity/testing";

/** The article's resource group. */
export const DEMO_GROUP = "myResourceGroup";
/** The article's region (`-Location WestUS`), as ARM spells it. */
export const DEMO_LOCATION = "westus";
/** The article's VM. */
export const DEMO_VM = "myVM";
/** What the article's `<USER ASSIGNED IDENTITY NAME>` stands for here. */
export const DEMO_IDENTITY = "myUserAssignedIdentity";
/** A second user-assigned identity, for the steps that remove all but one. */
export const OTHER_IDENTITY = "myOtherIdentity";

/** What the article's placeholders stand for in the demo (the subscription is the emulator's). */
export const PLACEHOLDERS: readonly (readonly [string, string])[] = [
  ["<VM NAME>", DEMO_VM],
  ["<RESOURCE GROUP>", DEMO_GROUP],
  ["<RESROURCE GROUP>", DEMO_GROUP],
  ["<RESOURCEGROUP>", DEMO_GROUP],
  ["<USER ASSIGNED IDENTITY NAME>", DEMO_IDENTITY],
  ["<SUBSCRIPTION ID>", "the emulator's subscription"],
];

/** What a step's `run` (and a starting point's `setup`) gets. */
export interface DemoContext {
  arm: FakeArm;
  client: VmIdentityClient;
  options: OperationOptions;
}

/** Where a step starts: a fresh emulator, seeded (and set up with the library, unshown) as described. */
export interface DemoStart {
  /** What the VM and identities are like, e.g. `myVM exists without a managed identity.` */
  describe: string;
  seed(arm: FakeArm): void;
  /** Writes that bring the emulator to the starting point; they are not shown as the step's requests. */
  setup?(ctx: DemoContext): Promise<unknown>;
}

/** One step of the article: what it replaces, what it does, and which VM to show afterwards. */
export interface DemoStep {
  /** The article's section heading. */
  section: string;
  title: string;
  /** A fresh emulator with this starting point; absent: go on from the previous step. */
  start?: DemoStart;
  /** The AzureRM PowerShell lines, exactly as the article writes them. */
  powershell: string[];
  /** The same with this command (and `az login` for the article's sign-in). */
  cli: string[];
  /** The VM whose identity is shown after the step. */
  vm: string;
  /** Also show the MSI extension of the VM after the step. */
  showExtension?: boolean;
  run(ctx: DemoContext): Promise<unknown>;
}

/** A Windows VM's ARM body for a create, as New-AzureRmVMConfig + Set-AzureRmVM*Image/OS/NIC would build it. */
export function vmDefinition(name: string, subscriptionId: string): Record<string, unknown> {
  return {
    location: DEMO_LOCATION,
    properties: {
      hardwareProfile: { vmSize: "Standard_D2s_v3" },
      storageProfile: {
        imageReference: { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-azure-edition", version: "latest" },
        osDisk: { osType: "Windows", createOption: "FromImage" },
      },
      osProfile: { computerName: name, adminUsername: "azureuser", windowsConfiguration: { provisionVMAgent: true } },
      networkProfile: {
        networkInterfaces: [{ id: `/subscriptions/${subscriptionId}/resourceGroups/${DEMO_GROUP}/providers/Microsoft.Network/networkInterfaces/${name}-nic` }],
      },
    },
  };
}

const G = DEMO_GROUP;
const location = DEMO_LOCATION;

/** The id of one of the demo's user-assigned identities in the emulator. */
export function identityId(arm: FakeArm, name: string): string {
  return `/subscriptions/${arm.subscriptionId}/resourceGroups/${G}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
}

function addIdentities(arm: FakeArm, ...names: string[]): void {
  for (const name of names) arm.addUserAssignedIdentity({ resourceGroup: G, name, location });
}

function addMyVm(arm: FakeArm, identity?: { type: string; userAssignedIdentities?: Record<string, object> }): void {
  arm.addVm({ resourceGroup: G, name: DEMO_VM, location, osType: "Windows", ...(identity ? { identity: identity as never } : {}) });
}

const SIGN_IN_NOTE = "az login";
const UAI_ID_PLACEHOLDER =
  "/subscriptions/<SUBSCRIPTION ID>/resourcegroups/<RESROURCE GROUP>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<USER ASSIGNED IDENTITY NAME>";

const S1 = "Enable system-assigned managed identity during creation of an Azure VM";
const S2 = "Enable system-assigned managed identity on an existing Azure VM";
const S3 = "Disable system-assigned managed identity from an Azure VM";
const S4 = "Assign a user-assigned managed identity to a VM during creation";
const S5 = "Assign a user-assigned managed identity to an existing Azure VM";
const S6 = "Remove a user-assigned managed identity from an Azure VM";

/**
 * The article "Configure managed identities for Azure resources on an Azure
 * VM using PowerShell" (its AzureRM edition), in its order. Each section of
 * the article is a recipe of its own: a step with a `start` gets a fresh
 * emulator holding that section's starting point. The optional MSI extension
 * step, which the article repeats in four sections, is shown once.
 */
export const DEMO_STEPS: readonly DemoStep[] = [
  {
    section: S1,
    title: "Create a VM with the system-assigned identity",
    start: { describe: `${G} holds no VM yet.`, seed: () => {} },
    powershell: ["$vmConfig = New-AzureRmVMConfig -VMName myVM -AssignIdentity:$SystemAssigned ..."],
    cli: [`vm-identity create -g ${G} -n ${DEMO_VM} --definition myVM.json --identities [system]`],
    vm: DEMO_VM,
    run: ({ client, options }) => client.vm(G, DEMO_VM).create(vmDefinition(DEMO_VM, client.subscriptionId)).withSystemAssignedIdentity().apply(options),
  },
  {
    section: S1,
    title: "(Optional) Add the MSI VM extension, deprecated in favour of IMDS",
    powershell: [
      '$settings = @{ "port" = 50342 }',
      'Set-AzureRmVMExtension -ResourceGroupName myResourceGroup -Location WestUS -VMName myVM -Name "ManagedIdentityExtensionForWindows" -Type "ManagedIdentityExtensionForWindows" -Publisher "Microsoft.ManagedIdentity" -TypeHandlerVersion "1.0" -Settings $settings',
    ],
    cli: [`vm-identity extension install -g ${G} --vm-name ${DEMO_VM} --port 50342`],
    vm: DEMO_VM,
    showExtension: true,
    run: ({ client, options }) => client.vm(G, DEMO_VM).msiExtension.install({ port: 50342 }, options),
  },
  {
    section: S2,
    title: "Enable the system-assigned identity on an existing VM",
    start: { describe: `${DEMO_VM} exists without a managed identity.`, seed: (arm) => addMyVm(arm) },
    powershell: [
      "Login-AzureRmAccount",
      "$vm = Get-AzureRmVM -ResourceGroupName myResourceGroup -Name myVM",
      "Update-AzureRmVM -ResourceGroupName myResourceGroup -VM $vm -AssignIdentity:$SystemAssigned",
    ],
    cli: [SIGN_IN_NOTE, `vm-identity assign -g ${G} -n ${DEMO_VM}`],
    vm: DEMO_VM,
    run: ({ client, options }) => client.vm(G, DEMO_VM).identity().enableSystemAssigned().apply(options),
  },
  {
    section: S3,
    title: "Disable the system-assigned identity, keeping the user-assigned ones",
    start: {
      describe: `${DEMO_VM} has the system-assigned identity and ${DEMO_IDENTITY}.`,
      seed: (arm) => {
        addIdentities(arm, DEMO_IDENTITY);
        addMyVm(arm, { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [identityId(arm, DEMO_IDENTITY)]: {} } });
      },
    },
    powershell: [
      "Login-AzureRmAccount",
      "$vm = Get-AzureRmVM -ResourceGroupName myResourceGroup -Name myVM",
      'Update-AzureRmVm -ResourceGroupName myResourceGroup -VM $vm -IdentityType "UserAssigned"',
    ],
    cli: [SIGN_IN_NOTE, `vm-identity remove -g ${G} -n ${DEMO_VM}`],
    vm: DEMO_VM,
    run: ({ client, options }) => client.vm(G, DEMO_VM).identity().disableSystemAssigned().apply(options),
  },
  {
    section: S3,
    title: "Disable the system-assigned identity of a VM without user-assigned ones",
    start: { describe: `${DEMO_VM} has the system-assigned identity only.`, seed: (arm) => addMyVm(arm, { type: "SystemAssigned" }) },
    powershell: ["$vm = Get-AzureRmVM -ResourceGroupName myResourceGroup -Name myVM", "Update-AzureRmVm -ResourceGroupName myResourceGroup -VM $vm -IdentityType None"],
    cli: [`vm-identity remove -g ${G} -n ${DEMO_VM}`],
    vm: DEMO_VM,
    run: ({ client, options }) => client.vm(G, DEMO_VM).identity().disableSystemAssigned().apply(options),
  },
  {
    section: S3,
    title: "Remove the MSI VM extension",
    start: {
      describe: `${DEMO_VM} carries the MSI extension ManagedIdentityExtensionForWindows.`,
      seed: (arm) => addMyVm(arm),
      setup: ({ client, options }) => client.vm(G, DEMO_VM).msiExtension.install({ port: 50342 }, options),
    },
    powershell: ['Remove-AzureRmVMExtension -ResourceGroupName myResourceGroup -Name "ManagedIdentityExtensionForWindows" -VMName myVM'],
    cli: [`vm-identity extension remove -g ${G} --vm-name ${DEMO_VM} -n ManagedIdentityExtensionForWindows`],
    vm: DEMO_VM,
    showExtension: true,
    run: ({ client, options }) => client.vm(G, DEMO_VM).msiExtension.remove({ name: "ManagedIdentityExtensionForWindows" }, options),
  },
  {
    section: S4,
    title: "Create a VM with a user-assigned identity",
    start: { describe: `${G} holds ${DEMO_IDENTITY} and no VM yet.`, seed: (arm) => addIdentities(arm, DEMO_IDENTITY) },
    powershell: [`$vmConfig = New-AzureRmVMConfig -VMName <VM NAME> -IdentityType UserAssigned -IdentityID "${UAI_ID_PLACEHOLDER}..."`],
    cli: [`vm-identity create -g ${G} -n ${DEMO_VM} --definition myVM.json --identities ${DEMO_IDENTITY}`],
    vm: DEMO_VM,
    run: ({ arm, client, options }) =>
      client.vm(G, DEMO_VM).create(vmDefinition(DEMO_VM, client.subscriptionId)).withUserAssignedIdentities(identityId(arm, DEMO_IDENTITY)).apply(options),
  },
  {
    section: S5,
    title: "Create a user-assigned identity",
    start: { describe: `${DEMO_VM} exists without a managed identity; ${DEMO_IDENTITY} does not exist yet.`, seed: (arm) => addMyVm(arm) },
    powershell: ["Connect-AzureRmAccount", "New-AzureRmUserAssignedIdentity -ResourceGroupName <RESOURCEGROUP> -Name <USER ASSIGNED IDENTITY NAME>"],
    cli: [SIGN_IN_NOTE, `vm-identity identity create -g ${G} -n ${DEMO_IDENTITY} -l ${location}`],
    vm: DEMO_VM,
    run: ({ client, options }) => client.userAssignedIdentity(G, DEMO_IDENTITY).createOrUpdate({ location }, options),
  },
  {
    section: S5,
    title: "Assign the user-assigned identity to the existing VM",
    powershell: [
      "$vm = Get-AzureRmVM -ResourceGroupName <RESOURCE GROUP> -Name <VM NAME>",
      `Update-AzureRmVM -ResourceGroupName <RESOURCE GROUP> -VM $vm -IdentityType UserAssigned -IdentityID "${UAI_ID_PLACEHOLDER}"`,
    ],
    cli: [`vm-identity assign -g ${G} -n ${DEMO_VM} --identities ${DEMO_IDENTITY}`],
    vm: DEMO_VM,
    run: ({ arm, client, options }) => client.vm(G, DEMO_VM).identity().assignUserAssigned([identityId(arm, DEMO_IDENTITY)]).apply(options),
  },
  {
    section: S6,
    title: "Remove all user-assigned identities but one",
    start: {
      describe: `myVm holds ${DEMO_IDENTITY} and ${OTHER_IDENTITY}; ${DEMO_IDENTITY} is to stay.`,
      seed: (arm) => {
        addIdentities(arm, DEMO_IDENTITY, OTHER_IDENTITY);
        addMyVm(arm, {
          type: "UserAssigned",
          userAssignedIdentities: { [identityId(arm, DEMO_IDENTITY)]: {}, [identityId(arm, OTHER_IDENTITY)]: {} },
        });
      },
    },
    powershell: [
      "$vm = Get-AzureRmVm -ResourceGroupName myResourceGroup -Name myVm",
      "Update-AzureRmVm -ResourceGroupName myResourceGroup -VirtualMachine $vm -IdentityType UserAssigned -IdentityID <USER ASSIGNED IDENTITY NAME>",
    ],
    cli: [`vm-identity remove -g ${G} -n myVm --identities ${OTHER_IDENTITY}`],
    vm: DEMO_VM,
    run: ({ arm, client, options }) => client.vm(G, "myVm").identity().removeUserAssigned([identityId(arm, OTHER_IDENTITY)]).apply(options),
  },
  {
    section: S6,
    title: "Remove every user-assigned identity of a VM without the system-assigned one",
    powershell: ["$vm = Get-AzureRmVm -ResourceGroupName myResourceGroup -Name myVm", "Update-AzureRmVm -ResourceGroupName myResourceGroup -VM $vm -IdentityType None"],
    cli: [`vm-identity remove -g ${G} -n myVm --all`],
    vm: DEMO_VM,
    run: ({ client, options }) => client.vm(G, "myVm").identity().removeAll().apply(options),
  },
  {
    section: S6,
    title: "Remove every user-assigned identity, keeping the system-assigned one",
    start: {
      describe: `myVm has the system-assigned identity, ${DEMO_IDENTITY} and ${OTHER_IDENTITY}.`,
      seed: (arm) => {
        addIdentities(arm, DEMO_IDENTITY, OTHER_IDENTITY);
        addMyVm(arm, {
          type: "SystemAssigned, UserAssigned",
          userAssignedIdentities: { [identityId(arm, DEMO_IDENTITY)]: {}, [identityId(arm, OTHER_IDENTITY)]: {} },
        });
      },
    },
    powershell: [
      "$vm = Get-AzureRmVm -ResourceGroupName myResourceGroup -Name myVm",
      'Update-AzureRmVm -ResourceGroupName myResourceGroup -VirtualMachine $vm -IdentityType "SystemAssigned"',
    ],
    cli: [`vm-identity remove -g ${G} -n myVm --identities ${DEMO_IDENTITY} ${OTHER_IDENTITY}`],
    vm: DEMO_VM,
    run: ({ arm, client, options }) =>
      client.vm(G, "myVm").identity().removeUserAssigned([identityId(arm, DEMO_IDENTITY), identityId(arm, OTHER_IDENTITY)]).apply(options),
  },
];
