import type { OperationOptions, VmIdentityClient } from "azure-vm-identity";
import type { FakeArm } from "azure-vm-identity/testing";

/** Where the demo's resources live. */
export const DEMO_GROUP = "demo-rg";
/** Their region. */
export const DEMO_LOCATION = "westeurope";

/** The user-assigned identities the demo seeds, by role. */
export interface DemoIds {
  app: string;
  ops: string;
}

/** What a step's `run` gets. */
export interface DemoContext {
  client: VmIdentityClient;
  ids: DemoIds;
  options: OperationOptions;
}

/** One walkthrough step: what it replaces, what it does, and which VM to show afterwards. */
export interface DemoStep {
  title: string;
  /** The AzureRM PowerShell lines it replaces. */
  powershell: string[];
  /** The same step with this command (`$APP_ID`/`$OPS_ID` stand for the identity ids). */
  cli: string;
  /** The VM whose identity is shown after the step. */
  vm: string;
  /** Also show the MSI extension of the VM after the step. */
  showExtension?: boolean;
  run(ctx: DemoContext): Promise<unknown>;
}

/** A VM's ARM body for a create, as New-AzureRmVMConfig + Set-AzureRmVM*Image/OS/NIC would build it. */
export function vmDefinition(name: string, os: "Windows" | "Linux", subscriptionId: string): Record<string, unknown> {
  const image =
    os === "Windows"
      ? { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-azure-edition", version: "latest" }
      : { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" };
  return {
    location: DEMO_LOCATION,
    properties: {
      hardwareProfile: { vmSize: "Standard_D2s_v3" },
      storageProfile: { imageReference: image, osDisk: { osType: os, createOption: "FromImage" } },
      osProfile: {
        computerName: name,
        adminUsername: "azureuser",
        ...(os === "Windows" ? { windowsConfiguration: { provisionVMAgent: true } } : { linuxConfiguration: { disablePasswordAuthentication: true } }),
      },
      networkProfile: {
        networkInterfaces: [
          { id: `/subscriptions/${subscriptionId}/resourceGroups/${DEMO_GROUP}/providers/Microsoft.Network/networkInterfaces/${name}-nic` },
        ],
      },
    },
  };
}

/** Seed the emulator: two identities, an existing Windows VM without identity and an existing Linux VM holding `ops-identity`. */
export function seedDemo(arm: FakeArm): DemoIds {
  const app = arm.addUserAssignedIdentity({ resourceGroup: DEMO_GROUP, name: "app-identity", location: DEMO_LOCATION });
  const ops = arm.addUserAssignedIdentity({ resourceGroup: DEMO_GROUP, name: "ops-identity", location: DEMO_LOCATION });
  arm.addVm({ resourceGroup: DEMO_GROUP, name: "win-existing", location: DEMO_LOCATION, osType: "Windows" });
  arm.addVm({
    resourceGroup: DEMO_GROUP,
    name: "linux-existing",
    location: DEMO_LOCATION,
    osType: "Linux",
    identity: { type: "UserAssigned", userAssignedIdentities: { [ops]: {} } },
  });
  return { app, ops };
}

const G = DEMO_GROUP;

/** The walkthrough, in order: every step of "Configure managed identities on an Azure VM using PowerShell". */
export const DEMO_STEPS: readonly DemoStep[] = [
  {
    title: "Create a VM with a system-assigned identity",
    powershell: [
      `$vmConfig = New-AzureRmVMConfig -VMName win-new -VMSize Standard_D2s_v3 -AssignIdentity "SystemAssigned"`,
      `New-AzureRmVM -ResourceGroupName ${G} -Location ${DEMO_LOCATION} -VM $vmConfig`,
    ],
    cli: `vm-identity create -g ${G} -n win-new --definition win-new.json --system`,
    vm: "win-new",
    run: ({ client, options }) =>
      client.vm(G, "win-new").create(vmDefinition("win-new", "Windows", client.subscriptionId)).withSystemAssignedIdentity().apply(options),
  },
  {
    title: "Install the MSI VM extension (deprecated; IMDS replaces it)",
    powershell: [
      `Set-AzureRmVMExtension -ResourceGroupName ${G} -VMName win-new -Location ${DEMO_LOCATION} -Name ManagedIdentityExtensionForWindows \``,
      `  -Publisher Microsoft.ManagedIdentity -Type ManagedIdentityExtensionForWindows -TypeHandlerVersion 1.0 -Settings @{ "port" = 50342 }`,
    ],
    cli: `vm-identity extension install -g ${G} -n win-new --port 50342`,
    vm: "win-new",
    showExtension: true,
    run: ({ client, options }) => client.vm(G, "win-new").msiExtension.install({ port: 50342 }, options),
  },
  {
    title: "Enable the system-assigned identity on an existing VM",
    powershell: [
      `$vm = Get-AzureRmVM -ResourceGroupName ${G} -Name win-existing`,
      `Update-AzureRmVM -ResourceGroupName ${G} -VM $vm -AssignIdentity "SystemAssigned"`,
    ],
    cli: `vm-identity assign -g ${G} -n win-existing --system`,
    vm: "win-existing",
    run: ({ client, options }) => client.vm(G, "win-existing").identity().enableSystemAssigned().apply(options),
  },
  {
    title: "Remove the MSI VM extension",
    powershell: [`Remove-AzureRmVMExtension -ResourceGroupName ${G} -VMName win-new -Name ManagedIdentityExtensionForWindows`],
    cli: `vm-identity extension remove -g ${G} -n win-new`,
    vm: "win-new",
    showExtension: true,
    run: ({ client, options }) => client.vm(G, "win-new").msiExtension.remove({}, options),
  },
  {
    title: "Create a VM with a user-assigned identity",
    powershell: [
      `$vmConfig = New-AzureRmVMConfig -VMName linux-new -VMSize Standard_D2s_v3 -IdentityType UserAssigned -IdentityID $APP_ID`,
      `New-AzureRmVM -ResourceGroupName ${G} -Location ${DEMO_LOCATION} -VM $vmConfig`,
    ],
    cli: `vm-identity create -g ${G} -n linux-new --definition linux-new.json --user-assigned $APP_ID`,
    vm: "linux-new",
    run: ({ client, ids, options }) =>
      client
        .vm(G, "linux-new")
        .create(vmDefinition("linux-new", "Linux", client.subscriptionId))
        .withUserAssignedIdentities(ids.app)
        .apply(options),
  },
  {
    title: "Assign a user-assigned identity to an existing VM",
    powershell: [
      `$vm = Get-AzureRmVM -ResourceGroupName ${G} -Name linux-existing`,
      `Update-AzureRmVM -ResourceGroupName ${G} -VM $vm -IdentityType UserAssigned -IdentityID $OPS_ID,$APP_ID`,
    ],
    cli: `vm-identity assign -g ${G} -n linux-existing --user-assigned $APP_ID`,
    vm: "linux-existing",
    run: ({ client, ids, options }) => client.vm(G, "linux-existing").identity().assignUserAssigned(ids.app).apply(options),
  },
  {
    title: "Remove a user-assigned identity from a VM",
    powershell: [
      `$vm = Get-AzureRmVM -ResourceGroupName ${G} -Name linux-existing`,
      `Update-AzureRmVM -ResourceGroupName ${G} -VM $vm -IdentityType UserAssigned -IdentityID $APP_ID   # every id but $OPS_ID`,
    ],
    cli: `vm-identity remove -g ${G} -n linux-existing --user-assigned $OPS_ID`,
    vm: "linux-existing",
    run: ({ client, ids, options }) => client.vm(G, "linux-existing").identity().removeUserAssigned(ids.ops).apply(options),
  },
  {
    title: "Disable the system-assigned identity",
    powershell: [
      `$vm = Get-AzureRmVM -ResourceGroupName ${G} -Name win-existing`,
      `Update-AzureRmVM -ResourceGroupName ${G} -VM $vm -IdentityType None`,
    ],
    cli: `vm-identity remove -g ${G} -n win-existing --system`,
    vm: "win-existing",
    run: ({ client, options }) => client.vm(G, "win-existing").identity().disableSystemAssigned().apply(options),
  },
];
