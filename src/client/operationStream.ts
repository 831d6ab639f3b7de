import type { ArmConnection } from "../http/connection.js";
import { type Operation, createOperation } from "../http/operation.js";
import type { OperationOptions } from "../options.js";

/**
 * A paged list as an `AsyncIterable`: one operation (span, correlation id,
 * deadline) per iteration, made when iteration starts, its errors translated
 * (`TimeoutError`, `AbortError`) and its span ended when the pages end.
 */
export function operationStream<T>(
  connection: ArmConnection,
  name: string,
  options: OperationOptions,
  pages: (op: Operation) => AsyncIterable<T>,
): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      const op = createOperation(connection, name, options);
      try {
        yield* pages(op);
        op.finish();
      } catch (e) {
        const error = op.translate(e);
        op.finish(error);
        throw error;
      }
    },
  };
}
