import { randomUUID } from "node:crypto";
import type { OperationFailureSpec } from "./types.js";

/** Final and running statuses of an emulated operation. */
export type OperationStatus = "InProgress" | "Succeeded" | "Failed";

/** An asynchronous operation, as its status URL reports it. */
export interface AsyncOperation {
  readonly id: string;
  /** Normalized location of the resource, part of the status URL. */
  readonly location: string;
  readonly status: OperationStatus;
  readonly startTime: string;
  readonly endTime?: string;
  readonly error?: { code: string; message: string };
}

/** The body a status URL answers with. */
export function statusBody(op: AsyncOperation): Record<string, unknown> {
  const body: Record<string, unknown> = { name: op.id, status: op.status, startTime: op.startTime };
  if (op.endTime !== undefined) body.endTime = op.endTime;
  if (op.error !== undefined) body.error = op.error;
  return body;
}

/** The registry of operations: started by writes, advanced by polls and a timer. */
export interface Operations {
  /** Starts an operation; `onFinish` applies its outcome to the resource. */
  start(location: string, onFinish: (status: "Succeeded" | "Failed") => void): AsyncOperation;
  /** One poll: counts down the polls left, then finishes the operation. Undefined when unknown. */
  poll(id: string): AsyncOperation | undefined;
  /** Finishes every running operation now. */
  completeAll(): void;
  /** Makes the next operations started fail. */
  failNext(spec: OperationFailureSpec): void;
  /** Forgets all operations and cancels their timers, without finishing them. */
  clear(): void;
}

interface Entry {
  id: string;
  location: string;
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
  pollsLeft: number;
  failWith?: { code: string; message: string };
  timer?: NodeJS.Timeout;
  onFinish: (status: "Succeeded" | "Failed") => void;
}

/** Creates an operation registry. */
export function createOperations(options: { pollsUntilDone: number; autoCompleteAfterMs: number }): Operations {
  const entries = new Map<string, Entry>();
  const failures: Array<{ code: string; message: string; left: number }> = [];

  function finish(entry: Entry): void {
    if (entry.status !== "InProgress") return;
    clearTimeout(entry.timer);
    entry.endTime = new Date().toISOString();
    if (entry.failWith) {
      entry.status = "Failed";
      entry.error = entry.failWith;
    } else {
      entry.status = "Succeeded";
    }
    entry.onFinish(entry.status);
  }

  function nextFailure(): { code: string; message: string } | undefined {
    const failure = failures[0];
    if (!failure) return undefined;
    failure.left -= 1;
    if (failure.left <= 0) failures.shift();
    return { code: failure.code, message: failure.message };
  }

  return {
    start(location, onFinish) {
      const entry: Entry = {
        id: randomUUID(),
        location,
        status: "InProgress",
        startTime: new Date().toISOString(),
        pollsLeft: options.pollsUntilDone,
        failWith: nextFailure(),
        onFinish,
      };
      if (Number.isFinite(options.autoCompleteAfterMs)) {
        entry.timer = setTimeout(() => finish(entry), options.autoCompleteAfterMs);
        // A forgotten emulator must not keep the test process alive.
        entry.timer.unref();
      }
      entries.set(entry.id, entry);
      return entry;
    },

    poll(id) {
      const entry = entries.get(id.toLowerCase());
      if (!entry) return undefined;
      if (entry.status === "InProgress") {
        if (entry.pollsLeft > 0) entry.pollsLeft -= 1;
        else finish(entry);
      }
      return entry;
    },

    completeAll() {
      for (const entry of entries.values()) finish(entry);
    },

    failNext(spec) {
      const times = spec.times ?? 1;
      if (!(times >= 1)) throw new RangeError(`failOperations times must be >= 1, got ${times}.`);
      failures.push({
        code: spec.code ?? "InternalExecutionError",
        message: spec.message ?? "The operation failed (failure injected by the ARM emulator).",
        left: times,
      });
    },

    clear() {
      for (const entry of entries.values()) clearTimeout(entry.timer);
      entries.clear();
      failures.length = 0;
    },
  };
}
