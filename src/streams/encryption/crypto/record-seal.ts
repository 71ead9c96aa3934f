/**
 * Sealed records: how a record of an encrypted stream is stored — partition key, explicit hash key
 * and data all inside one AES-256-GCM ciphertext, so nothing of the record is in the clear
 * (docs/encryption.md; the frame that carries it: docs/formats/log-segment.md).
 *
 *   offset  size  field                      (integers little-endian)
 *   0       1     version, 1
 *   1       16    salt: random, one per write request (a PutRecord, or a whole PutRecords)
 *   17      4     index: the record's position in that request
 *   21      n     ciphertext of: u16 partitionKeyBytes | u8 explicitHashKeyBytes | partition key
 *                 (UTF-8) | explicit hash key (ASCII) | data
 *   21 + n  16    GCM tag
 *
 *   request key = HMAC-SHA256(data key, 00000001 | "tributary sealed record v1" | 00 |
 *                             streamId | 00 | u32 shardIndex | u32 keyRef | salt | 00000100)
 *   nonce       = u32 index | 8 zero bytes
 *
 * Nonces never repeat under one key: each request derives its own key (an SP 800-108 KDF in
 * counter mode) from a fresh 128-bit random salt, and within a request every record has its own
 * index. Nothing depends on offsets or counters that a crash could roll back, so a restart, a
 * failed write that is retried, or a torn tail cut at recovery cannot bring a (key, nonce) pair
 * back. The key is also bound to the stream, shard and key reference: a sealed record copied to
 * another shard or stream, or relabelled with another key reference, fails authentication, as
 * does any changed byte.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import type { AppendRecord, StoredRecord } from "../../../storage/types.js";
import { assert } from "../../../util/assert.js";

export const sealedRecordVersion = 1;
const saltBytes = 16;
const headerBytes = 1 + saltBytes + 4;
const lengthsBytes = 3;
const tagBytes = 16;
const nonceBytes = 12;
/** Bytes sealing adds to a record, besides its keys (which move inside the ciphertext). */
export const sealedOverheadBytes = headerBytes + lengthsBytes + tagBytes;
const label = Buffer.from("tributary sealed record v1\0", "latin1");
const counterOne = Buffer.from([0, 0, 0, 1]);
const keyBits = Buffer.from([0, 0, 1, 0]);

/** Where sealed records live: part of every record key, so they open nowhere else. */
export interface SealBinding {
  streamId: string;
  shardIndex: number;
  keyRef: number;
}

function requestKey(dataKey: Buffer, binding: SealBinding, salt: Buffer): Buffer {
  const numbers = Buffer.allocUnsafe(8);
  numbers.writeUInt32LE(binding.shardIndex, 0);
  numbers.writeUInt32LE(binding.keyRef, 4);
  return createHmac("sha256", dataKey)
    .update(counterOne)
    .update(label)
    .update(binding.streamId, "latin1")
    .update(Buffer.from([0]))
    .update(numbers)
    .update(salt)
    .update(keyBits)
    .digest();
}

function nonceOf(index: number): Buffer {
  const nonce = Buffer.alloc(nonceBytes);
  nonce.writeUInt32LE(index, 0);
  return nonce;
}

/**
 * Seals the records of one write request: one salt for the request, one key per shard it writes
 * to, one index per record across the whole request.
 *
 * @example
 *   const sealer = new RequestSealer(dataKey, meta.streamId, keyRef);
 *   const sealed = sealer.seal(shardIndex, records); // append these; RecordOpener opens them
 */
export class RequestSealer {
  private readonly salt = randomBytes(saltBytes);
  private nextIndex = 0;

  constructor(
    private readonly dataKey: Buffer,
    private readonly streamId: string,
    private readonly keyRef: number,
  ) {}

