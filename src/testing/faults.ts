import type { ConnectionFault, FaultSpec, LostResponseFault, ResponseFault } from "./types.js";

/** Whether the fault acts on the connection rather than answering. */
export function isConnectionFault(fault: FaultSpec): fault is ConnectionFault {
  return fault.kind === "reset" || fault.kind === "hang";
}

/** Whether the fault lets the emulator handle the request, then drops the answer. */
export function isLostResponseFault(fault: FaultSpec): fault is LostResponseFault {
  return fault.kind === "lose-response";
}

/** Whether the fault answers with a canned response. */
export function isResponseFault(fault: FaultSpec): fault is ResponseFault {
  return fault.kind === undefined || fault.kind === "respond";
}

/** Injected faults, used up in the order they were added. */
export interface FaultRegistry {
  add(fault: FaultSpec): void;
  /** Takes one use of the first fault matching the request, if any. */
  take(method: string, pathAndQuery: string): FaultSpec | undefined;
  clear(): void;
}

interface ActiveFault {
  spec: FaultSpec;
  left: number;
}

/** Creates an empty fault registry. */
export function createFaultRegistry(): FaultRegistry {
  let faults: ActiveFault[] = [];

  return {
    add(spec) {
      const times = spec.times ?? 1;
      if (!(times >= 1)) throw new RangeError(`Fault times must be >= 1 (or Infinity), got ${times}.`);
      if (!isResponseFault(spec) && !isConnectionFault(spec) && !isLostResponseFault(spec)) {
        throw new TypeError(
          `Unknown fault kind ${JSON.stringify((spec as { kind?: unknown }).kind)}: expected "respond", "reset", "hang" or "lose-response".`,
        );
      }
      if (isResponseFault(spec) && !Number.isInteger(spec.status)) {
        throw new TypeError("A fault without kind 'reset', 'hang' or 'lose-response' needs an integer status.");
      }
      faults.push({ spec: { ...spec }, left: times });
    },

    take(method, pathAndQuery) {
      const path = pathAndQuery.toLowerCase();
      const fault = faults.find(
        ({ spec }) =>
          (spec.method === undefined || spec.method.toUpperCase() === method) &&
          (spec.pathIncludes === undefined || path.includes(spec.pathIncludes.toLowerCase())),
      );
      if (!fault) return undefined;
      fault.left -= 1;
      if (fault.left <= 0) faults = faults.filter((f) => f !== fault);
      return fault.spec;
    },

    clear() {
      faults = [];
    },
  };
}
