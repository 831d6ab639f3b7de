/**
 * Resource Graph over the emulator's resources: the `resources` table (VMs,
 * their extensions, user-assigned identities), a query of the KQL subset in
 * kql.ts, and result pages that stay stable while a client pages through them.
 */
import { randomUUID } from "node:crypto";
import type { EmulatorState } from "./context.js";
import { COLUMNS, type Column, type Comparison, type KqlQuery } from "./kql.js";
import { renderExtension, renderUai, vmView } from "./render.js";
import { normalizeLocation } from "./resourceIds.js";
import type { ExtensionRecord, UaiRecord, VmRecord } from "./store.js";

/** One row of the `resources` table, its columns computed on first use. */
interface RowSource {
  readonly state: EmulatorState;
  readonly vm?: VmRecord;
  readonly extension?: ExtensionRecord;
  readonly uai?: UaiRecord;
  cache?: Partial<Record<Column, unknown>>;
}

const TYPES = {
  vm: "microsoft.compute/virtualmachines",
  extension: "microsoft.compute/virtualmachines/extensions",
  uai: "microsoft.managedidentity/userassignedidentities",
} as const;

/** A column's value, as Resource Graph shows it: types, groups and locations lower-cased. */
function computeColumn(row: RowSource, column: Column): unknown {
  const { state, vm, extension, uai } = row;
  const resource = (uai ?? vm) as UaiRecord | VmRecord;
  switch (column) {
    case "id":
      return vm && extension ? `${vm.id}/extensions/${extension.name}` : resource.id;
    case "name":
      return extension ? extension.name : resource.name;
    case "type":
      return extension ? TYPES.extension : uai ? TYPES.uai : TYPES.vm;
    case "location":
      return normalizeLocation(extension?.location ?? resource.location);
    case "resourceGroup":
      return resource.resourceGroup.toLowerCase();
    case "subscriptionId":
      return state.subscriptionId;
    case "tenantId":
      return state.tenantId;
    case "kind":
      return "";
    case "tags":
      return extension ? {} : { ...(resource.tags ?? {}) };
    case "identity":
      return vm && !extension ? (vmView(vm).identity ?? null) : null;
    case "properties": {
      if (vm && extension) return renderExtension(vm, extension).properties;
      if (uai) return renderUai(uai).properties;
      return (vm as VmRecord) && vmView(vm as VmRecord).properties;
    }
  }
}

/** Columns worth keeping once computed: small strings. The others are rendered on each use, so held results stay small. */
const CACHED = new Set<Column>(["id", "name", "type", "location", "resourceGroup"]);

function valueOf(row: RowSource, column: Column): unknown {
  if (!CACHED.has(column)) return computeColumn(row, column);
  row.cache ??= {};
  if (!(column in row.cache)) row.cache[column] = computeColumn(row, column);
  return row.cache[column];
}

/** A value as KQL compares it with a string: missing is "", objects are their JSON. */
function asText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function matches(row: RowSource, { column, steps, operator, values }: Comparison): boolean {
  let value = valueOf(row, column);
  for (const step of steps) value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[step] : undefined;
  const text = asText(value);
  const caseless = operator.includes("~");
  const subject = caseless ? text.toLowerCase() : text;
  const hit = values.some((v) => (caseless ? v.toLowerCase() : v) === subject);
  return operator.startsWith("!") ? !hit : hit;
}

function* rowsOf(states: Iterable<EmulatorState>): Generator<RowSource> {
  for (const state of states) {
    for (const vm of state.store.vms.list()) {
      yield { state, vm };
      for (const extension of vm.extensions.values()) yield { state, vm, extension };
    }
    for (const uai of state.store.uais.list()) yield { state, uai };
  }
}

/** The rows a query selects, before paging, and the columns it shows. */
export interface QueryResult {
  rows: RowSource[];
  columns: readonly Column[];
}

/** Runs a parsed query over the resources of `states`. */
export function runQuery(query: KqlQuery, states: Iterable<EmulatorState>): QueryResult {
  let rows: RowSource[] = [];
  let columns: readonly Column[] = COLUMNS;
  const [firstStage, ...rest] = query.stages;
  // The first `where` filters as rows are produced: no table is built only to be thrown away.
  const firstFilter = firstStage?.kind === "where" ? firstStage.conditions : undefined;
  for (const row of rowsOf(states)) if (!firstFilter || firstFilter.every((c) => matches(row, c))) rows.push(row);
  for (const stage of firstFilter ? rest : query.stages) {
    if (stage.kind === "where") rows = rows.filter((row) => stage.conditions.every((c) => matches(row, c)));
    else if (stage.kind === "take") rows = rows.slice(0, stage.count);
    else columns = stage.columns;
  }
  return { rows, columns };
}

/** A row as a Resource Graph answer shows it (`objectArray` format). */
export function renderRow(row: RowSource, columns: readonly Column[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns) out[column] = valueOf(row, column);
  return out;
}

/**
 * Results being paged through, so that every page of one query comes from the
 * same selection. Only the most recent ones are kept.
 */
export function createResultCache(capacity = 32): {
  store(result: QueryResult): string;
  find(id: string): QueryResult | undefined;
  clear(): void;
} {
  const results = new Map<string, QueryResult>();
  return {
    store(result) {
      const id = randomUUID();
      results.set(id, result);
      if (results.size > capacity) results.delete(results.keys().next().value as string);
      return id;
    },
    find: (id) => results.get(id),
    clear: () => results.clear(),
  };
}