  /** The sealed form of one shard's share of the request, in order. */
  seal(shardIndex: number, records: readonly AppendRecord[]): AppendRecord[] {
    const key = requestKey(this.dataKey, { streamId: this.streamId, shardIndex, keyRef: this.keyRef }, this.salt);
    const out: AppendRecord[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) out[i] = { partitionKey: "", data: this.sealOne(key, records[i]!), sealedWith: this.keyRef };
    return out;
  }

  private sealOne(key: Buffer, record: AppendRecord): Buffer {
    assert(record.sealedWith === undefined, "a record is sealed once");
    const index = this.nextIndex++;
    const partitionKey = Buffer.from(record.partitionKey, "utf8");
    const hashKey = record.explicitHashKey === undefined ? undefined : Buffer.from(record.explicitHashKey, "latin1");
    const keysBytes = lengthsBytes + partitionKey.length + (hashKey?.length ?? 0);
    const keys = Buffer.allocUnsafe(keysBytes);
    keys.writeUInt16LE(partitionKey.length, 0);
    keys[2] = hashKey?.length ?? 0;
    partitionKey.copy(keys, lengthsBytes);
    hashKey?.copy(keys, lengthsBytes + partitionKey.length);

    const cipher = createCipheriv("aes-256-gcm", key, nonceOf(index));
    const sealedKeys = cipher.update(keys);
    const sealedData = cipher.update(record.data);
    cipher.final();
    const out = Buffer.allocUnsafe(headerBytes + keysBytes + record.data.length + tagBytes);
    out[0] = sealedRecordVersion;
    this.salt.copy(out, 1);
    out.writeUInt32LE(index, 1 + saltBytes);
    sealedKeys.copy(out, headerBytes);
    sealedData.copy(out, headerBytes + keysBytes);
    cipher.getAuthTag().copy(out, headerBytes + keysBytes + record.data.length);
    return out;
  }
}

export type OpenOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Opens sealed records of one shard under one data key, in place: the record gets its partition
 * key, explicit hash key and data back and keeps `sealedWith`. Consecutive records of one request
 * share a salt, so the request key is derived once per run.
 */
export class RecordOpener {
  private salt: Buffer | undefined;
  private key: Buffer | undefined;

  constructor(
    private readonly dataKey: Buffer,
    private readonly binding: SealBinding,
  ) {}

  open(record: StoredRecord): OpenOutcome {
    const sealed = record.data;
    if (sealed.length < sealedOverheadBytes) return { ok: false, reason: "sealed record is too short" };
    if (sealed[0] !== sealedRecordVersion) return { ok: false, reason: `unknown sealed record version ${sealed[0]}` };
    const salt = sealed.subarray(1, 1 + saltBytes);
    if (this.salt === undefined || !this.salt.equals(salt)) {
      this.salt = Buffer.from(salt);
      this.key = requestKey(this.dataKey, this.binding, this.salt);
    }
    const decipher = createDecipheriv("aes-256-gcm", this.key!, nonceOf(sealed.readUInt32LE(1 + saltBytes)));
    decipher.setAuthTag(sealed.subarray(sealed.length - tagBytes));
    let plain: Buffer;
    try {
      plain = decipher.update(sealed.subarray(headerBytes, sealed.length - tagBytes));
      decipher.final();
    } catch {
      return { ok: false, reason: "sealed record fails authentication" };
    }
    const partitionKeyBytes = plain.readUInt16LE(0);
    const hashKeyBytes = plain[2]!;
    const dataStart = lengthsBytes + partitionKeyBytes + hashKeyBytes;
    // Authenticated, so only a sealing bug could get this wrong; still never read past the end.
    if (dataStart > plain.length) return { ok: false, reason: "sealed record lengths disagree" };
    record.partitionKey = plain.toString("utf8", lengthsBytes, lengthsBytes + partitionKeyBytes);
    if (hashKeyBytes > 0) record.explicitHashKey = plain.toString("latin1", lengthsBytes + partitionKeyBytes, dataStart);
    record.data = plain.subarray(dataStart);
    return { ok: true };
  }
}
