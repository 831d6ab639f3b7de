/** The status URLs of asynchronous operations (`Azure-AsyncOperation` and `Location`). */
import { statusRetryAfter, type EmulatorState, type RouteHandler } from "../context.js";
import { ArmError, errorResponse } from "../errors.js";
import { statusBody, type AsyncOperation } from "../operations.js";
import { captures, type RouteParams } from "../resourceIds.js";
import { empty, json } from "../response.js";

/** Creates the operation status handlers. Each GET counts as one poll. */
export function createOperationRoutes(state: EmulatorState): { status: RouteHandler; result: RouteHandler } {
  const retryAfter = () => statusRetryAfter(state);

  function poll(params: RouteParams): AsyncOperation {
    const { operationId } = captures(params, "operationId");
    const op = state.operations.poll(operationId);
    if (!op) throw new ArmError(404, "OperationNotFound", `The operation '${operationId}' was not found.`);
    return op;
  }

  return {
    status(_req, params) {
      return json(statusBody(poll(params)), 200, retryAfter());
    },

    /** The `Location` flavour: 202 while running, 204 when done, the operation's error when it failed. */
    result(req, params) {
      const op = poll(params);
      if (op.status === "InProgress") return empty(202, { Location: req.url.href, ...retryAfter() });
      if (op.error) return errorResponse(500, op.error.code, op.error.message);
      return empty(204);
    },
  };
}
