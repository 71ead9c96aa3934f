/** AWS shard ids are `shardId-` and a zero-padded 12-digit index. */
export function shardIdFromIndex(index: number): string {
  return "shardId-" + String(index).padStart(12, "0");
}

/** The largest shard index AWS resolves (a Java int). */
export const shardIndexMax = 2_147_483_647;

/**
 * The shard a ShardId argument names, as AWS resolves it: the text after the first hyphen (or the
 * whole text when there is none) must be all digits, so `1`, `shardId-1`, `shard-000000000001`
 * and `shardId-000000000001` all name shard 1, while `ABKLFD8`, `2.14E4` and `a-b-1` name none.
 * Returns undefined for text that names no shard index.
 */
export function shardIndexFromId(shardId: string): number | undefined {
  const digits = shardId.split("-")[1] || shardId;
  if (!/^\d+$/.test(digits)) return undefined;
  const index = Number(digits);
  return index <= shardIndexMax ? index : undefined;
}
