/**
 * Denied actions: the emulator's caller may do everything except what a test
 * denies. Requests are checked before they reach their route, as ARM checks
 * authorization before the resource provider sees a request.
 */
import type { DenySpec } from "./accessTypes.js";
import { ArmError } from "./errors.js";
import { isPlainObject } from "./json.js";
import { isWithinScope, scopeOf } from "./scopes.js";

/** The action attaching a user-assigned identity to a resource needs on the identity. */
export const ASSIGN_IDENTITY_ACTION = "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action";

interface Denial {
  pattern: RegExp;
  scope: string;
}

/** The denials in force. */
export interface Denials {
  /** @throws TypeError for a malformed spec (nothing is added then). */
  add(specs: readonly DenySpec[]): void;
  clear(): void;
  isDenied(action: string, scope: string): boolean;
}

/**
 * A star matches any run of characters, and a star standing for a whole
 * segment also matches no segment at all: ARM's Managed Identity Operator
 * grants `userAssignedIdentities/{star}/assign/action`, which covers `userAssignedIdentities/assign/action`.
 */
function globPattern(action: string): RegExp {
  const escape = (part: string) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&");
  const body = action
    .split("/*/")
    .map((piece) => piece.split("*").map(escape).join(".*"))
    .join("/(?:.*/)?");
  return new RegExp(`^${body}$`, "i");
}

/** Creates an empty set of denials. */
export function createDenials(): Denials {
  let denials: Denial[] = [];
  return {
    add(specs) {
      const parsed = specs.map((spec) => {
        if (typeof spec?.action !== "string" || spec.action.trim() === "") {
          throw new TypeError(`denyActions: action must be a non-empty string such as "Microsoft.Compute/virtualMachines/write", got ${JSON.stringify(spec?.action)}.`);
        }
        if (spec.scope !== undefined && (typeof spec.scope !== "string" || !spec.scope.startsWith("/"))) {
          throw new TypeError(`denyActions: scope must be a path starting with '/', such as "/subscriptions/{id}", got ${JSON.stringify(spec.scope)}.`);
        }
        return { pattern: globPattern(spec.action.trim()), scope: spec.scope ?? "/" };
      });
      denials = [...denials, ...parsed];
    },
    clear() {
      denials = [];
    },
    isDenied: (action, scope) => denials.some((d) => d.pattern.test(action) && isWithinScope(scope, d.scope)),
  };
}

/**
 * The ARM action a request performs, from its method and path: the last
 * provider namespace and the resource types after it, then `read`, `write`,
 * `delete`, or for a POST `{name}/action`. Undefined for paths outside any provider.
 *
 * `PUT .../virtualMachines/vm1` is `Microsoft.Compute/virtualMachines/write`;
 * `POST .../virtualMachineScaleSets/ss/manualupgrade` is `Microsoft.Compute/virtualMachineScaleSets/manualupgrade/action`.
 */
export function actionOf(method: string, segments: readonly string[]): string | undefined {
  const at = segments.map((s) => s.toLowerCase()).lastIndexOf("providers");
  if (at < 0 || at + 2 >= segments.length) return undefined;
  const namespace = segments[at + 1] as string;
  const rest = segments.slice(at + 2);
  const postAction = method === "POST" && rest.length % 2 === 1 ? rest.pop() : undefined;
  const types = rest.filter((_, i) => i % 2 === 0);
  const verb = postAction !== undefined ? `${postAction}/action` : method === "GET" ? "read" : method === "DELETE" ? "delete" : "write";
  return [namespace, ...types, verb].join("/");
}

/** The user-assigned identities a request body attaches (its map's entries that are not `null`). */
export function attachedIdentityIds(body: unknown): string[] {
  const map = isPlainObject(body) && isPlainObject(body.identity) ? body.identity.userAssignedIdentities : undefined;
  return isPlainObject(map) ? Object.entries(map).filter(([, value]) => value !== null).map(([id]) => id) : [];
}

/**
 * Checks a request against the denials.
 *
 * @throws ArmError 403 `AuthorizationFailed` when its action is denied at its path,
 *   403 `LinkedAuthorizationFailed` when it attaches identities whose assign action is denied.
 */
export function authorize(denials: Denials, callerId: string, method: string, segments: readonly string[], body: unknown): void {
  const action = actionOf(method, segments);
  if (action === undefined) return;
  const scope = scopeOf(segments);
  if (denials.isDenied(action, scope)) {
    throw new ArmError(
      403,
      "AuthorizationFailed",
      `The client '${callerId}' with object id '${callerId}' does not have authorization to perform action '${action}' ` +
        `over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }
  if (method !== "PUT" && method !== "PATCH") return;
  const linked = attachedIdentityIds(body).filter((id) => denials.isDenied(ASSIGN_IDENTITY_ACTION, id));
  if (linked.length > 0) {
    throw new ArmError(
      403,
      "LinkedAuthorizationFailed",
      `The client '${callerId}' with object id '${callerId}' has permission to perform action '${action}' on scope '${scope}'; ` +
        `however, it does not have permission to perform action '${ASSIGN_IDENTITY_ACTION}' on the linked scope(s) ` +
        `'${linked.join(",")}' or the linked scope(s) are invalid.`,
    );
  }
}
