import type { ConnectionFault, FaultSpec } from "./types.js";

/** Whether the fault acts on the connection rather than answering. */
export function isConnectionFault(fault: FaultSpec): fault is ConnectionFault {
  return fault.kind === "reset" || fault.kind === "hang";
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
      if (!isConnectionFault(spec) && !Number.isInteger(spec.status)) {
        throw new TypeError("A fault without kind 'reset' or 'hang' needs an integer status.");
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
