import { randomUUID } from "node:crypto";
import type { EmulatorClock } from "./clock.js";
import type { FailedOperationChanges, OperationFailureSpec } from "./types.js";

/** Final and running statuses of an emulated operation. */
export type OperationStatus = "InProgress" | "Succeeded" | "Failed" | "Canceled";

/** A final status. */
export type FinalStatus = Exclude<OperationStatus, "InProgress">;

/** An asynchronous operation, as its status URL reports it. */
export interface AsyncOperation {
  readonly id: string;
  /** Normalized location of the resource, part of the status URL. */
  readonly location: string;
  /** The resource the operation runs on (its Compute `GetOperation` bucket). */
  readonly resourceId: string | undefined;
  readonly status: OperationStatus;
  readonly startTime: string;
  readonly endTime?: string;
  readonly error?: { code: string; message: string };
}

/** How an operation ended, for the write that started it. */
export interface OperationOutcome {
  status: FinalStatus;
  /** The write's state change must be undone (a failed or cancelled operation under `"rolledBack"`). */
  rollBack: boolean;
}

/** The body a status URL answers with. */
export function statusBody(op: AsyncOperation): Record<string, unknown> {
  const body: Record<string, unknown> = { name: op.id, status: op.status, startTime: op.startTime };
  if (op.endTime !== undefined) body.endTime = op.endTime;
  if (op.error !== undefined) body.error = op.error;
  return body;
}

/** A failure an operation is made to end with. */
export interface OperationFailure {
  status: "Failed" | "Canceled";
  code: string;
  message: string;
  changes: FailedOperationChanges;
}

/** What starts an operation. */
export interface OperationStart {
  /** Normalized location of the resource. */
  location: string;
  /** The resource it runs on. */
  resourceId?: string;
  /** Applies the outcome to the resource. */
  onFinish: (outcome: OperationOutcome) => void;
  /** Makes this operation fail (before any failure queued by `failNext`). */
  failWith?: { code: string; message: string } | undefined;
  /**
   * Emulator time this operation runs, instead of `operationDurationMs` (a
   * scale set's writes take their own). Undefined: `operationDurationMs`, or
   * without it `pollsUntilDone`.
   */
  durationMs?: number | undefined;
}

/** The registry of operations: started by writes, finished by emulator time or polls. */
export interface Operations {
  start(start: OperationStart): AsyncOperation;
  /** One poll: counts down the polls left (of an operation without a set duration), then finishes. Undefined when unknown. */
  poll(id: string): AsyncOperation | undefined;
  /** The operation, without counting a poll. */
  get(id: string): AsyncOperation | undefined;
  /** Finishes every operation whose time has come. Cheap when none has: call it before reading state. */
  settle(): void;
  /** Finishes every running operation now. */
  completeAll(): void;
  /** Makes the next operations started end in a failure. */
  failNext(spec: OperationFailureSpec): void;
  /** Forgets all operations and queued failures, without finishing them. */
  clear(): void;
}

/** How operations run. */
export interface OperationTiming {
  pollsUntilDone: number;
  /** Emulator time after which an unpolled operation completes (`pollsUntilDone` mode). */
  autoCompleteAfterMs: number;
  /** Emulator time every operation runs; when set, polls do not advance operations. */
  operationDurationMs: number | undefined;
  /** What a failed operation does to its write's change unless its failure says. */
  failedOperationChanges: FailedOperationChanges;
  clock: EmulatorClock;
}

interface Entry {
  id: string;
  location: string;
  resourceId: string | undefined;
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
  pollsLeft: number;
  /** It runs for a set emulator time, and polls do not advance it. */
  timed: boolean;
  failWith?: OperationFailure;
  onFinish: (outcome: OperationOutcome) => void;
}

/** A binary min-heap of due times. */
function createDueHeap() {
  const heap: Array<{ due: number; entry: Entry }> = [];
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
  return {
    push(due: number, entry: Entry) {
      heap.push({ due, entry });
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (heap[parent]!.due <= heap[i]!.due) break;
        swap(i, parent);
        i = parent;
      }
    },
    /** The earliest entry due at or before `now`, removed; undefined when none is. */
    popDue(now: number): Entry | undefined {
      if (heap.length === 0 || heap[0]!.due > now) return undefined;
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < heap.length && heap[l]!.due < heap[m]!.due) m = l;
          if (r < heap.length && heap[r]!.due < heap[m]!.due) m = r;
          if (m === i) break;
          swap(i, m);
          i = m;
        }
      }
      return top.entry;
    },
    clear() {
      heap.length = 0;
    },
  };
}

