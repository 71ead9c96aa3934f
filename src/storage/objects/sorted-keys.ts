/**
 * A sorted map from string keys to values, for a bucket's objects: a Map for lookups and the keys
 * in order in chunks of at most `chunkKeysMax`. Finding a key's place is two binary searches
 * (chunk, then within it), an insertion or removal moves at most one chunk's keys, and a scan from
 * any key reads on in order: O(log n + limit) per listing and O(log n + chunkKeysMax) per write, where one sorted
 * array would move half of 100,000 keys on every insertion in random order.
 *
 * Keys compare as JS strings (UTF-16 code units); callers that need another order store keys
 * that sort in it (objectSortKey: the latin1 rendering of a key's UTF-8 bytes).
 */
export const chunkKeysMax = 512;

export class SortedKeys<V> {
  private readonly values = new Map<string, V>();
  /** Non-empty chunks, each sorted, every key of one before every key of the next. */
  private readonly chunks: string[][] = [];

  get size(): number {
    return this.values.size;
  }

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  /** Inserts or replaces; answers the value replaced. */
  set(key: string, value: V): V | undefined {
    const previous = this.values.get(key);
    this.values.set(key, value);
    if (previous === undefined) this.insertKey(key);
    return previous;
  }

  /** Removes the key; answers the value removed. */
  delete(key: string): V | undefined {
    const previous = this.values.get(key);
    if (previous === undefined) return undefined;
    this.values.delete(key);
    const chunkIndex = this.chunkFor(key);
    const chunk = this.chunks[chunkIndex]!;
    chunk.splice(indexIn(chunk, key, true), 1);
    if (chunk.length === 0) this.chunks.splice(chunkIndex, 1);
    return previous;
  }

  /** Keys with their values in order, from `fromKey` (inclusive, or exclusive with `inclusive` false). */
  *from(fromKey: string | undefined, inclusive = true): Generator<[string, V]> {
    let chunkIndex = fromKey === undefined ? 0 : this.chunkFor(fromKey);
    let index = fromKey === undefined || chunkIndex >= this.chunks.length ? 0 : indexIn(this.chunks[chunkIndex]!, fromKey, inclusive);
    for (; chunkIndex < this.chunks.length; chunkIndex++, index = 0) {
      const chunk = this.chunks[chunkIndex]!;
      for (; index < chunk.length; index++) {
        const key = chunk[index]!;
        yield [key, this.values.get(key)!];
      }
    }
  }

  private insertKey(key: string): void {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      return;
    }
    // Past every key: the last chunk takes it.
    const chunkIndex = Math.min(this.chunkFor(key), this.chunks.length - 1);
    const chunk = this.chunks[chunkIndex]!;
    chunk.splice(indexIn(chunk, key, true), 0, key);
    if (chunk.length > chunkKeysMax) this.chunks.splice(chunkIndex + 1, 0, chunk.splice(chunk.length >>> 1));
  }

  /** The first chunk whose last key is at or after `key` (chunks.length if none). */
  private chunkFor(key: string): number {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const chunk = this.chunks[mid]!;
      if (chunk[chunk.length - 1]! < key) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** The first index whose key is at or after `key` (`inclusive`), or strictly after it. */
function indexIn(keys: readonly string[], key: string, inclusive: boolean): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const probe = keys[mid]!;
    if (probe < key || (!inclusive && probe === key)) low = mid + 1;
    else high = mid;
  }
  return low;
}
