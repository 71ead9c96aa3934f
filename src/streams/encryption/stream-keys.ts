/**
 * Starting and stopping encryption on a stream: its data keys' lifecycle (docs/encryption.md).
 *
 * A start makes a new data key and seals every write from then on under it; a start with another
 * KeyId retires the key in use and makes a new one; a stop retires the key in use. The switch
 * happens with the stream's writes held (the write gate, records/write-gate.ts): writes already
 * inside finish first, and writes resume only once the new key is durable in the catalog. So no
 * record is ever durable before the key that opens it, and the end offsets a retired key records
 * are final: every record it sealed lies below them. A retired key is dropped once retention has
 * removed all of those records from the shard's log.
 */
import type { DataKeyMeta, StreamMeta } from "../model.js";
import type { StreamsContext } from "../context.js";
import { streamsErrors } from "../errors.js";
import { updatingStatus } from "../stream-change.js";
import type { StreamReference } from "../stream-registry.js";
import { isKmsKeyReference } from "./key-id.js";

/** AWS: a stream may apply a new KMS key 25 times in any 24 hours. */
export const keysAppliedPerWindowMax = 25;
const keysAppliedWindowMs = 24 * 3600 * 1000;

export async function startEncryption(context: StreamsContext, reference: StreamReference, KeyId: string): Promise<void> {
  await changeEncryption(context, reference, KeyId, async (meta, nowMs) => {
    // The key already in use: nothing to change (no new key, no UPDATING).
    if (meta.EncryptionType === "KMS" && meta.KeyId === KeyId) return undefined;
    const encryption = meta.encryption ?? { dataKeys: [], nextKeyRef: 1, keysAppliedAtMs: [] };
    const appliedAtMs = encryption.keysAppliedAtMs.filter((atMs) => nowMs - atMs < keysAppliedWindowMs);
    if (appliedAtMs.length >= keysAppliedPerWindowMax) {
      throw streamsErrors.encryptionKeyLimitExceeded(meta.StreamName, context.accountId, keysAppliedPerWindowMax);
    }
    const key = await context.keyRing.createDataKey(meta.streamId, encryption.nextKeyRef, KeyId, nowMs);
    return (kept) => ({
      ...meta,
      ...updatingStatus(context, nowMs),
      EncryptionType: "KMS",
      KeyId,
      encryption: { dataKeys: [...kept, key], nextKeyRef: key.keyRef + 1, keysAppliedAtMs: [...appliedAtMs, nowMs] },
    });
  });
}

export async function stopEncryption(context: StreamsContext, reference: StreamReference, KeyId: string): Promise<void> {
  await changeEncryption(context, reference, KeyId, async (meta, nowMs) => {
    // Nothing to stop. Records sealed earlier keep their keys either way.
    if (meta.EncryptionType !== "KMS") return undefined;
    const { KeyId: _stopped, ...rest } = meta;
    return (kept) => ({ ...rest, ...updatingStatus(context, nowMs), EncryptionType: "NONE", encryption: { ...meta.encryption!, dataKeys: kept } });
  });
}

/** Builds the stream's next state from the data keys still kept (the active one retired, unneeded ones dropped). */
type NextMeta = (keptKeys: DataKeyMeta[]) => StreamMeta;

/**
 * The checks both actions share, in AWS's order (the stream exists, is ACTIVE, the key is a KMS
 * key), then the change with the stream's writes held.
 */
async function changeEncryption(
  context: StreamsContext,
  reference: StreamReference,
  KeyId: string,
  plan: (meta: StreamMeta, nowMs: number) => Promise<NextMeta | undefined>,
): Promise<void> {
  const streamName = context.streams.nameOf(reference);
  await context.streams.exclusive(streamName, async () => {
    const meta = context.streams.require(reference);
    const { region } = context.config;
    const { accountId } = context;
    if (meta.StreamStatus !== "ACTIVE") throw streamsErrors.streamNotActive(meta.StreamName, accountId, meta.StreamStatus);
    if (!isKmsKeyReference(KeyId, region)) throw streamsErrors.kmsKeyNotFound(KeyId, region);
    const nowMs = context.clock.nowMs();
    const next = await plan(meta, nowMs);
    if (next === undefined) return;
    await withWritesHeld(context, meta.streamId, () => context.streams.put(next(keptKeys(context, meta, nowMs))));
  });
}

/**
 * Runs `change` with no write to the stream in flight and none starting until it is done. Safe
 * inside the stream's exclusive section while it is ACTIVE: only a reshard closes the gate too, and
 * a stream with a reshard pending is UPDATING.
 */
async function withWritesHeld(context: StreamsContext, streamId: string, change: () => Promise<void>): Promise<void> {
  const gate = context.streams.writeGates.of(streamId);
  gate.close();
  try {
    await gate.drained();
    await change();
  } finally {
    gate.open();
  }
}

/** The stream's data keys with the one in use retired (now that no write is in flight) and the unneeded dropped. */
function keptKeys(context: StreamsContext, meta: StreamMeta, nowMs: number): DataKeyMeta[] {
  const keys = meta.encryption?.dataKeys ?? [];
  return keys
    .map((key) => (key.retired === undefined ? { ...key, retired: { atMs: nowMs, endOffsets: endOffsetsOf(context, meta) } } : key))
    .filter((key) => stillNeeded(context, meta, key));
}

/** Each shard's log end (omitting empty logs): every record sealed so far lies below it. */
function endOffsetsOf(context: StreamsContext, meta: StreamMeta): Record<string, number> {
  const endOffsets: Record<string, number> = {};
  for (const shard of meta.shards) {
    const endOffset = context.logs.shard(meta.streamId, shard.shardIndex).endOffset();
    if (endOffset > 0) endOffsets[String(shard.shardIndex)] = endOffset;
  }
  return endOffsets;
}

/** Whether a retired key may still have records in the logs: some shard still holds offsets below its end. */
function stillNeeded(context: StreamsContext, meta: StreamMeta, key: DataKeyMeta): boolean {
  const endOffsets = key.retired!.endOffsets;
  return Object.keys(endOffsets).some((shard) => context.logs.shard(meta.streamId, Number(shard)).startOffset() < endOffsets[shard]!);
}
