/** AWS shard ids are `shardId-` and a zero-padded 12-digit index. */
export function shardIdFromIndex(index: number): string {
  return "shardId-" + String(index).padStart(12, "0");
}

/**
 * AWS accepts a shard id by its numeric suffix (`1`, `shardId-1`, `shardId-000000000001` all name
 * shard 1). Returns undefined for text that does not end in digits.
 */
export function shardIndexFromId(shardId: string): number | undefined {
  const match = /(\d+)$/.exec(shardId);
  if (!match) return undefined;
  const index = Number(match[1]);
  return Number.isSafeInteger(index) ? index : undefined;
}
