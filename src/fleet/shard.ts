/**
 * Splitting one fleet across machines: `shard: { index, count }` keeps the
 * VMs whose resource id hashes to `index` of `count`. The hash is of the
 * lower-cased id (FNV-1a, 32 bits), so the same VM lands in the same shard on
 * every machine, whatever order or casing each one lists it in.
 */
import { InvalidInputError, describeValue } from "../core/errors.js";

/** One share of a fleet: the `index`th (from 1) of `count`. */
export interface FleetShard {
  index: number;
  count: number;
}

/** Check a shard (or parse `"K/N"`): `1 <= index <= count`. */
export function checkShard(shard: unknown): FleetShard {
  let value = shard;
  if (typeof shard === "string") {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(shard);
    value = match ? { index: Number(match[1]), count: Number(match[2]) } : shard;
  }
  const s = value as FleetShard | undefined;
  const ok = s !== null && typeof s === "object" && Number.isInteger(s.index) && Number.isInteger(s.count) && s.count >= 1 && s.index >= 1 && s.index <= s.count;
  if (!ok) {
    throw new InvalidInputError(
      "InvalidOption",
      `Invalid shard ${describeValue(shard)}: expected K/N (or { index: K, count: N }) with 1 <= K <= N, e.g. 3/8 for the third of eight shares.`,
      shard,
    );
  }
  return { index: s.index, count: s.count };
}

/** FNV-1a over the UTF-16 code units of `text`, 32 bits. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Whether the VM `resourceId` belongs to `shard`. */
export function inShard(resourceId: string, shard: FleetShard): boolean {
  return fnv1a(resourceId.toLowerCase()) % shard.count === shard.index - 1;
}
