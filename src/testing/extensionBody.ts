/** Validation of an extension's `properties`, the same for a VM's and a scale set's extensions. */
import { invalidParameter } from "./errors.js";
import { optionalObject } from "./requestBody.js";

const REQUIRED_PROPERTIES = ["publisher", "type", "typeHandlerVersion"] as const;

/**
 * The extension properties of a PUT body as stored: without the read-only
 * `provisioningState`.
 *
 * @throws ArmError 400 `InvalidParameter` when `publisher`, `type` or `typeHandlerVersion` is missing.
 */
export function extensionProperties(body: Record<string, unknown>): Record<string, unknown> {
  const { provisioningState: _state, ...properties } = optionalObject(body.properties, "properties") ?? {};
  for (const property of REQUIRED_PROPERTIES) {
    if (typeof properties[property] !== "string" || properties[property] === "") {
      throw invalidParameter(`The parameter properties.${property} is required.`, `properties.${property}`);
    }
  }
  return properties;
}