/** Finished operations kept for their status URLs; the oldest finished are forgotten past this. */
const MAX_FINISHED = 50_000;

const NO_FINISH = () => undefined;

const DEFAULT_MESSAGES = {
  Failed: { code: "InternalExecutionError", message: "The operation failed (failure injected by the ARM emulator)." },
  Canceled: { code: "OperationCanceled", message: "The operation was canceled (cancellation injected by the ARM emulator)." },
} as const;

/** Creates an operation registry. */
export function createOperations(timing: OperationTiming): Operations {
  const { clock } = timing;
  const entries = new Map<string, Entry>();
  const due = createDueHeap();
  const failures: Array<OperationFailure & { left: number }> = [];
  /** Ids of finished operations, oldest first: memory stays bounded on long runs. */
  const finished = new Set<string>();
  const iso = () => new Date(clock.now()).toISOString();

  function finish(entry: Entry): void {
    if (entry.status !== "InProgress") return;
    entry.endTime = iso();
    const failure = entry.failWith;
    if (failure) {
      entry.status = failure.status;
      entry.error = { code: failure.code, message: failure.message };
    } else {
      entry.status = "Succeeded";
    }
    const onFinish = entry.onFinish;
    // What the write captured (its resource, the state to roll back to) is let go.
    entry.onFinish = NO_FINISH;
    delete entry.failWith;
    finished.add(entry.id);
    if (finished.size > MAX_FINISHED) {
      const oldest = finished.values().next().value as string;
      finished.delete(oldest);
      entries.delete(oldest);
    }
    onFinish({ status: entry.status, rollBack: failure !== undefined && failure.changes === "rolledBack" });
  }

  function nextFailure(): OperationFailure | undefined {
    const failure = failures[0];
    if (!failure) return undefined;
    failure.left -= 1;
    if (failure.left <= 0) failures.shift();
    const { left: _left, ...spec } = failure;
    return spec;
  }

  function settle(): void {
    const now = clock.now();
    for (let entry = due.popDue(now); entry; entry = due.popDue(now)) finish(entry);
  }

  return {
    start({ location, resourceId, onFinish, failWith, durationMs }) {
      const duration = durationMs ?? timing.operationDurationMs;
      const entry: Entry = {
        id: randomUUID(),
        location,
        resourceId,
        status: "InProgress",
        startTime: iso(),
        pollsLeft: timing.pollsUntilDone,
        timed: duration !== undefined,
        failWith: failWith ? { status: "Failed", ...failWith, changes: timing.failedOperationChanges } : nextFailure(),
        onFinish,
      };
      const runFor = duration ?? timing.autoCompleteAfterMs;
      if (Number.isFinite(runFor)) due.push(clock.now() + runFor, entry);
      entries.set(entry.id, entry);
      return entry;
    },

    poll(id) {
      settle();
      const entry = entries.get(id.toLowerCase());
      if (!entry) return undefined;
      if (entry.status === "InProgress" && !entry.timed) {
        if (entry.pollsLeft > 0) entry.pollsLeft -= 1;
        else finish(entry);
      }
      return entry;
    },

    get: (id) => entries.get(id.toLowerCase()),

    settle,

    completeAll() {
      for (const entry of entries.values()) finish(entry);
    },

    failNext(spec) {
      const times = spec.times ?? 1;
      if (!(times >= 1)) throw new RangeError(`failOperations times must be >= 1, got ${times}.`);
      const status = spec.status ?? "Failed";
      if (status !== "Failed" && status !== "Canceled") {
        throw new RangeError(`failOperations status must be "Failed" or "Canceled", got ${JSON.stringify(status)}.`);
      }
      const changes = spec.changes ?? timing.failedOperationChanges;
      if (changes !== "applied" && changes !== "rolledBack") {
        throw new RangeError(`failOperations changes must be "applied" or "rolledBack", got ${JSON.stringify(changes)}.`);
      }
      failures.push({
        status,
        code: spec.code ?? DEFAULT_MESSAGES[status].code,
        message: spec.message ?? DEFAULT_MESSAGES[status].message,
        changes,
        left: times,
      });
    },

    clear() {
      entries.clear();
      finished.clear();
      due.clear();
      failures.length = 0;
    },
  };
}
