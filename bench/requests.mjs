// Requests per walkthrough step (docs/walkthrough.md), counted by the emulator:
// ours (the call the walkthrough names) vs @azure/arm-compute doing the same
// step the way its docs show. Each client works on its own VM; after every step
// both VMs must be in the same state, or the bench fails.
import { ourClient, peerClient, peerEnableSystemAssigned } from "./lib/clients.mjs";
import { startEmulator } from "./lib/emulator.mjs";

const RG = "rg-steps";
const LOCATION = "westeurope";
const EXTENSION = "ManagedIdentityExtensionForLinux";
const definition = { location: LOCATION, properties: { hardwareProfile: { vmSize: "Standard_B1s" }, storageProfile: { osDisk: { osType: "Linux", createOption: "FromImage" } } } };

/** The peer's identity update: get the VM, compute the identity from what it has, update. */
async function peerUpdateIdentity(peer, name, next) {
  const vm = await peer.virtualMachines.get(RG, name);
  const type = vm.identity?.type ?? "None";
  const user = Object.keys(vm.identity?.userAssignedIdentities ?? {});
  return peer.virtualMachines.update(RG, name, { identity: next(type, user) }, POLL);
}
const withSystem = (type) => /SystemAssigned/.test(type);
const identityOf = (system, user) =>
  user.length === 0
    ? { type: system ? "SystemAssigned" : "None", userAssignedIdentities: null }
    : { type: system ? "SystemAssigned, UserAssigned" : "UserAssigned", userAssignedIdentities: Object.fromEntries(user.map((id) => [id, {}])) };
const POLL = { updateIntervalInMs: 0 };

function steps(uai) {
  return [
    {
      name: "enable system identity on an existing VM",
      ours: (c, vm) => c.vm(RG, vm).enableSystemAssigned(),
      peer: (p, vm) => peerEnableSystemAssigned(p, RG, vm, POLL),
    },
    {
      name: "assign a user identity",
      ours: (c, vm) => c.vm(RG, vm).assignUserAssigned(uai),
      peer: (p, vm) => peerUpdateIdentity(p, vm, (type, user) => identityOf(withSystem(type), [...user, uai])),
    },
    {
      name: "remove the user identity",
      ours: (c, vm) => c.vm(RG, vm).removeUserAssigned(uai),
      peer: (p, vm) =>
        peerUpdateIdentity(p, vm, (type, user) => identityOf(withSystem(type), user.filter((id) => id.toLowerCase() !== uai.toLowerCase()))),
    },
    {
      name: "disable system identity",
      ours: (c, vm) => c.vm(RG, vm).disableSystemAssigned(),
      peer: (p, vm) => peerUpdateIdentity(p, vm, (_type, user) => identityOf(false, user)),
    },
    {
      name: "install the MSI extension",
      ours: (c, vm) => c.vm(RG, vm).msiExtension.install(),
      // Location and OS come from the VM, as ours reads them.
      peer: async (p, vm) => {
        const { location, storageProfile } = await p.virtualMachines.get(RG, vm);
        const type = `ManagedIdentityExtensionFor${storageProfile.osDisk.osType}`;
        return p.virtualMachineExtensions.createOrUpdate(RG, vm, type, {
          location,
          publisher: "Microsoft.ManagedIdentity",
          typePropertiesType: type,
          typeHandlerVersion: "1.0",
          autoUpgradeMinorVersion: true,
          settings: { port: 50342 },
        }, POLL);
      },
    },
    {
      name: "remove the MSI extension",
      ours: (c, vm) => c.vm(RG, vm).msiExtension.remove(),
      peer: (p, vm) => p.virtualMachineExtensions.delete(RG, vm, EXTENSION, POLL),
    },
    {
      name: "create a VM with a system identity",
      create: true,
      ours: (c, vm) => c.vm(RG, vm).create(definition).withSystemAssignedIdentity().apply(),
      peer: (p, vm) =>
        p.virtualMachines.createOrUpdate(RG, vm, { location: LOCATION, identity: { type: "SystemAssigned" }, ...definition.properties }, POLL),
    },
  ];
}

/** What must match between the two VMs after a step. */
async function stateOf(emu, name) {
  const vm = await emu.call("getVm", { resourceGroup: RG, name });
  return JSON.stringify({
    type: vm?.identity?.type,
    user: Object.keys(vm?.identity?.userAssignedIdentities ?? {}).map((id) => id.toLowerCase()),
    extensions: (vm?.resources ?? []).map((r) => `${r.name}:${r.properties.provisioningState}`),
    state: vm?.properties.provisioningState,
  });
}

export async function run() {
  const emu = await startEmulator({ pollsUntilDone: 1, retryAfterSeconds: 0 });
  try {
    await emu.call("addVms", { resourceGroup: RG, prefix: "ours-", count: 1, location: LOCATION });
    await emu.call("addVms", { resourceGroup: RG, prefix: "peer-", count: 1, location: LOCATION });
    const uai = await emu.call("addUserAssignedIdentity", { resourceGroup: RG, name: "uai-1", location: LOCATION });
    const clients = { ours: ourClient(emu, POLL), peer: peerClient(emu) };
    const rows = [];
    for (const step of steps(uai)) {
      const row = { name: step.name };
      for (const side of ["ours", "peer"]) {
        const vm = step.create ? `${side}-new` : `${side}-0`;
        await emu.call("clearRequests");
        await step[side](clients[side], vm);
        const requests = await emu.call("requests");
        row[side] = requests.length;
        row[`${side}Detail`] = requests.map((r) => `${r.method} ${r.status}`).join(", ");
      }
      const [ours, peer] = await Promise.all(
        ["ours", "peer"].map((side) => stateOf(emu, step.create ? `${side}-new` : `${side}-0`)),
      );
      if (ours !== peer) throw new Error(`after "${step.name}" the VMs differ: ours ${ours}, peer ${peer}`);
      rows.push(row);
    }
    return rows;
  } finally {
    await emu.close();
  }
}
