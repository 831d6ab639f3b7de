/** GET, PUT and DELETE of a user-assigned identity (synchronous, as the identity service is). */
import type { EmulatorState, RouteHandler } from "../context.js";
import { resourceNotFound } from "../errors.js";
import { chargeIdentityWork } from "../identityLimits.js";
import { newUaiRecord } from "../records.js";
import { assertSameLocation, objectBody, optionalTags, requiredLocation } from "../requestBody.js";
import { renderUai } from "../render.js";
import { captures, resourceKey } from "../resourceIds.js";
import { empty, json } from "../response.js";

/** Creates the user-assigned identity route handlers. */
export function createUaiRoutes(state: EmulatorState): { get: RouteHandler; put: RouteHandler; delete: RouteHandler } {
  const { store } = state;

  return {
    get(_req, params) {
      const { resourceGroup, identityName } = captures(params, "resourceGroup", "identityName");
      const uai = store.findUai(resourceGroup, identityName);
      if (!uai) throw resourceNotFound("Microsoft.ManagedIdentity/userAssignedIdentities", resourceGroup, identityName);
      return json(renderUai(uai));
    },

    put(req, params) {
      const { resourceGroup, identityName } = captures(params, "resourceGroup", "identityName");
      const body = objectBody(req);
      const location = requiredLocation(body);
      const tags = optionalTags(body.tags) ?? {};
      const existing = store.findUai(resourceGroup, identityName);
      if (existing) {
        assertSameLocation(existing, location);
        existing.tags = tags;
        return json(renderUai(existing), 200);
      }
      chargeIdentityWork(state, { creates: 1, assigns: 0 }, { synchronous: true });
      const uai = newUaiRecord({
        subscriptionId: state.subscriptionId,
        tenantId: state.tenantId,
        resourceGroup,
        name: identityName,
        location,
        tags,
      });
      store.uais.set(resourceKey(resourceGroup, identityName), uai);
      return json(renderUai(uai), 201);
    },

    delete(_req, params) {
      const { resourceGroup, identityName } = captures(params, "resourceGroup", "identityName");
      return empty(store.uais.delete(resourceKey(resourceGroup, identityName)) ? 200 : 204);
    },
  };
}
