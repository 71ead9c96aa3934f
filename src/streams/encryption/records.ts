/**
 * Sealing records on their way into the log and opening them on their way out: the service does
 * both, whichever storage engine holds them, so every engine stores only ciphertext for an
 * encrypted stream (docs/encryption.md, "Where records are encrypted").
 *
 * Writes call here only when the stream is encrypted and reads only when it ever was: a stream
 * that never was pays nothing per record.
 */
import type { AppendRecord, StoredRecord } from "../../storage/types.js";
import type { StreamMeta } from "../model.js";
import { RecordOpener, RequestSealer } from "./crypto/index.js";
import type { StreamsContext } from "../context.js";
import { streamsErrors } from "../errors.js";
import { assert } from "../../util/assert.js";
import { DataKeyError } from "./key-ring.js";

/** The sealer for one write request to a stream whose EncryptionType is KMS: its newest data key. */
export async function requestSealer(context: StreamsContext, meta: StreamMeta): Promise<RequestSealer> {
  const keys = meta.encryption?.dataKeys ?? [];
  const active = keys[keys.length - 1];
  assert(meta.EncryptionType === "KMS" && active !== undefined && active.retired === undefined, "an encrypted stream has a data key in use");
  const dataKey = await context.keyRing.dataKey(meta, active.keyRef);
  return new RequestSealer(dataKey, meta.streamId, active.keyRef);
}

/** PutRecord's one record, sealed. */
export async function sealRecord(context: StreamsContext, meta: StreamMeta, shardIndex: number, record: AppendRecord): Promise<AppendRecord> {
  return (await requestSealer(context, meta)).seal(shardIndex, [record])[0]!;
}

/** PutRecords' shard groups, each group's records replaced by their sealed form. */
export async function sealGroups(context: StreamsContext, meta: StreamMeta, groups: readonly { shard: { shardIndex: number }; records: AppendRecord[] }[]): Promise<void> {
  const sealer = await requestSealer(context, meta);
  for (const group of groups) group.records = sealer.seal(group.shard.shardIndex, group.records);
}

/**
 * Opens, in place, the sealed records among `records` (read from one shard of the stream). A
 * record that does not open — altered on disk, or its key gone — fails the read with the reason
 * logged: it is never served as it lies on disk.
 */
export async function openSealedRecords(context: StreamsContext, meta: StreamMeta, shardIndex: number, records: readonly StoredRecord[]): Promise<void> {
  let opener: RecordOpener | undefined;
  let openerKeyRef = -1;
  for (const record of records) {
    const keyRef = record.sealedWith;
    if (keyRef === undefined) continue;
    const where = `stream ${meta.StreamName}, shard index ${shardIndex}, offset ${record.offset}`;
    if (keyRef !== openerKeyRef) {
      let dataKey: Buffer;
      try {
        dataKey = await context.keyRing.dataKey(meta, keyRef);
      } catch (error) {
        if (!(error instanceof DataKeyError)) throw error;
        throw streamsErrors.recordUnreadable(new DataKeyError(`cannot open the record at ${where}: ${error.message}`, { cause: error }));
      }
      opener = new RecordOpener(dataKey, { streamId: meta.streamId, shardIndex, keyRef });
      openerKeyRef = keyRef;
    }
    const outcome = opener!.open(record);
    if (!outcome.ok) throw streamsErrors.recordUnreadable(new SealedRecordError(`the record at ${where} is unreadable: ${outcome.reason}`));
  }
}

/** A stored sealed record that fails to open: its bytes were changed after it was written. */
export class SealedRecordError extends Error {
  override name = "SealedRecordError";
}
