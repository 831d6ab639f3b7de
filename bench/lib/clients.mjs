// Both clients, pointed at the emulator the same way.
import { ComputeManagementClient } from "@azure/arm-compute";
import { bearerTokenAuthenticationPolicyName } from "@azure/core-rest-pipeline";
import { VmIdentityClient } from "../../dist/index.js";

/** Ours: plain http to a loopback host is accepted as is (it signs it with its own loopback policy). */
export function ourClient(emu, options = {}) {
  return new VmIdentityClient(emu.credential, emu.subscriptionId, { endpoint: emu.endpoint, ...options });
}

/**
 * The peer. Its bearer policy refuses plain http, so the bench swaps it for a
 * policy that does the same job over http (a cached token in the Authorization
 * header) and marks the request allowInsecureConnection, which is what our
 * client does internally for loopback endpoints. Nothing else of its pipeline
 * (retries, logging, user agent, LRO) is touched.
 */
export function peerClient(emu, options = {}, subscriptionId = emu.subscriptionId) {
  const client = new ComputeManagementClient(emu.credential, subscriptionId, { endpoint: emu.endpoint, ...options });
  client.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
  client.pipeline.addPolicy(loopbackSigning(emu.credential), { phase: "Sign" });
  return client;
}

function loopbackSigning(credential) {
  let token;
  return {
    name: "benchLoopbackSigning",
    async sendRequest(request, next) {
      request.allowInsecureConnection = true;
      if (!token || token.expiresOnTimestamp - Date.now() < 120_000) {
        token = await credential.getToken("https://management.azure.com/.default");
      }
      request.headers.set("Authorization", `Bearer ${token.token}`);
      return next(request);
    },
  };
}

/**
 * "Enable the system identity" with the peer, as its docs have a user write it:
 * get the VM, merge the identity, update (a PATCH whose poller waits for the
 * operation and GETs the VM: that GET is the read back).
 */
export async function peerEnableSystemAssigned(client, resourceGroup, name, options = {}) {
  const vm = await client.virtualMachines.get(resourceGroup, name, { abortSignal: options.abortSignal });
  if (/SystemAssigned/i.test(vm.identity?.type ?? "")) return vm;
  const user = vm.identity?.userAssignedIdentities;
  const identity = user && Object.keys(user).length > 0
    ? { type: "SystemAssigned, UserAssigned", userAssignedIdentities: Object.fromEntries(Object.keys(user).map((id) => [id, {}])) }
    : { type: "SystemAssigned" };
  return client.virtualMachines.update(resourceGroup, name, { identity }, options);
}
