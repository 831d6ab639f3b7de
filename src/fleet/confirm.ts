/**
 * How a fleet learns that its VMs' operations ended, and reads them back, at
 * the lowest cost in reads: when the VMs came from a list and more of them
 * are waiting than the pages of it read so far, one sweep of those pages
 * answers for all of them; otherwise each VM is read on its own. Either read
 * shows the VM's `provisioningState` and final identity; the operation's
 * status URL is read only to explain one that ended `Failed`.
 */
import { newRestError } from "../http/lazyDependencies.js";
import { asRecord } from "../core/record.js";
import { armRequest, withoutQuery } from "../core/request.js";
import { isTerminalState, provisioningStateOf } from "../http/lro.js";
import type { ArmResponse, Operation } from "../http/operation.js";
import { restErrorFromOperation } from "../http/restError.js";
import type { ListScope } from "./selection.js";

/** Waits for the operations of a fleet's writes to end. */
export interface Confirmer {
  /**
   * Wait until the operation `response` (a write's answer, with a status URL)
   * started on the resource at `url` ends; resolve with the resource's final
   * JSON, reject like the operation if it ended `Failed` or `Canceled`.
   */
  confirm(op: Operation, url: string, response: ArmResponse, scope?: ListScope, verify?: (body: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Reads made, and how many were list sweeps. */
  readonly stats: { vmReads: number; sweeps: number; sweepPages: number };
}

interface Waiting {
  /** When it began to wait, in the confirmer's own count: a list page asked for before that cannot show its write. */
  seq: number;
  op: Operation;
  url: string;
  statusUrl?: string;
  /** Whether the resource shows the write's change; when it does not, only the status URL can say how the write ended. */
  verify?: (body: Record<string, unknown>) => boolean;
  what: string;
  resolve(body: Record<string, unknown>): void;
  reject(error: unknown): void;
  done: boolean;
}

interface ScopeState {
  scope: ListScope;
  waiting: Map<string, Waiting>;
  timer?: ReturnType<typeof setTimeout>;
  sweeping: boolean;
}

/** A VM's key: its resource id, lower-cased (a URL's path is percent-encoded; an id is not). */
const keyOf = (url: string): string => {
  const path = new URL(url).pathname;
  try {
    return decodeURIComponent(path).toLowerCase();
  } catch {
    return path.toLowerCase();
  }
};

/**
 * Create the confirmer of one fleet run. `lister` sends the list sweeps (the
 * fleet's own operation, under its budgets); `intervalInMs` is how long to
 * wait between looks, as a poll interval.
 */
export function createConfirmer(lister: Operation, intervalInMs: number): Confirmer {
  const scopes = new Map<string, ScopeState>();
  const stats = { vmReads: 0, sweeps: 0, sweepPages: 0 };
  let seq = 0;

  /** Settle one waiter from a read of its VM; true when its operation has ended. */
  async function settleFrom(w: Waiting, body: Record<string, unknown>, raw: ArmResponse | undefined): Promise<boolean> {
    const state = provisioningStateOf(body);
    if (!isTerminalState(state)) return false;
    const lower = state?.toLowerCase();
    const settled = lower === "succeeded" || state === undefined;
    if (settled && (!w.verify || w.verify(body) || !w.statusUrl)) {
      finish(w, () => w.resolve(body));
      return true;
    }
    // Ended Failed or Canceled; or settled without the change, which only the write's own
    // operation can explain: it failed (and was rolled back), has still to run, or did its
    // work before another write undid it.
    try {
      const status = w.statusUrl ? await w.op.send(armRequest("GET", w.statusUrl)) : raw;
      const reported = String((asRecord(status?.body) ?? {})["status"] ?? (settled ? "" : state));
      if (settled && !isTerminalState(reported)) return false;
      const ended = reported.toLowerCase();
      if (ended === "succeeded" || (settled && !w.statusUrl)) finish(w, () => w.resolve(body));
      else {
        const how = ended === "canceled" || ended === "cancelled" ? "Canceled" : "Failed";
        finish(w, () => w.reject(restErrorFromOperation(w.what, how, (status ?? raw)!.raw, status?.body ?? body)));
      }
    } catch (e) {
      // The status could not be read: the outcome stays unknown (the operation is not settled).
      w.done = true;
      w.reject(e);
    }
    return true;
  }

  function finish(w: Waiting, settle: () => void): void {
    w.done = true;
    w.op.settle();
    settle();
  }

  /** One look at each waiting VM on its own: a GET of the VM. */
  async function readEach(state: ScopeState | undefined, waiters: Waiting[]): Promise<void> {
    await Promise.all(
      waiters.map(async (w) => {
        if (w.done) return;
        try {
          stats.vmReads++;
          const response = await w.op.send(armRequest("GET", w.url));
          if (await settleFrom(w, asRecord(response.body) ?? {}, response)) state?.waiting.delete(keyOf(w.url));
        } catch (e) {
          w.done = true;
          state?.waiting.delete(keyOf(w.url));
          w.reject(e);
        }
      }),
    );
  }

  /**
   * One sweep of a list, each entry settling the VM it shows: every page, or
   * only the first `maxPages` while the fleet is still reading the list (its
   * waiting VMs all came from those). A VM that was waiting when the sweep
   * began and that no page showed (the list shifted, or it is gone) is then
   * read on its own, so that it is never left to wait on a list that no
   * longer holds it.
   */
  async function sweep(state: ScopeState, maxPages: number): Promise<void> {
    stats.sweeps++;
    const began = seq;
    const shown = new Set<string>();
    let pages = 0;
    for (let next: string | undefined = state.scope.url; next && state.waiting.size > 0 && pages < maxPages; ) {
      // Only VMs already waiting when the page is asked for: one whose write was answered later may not show on it yet.
      const askedAt = seq;
      const page = await lister.send(armRequest("GET", next));
      stats.sweepPages++;
      pages++;
      const body = asRecord(page.body) ?? {};
      for (const entry of Array.isArray(body["value"]) ? body["value"] : []) {
        const vm = asRecord(entry);
        const id = typeof vm?.["id"] === "string" ? vm["id"].toLowerCase() : undefined;
        if (id === undefined) continue;
        shown.add(id);
        const w = state.waiting.get(id);
        if (w && !w.done && w.seq <= askedAt && (await settleFrom(w, vm!, undefined))) state.waiting.delete(id);
      }
      next = typeof body["nextLink"] === "string" && body["nextLink"] ? body["nextLink"] : undefined;
    }
    const unseen = [...state.waiting].filter(([id, w]) => !w.done && w.seq <= began && !shown.has(id)).map(([, w]) => w);
    if (unseen.length > 0) await readEach(state, unseen);
  }

  function schedule(key: string, state: ScopeState): void {
    if (state.timer || state.sweeping || state.waiting.size === 0) return;
    // Not unref'd: waiting for outcomes is the fleet's work, and must keep the process alive.
    state.timer = setTimeout(() => void tick(key, state), intervalInMs);
  }

  async function tick(key: string, state: ScopeState): Promise<void> {
    state.timer = undefined;
    for (const [id, w] of state.waiting) if (w.done) state.waiting.delete(id);
    if (state.waiting.size === 0) return;
    state.sweeping = true;
    try {
      // A sweep costs the pages it reads; reading each VM costs one read a VM. While the fleet
      // is still reading the list (a long list is read as the fleet gets to it), the pages it
      // has seen hold every VM waiting here, so a sweep stops after them.
      const pages = Math.max(1, state.scope.pages);
      if (state.scope.pages > 0 && pages < state.waiting.size) {
        await sweep(state, state.scope.complete ? Infinity : pages);
      } else {
        await readEach(state, [...state.waiting.values()]);
      }
    } catch (e) {
      // A sweep that fails (throttled past its retries, the list gone): each VM is read on its own next time.
      if (!lister.signal.aborted) await readEach(state, [...state.waiting.values()]).catch(() => undefined);
      else for (const w of state.waiting.values()) if (!w.done) ((w.done = true), w.reject(e));
    } finally {
      state.sweeping = false;
    }
    // A VM's own state is dropped once it is done; a list's is kept for the VMs still to come.
    if (state.waiting.size === 0 && key.startsWith("vm ")) scopes.delete(key);
    schedule(key, state);
  }

  return {
    stats,
    confirm(op, url, response, scope, verify) {
      return new Promise<Record<string, unknown>>((resolve, reject) => {
        const waiting: Waiting = {
          seq: ++seq,
          op,
          url,
          ...(response.headers["azure-asyncoperation"] ? { statusUrl: response.headers["azure-asyncoperation"] } : {}),
          what: `${response.request.method} ${withoutQuery(response.request.url)}`,
          ...(verify ? { verify } : {}),
          resolve,
          reject,
          done: false,
        };
        const onAbort = (): void => {
          if (waiting.done) return;
          waiting.done = true;
          reject(op.signal.reason ?? newRestError("aborted"));
        };
        op.signal.addEventListener("abort", onAbort, { once: true });
        const cleanup = (): void => op.signal.removeEventListener("abort", onAbort);
        waiting.resolve = (body) => {
          cleanup();
          resolve(body);
        };
        waiting.reject = (e) => {
          cleanup();
          reject(e);
        };
        const key = scope ? `list ${scope.url}` : `vm ${keyOf(url)}`;
        let state = scopes.get(key);
        if (!state) {
          state = { scope: scope ?? { url, subscriptionId: "", pages: Infinity, complete: false }, waiting: new Map(), sweeping: false };
          scopes.set(key, state);
        }
        state.waiting.set(keyOf(url), waiting);
        schedule(key, state);
      });
    },
  };
}
