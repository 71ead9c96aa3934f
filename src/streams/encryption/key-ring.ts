/**
 * The service's keys: the master key (from its source, loaded once) and the streams' data keys,
 * unwrapped on first use and kept in memory, so sealing and opening records costs no key work
 * beyond the per-request derivation (streams/encryption/crypto/record-seal.ts).
 *
 * At start, `verify` unwraps every stored data key: a server given the wrong master key stops
 * there, saying which key the data needs, instead of failing reads one by one later.
 */
import type { DataKeyMeta, StreamMeta } from "../model.js";
import { newDataKey, unwrapDataKey, wrapDataKey, type MasterKey, type MasterKeySource } from "./crypto/index.js";

/** Unwrapped data keys kept; past this the cache starts over (unwrapping again is cheap). */
const unwrappedKeysMax = 4096;

/** A data key that cannot be had: the master key is missing or wrong, or the entry is damaged. */
export class DataKeyError extends Error {
  override name = "DataKeyError";
}

export class KeyRing {
  private readonly unwrapped = new Map<string, Buffer>();

  constructor(private readonly source: MasterKeySource) {}

  /** Unwraps every data key the streams hold; throws DataKeyError naming the first that fails. */
  async verify(streams: readonly StreamMeta[]): Promise<void> {
    for (const meta of streams) {
      for (const key of meta.encryption?.dataKeys ?? []) await this.dataKey(meta, key.keyRef);
    }
  }

  /** A fresh data key for `keyRef` of the stream, wrapped for the catalog (the master key is made now if it must be). */
  async createDataKey(streamId: string, keyRef: number, KeyId: string, nowMs: number): Promise<DataKeyMeta> {
    const master = await this.source.obtain();
    const dataKey = newDataKey();
    const wrappedKey = wrapDataKey(master, dataKey, { streamId, keyRef, KeyId });
    this.remember(streamId, keyRef, dataKey);
    return { keyRef, KeyId, wrappedKey, masterKeyId: master.id, createdAtMs: nowMs };
  }

  /** The unwrapped data key `keyRef` of the stream. */
  async dataKey(meta: StreamMeta, keyRef: number): Promise<Buffer> {
    const cached = this.unwrapped.get(cacheKey(meta.streamId, keyRef));
    if (cached !== undefined) return cached;
    const entry = meta.encryption?.dataKeys.find((key) => key.keyRef === keyRef);
    if (entry === undefined) throw new DataKeyError(`stream ${meta.StreamName} has no data key ${keyRef}, which stored records name`);
    const master = await this.masterFor(meta, entry);
    const unwrapped = unwrapDataKey(master, entry.wrappedKey, { streamId: meta.streamId, keyRef, KeyId: entry.KeyId });
    if (!unwrapped.ok) {
      throw new DataKeyError(`stream ${meta.StreamName}: data key ${keyRef} does not unwrap: ${unwrapped.reason} (its catalog entry was altered)`);
    }
    this.remember(meta.streamId, keyRef, unwrapped.dataKey);
    return unwrapped.dataKey;
  }

  private async masterFor(meta: StreamMeta, entry: DataKeyMeta): Promise<MasterKey> {
    const master = await this.source.existing();
    const needs = `stream ${meta.StreamName} holds records encrypted under master key ${entry.masterKeyId}`;
    if (master === undefined) {
      throw new DataKeyError(`${needs}, but there is no master key (${this.source.description}): give the server that key with --master-key-file or TRIBUTARY_MASTER_KEY`);
    }
    if (master.id !== entry.masterKeyId) {
      throw new DataKeyError(
        `${needs}, but the master key from ${this.source.description} is ${master.id}: ` +
          "start the server with the master key its data was written with (--master-key-file or TRIBUTARY_MASTER_KEY)",
      );
    }
    return master;
  }

  private remember(streamId: string, keyRef: number, dataKey: Buffer): void {
    if (this.unwrapped.size >= unwrappedKeysMax) this.unwrapped.clear();
    this.unwrapped.set(cacheKey(streamId, keyRef), dataKey);
  }
}

function cacheKey(streamId: string, keyRef: number): string {
  return `${streamId}/${keyRef}`;
}
