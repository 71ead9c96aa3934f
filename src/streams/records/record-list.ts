/**
 * GetRecords' record list: the one response member large enough (up to 10,000 records) to
 * deserve its own JSON writer. It writes each record's JSON straight from the stored record —
 * base64 into the output buffer, sequence numbers computed per run of consecutive offsets — and
 * gives CBOR (and anyone else) the plain wire records.
 */
import { encodeSequenceNumberRun } from "../../core/sequence-number.js";
import type { JsonWriter } from "../../protocol/json-writer.js";
import { SelfEncodingValue } from "../../protocol/self-encoding.js";
import type { StoredRecord } from "../../storage/types.js";
import type { StreamMeta } from "../model.js";
import { wireRecord, type WireRecord } from "./wire-record.js";
import { recordPosition, type ShardSequence } from "./sequence-numbers.js";

const recordOpen = Buffer.from('{"SequenceNumber":"');
const afterSequence = Buffer.from('","ApproximateArrivalTimestamp":');
const beforeData = Buffer.from(',"Data":');
const beforePartitionKey = Buffer.from(',"PartitionKey":');
const encryptedMember = Buffer.from(',"EncryptionType":"KMS"');
const recordClose = Buffer.from("}");
const listOpen = Buffer.from("[");
const listClose = Buffer.from("]");
const comma = Buffer.from(",");

export class RecordList extends SelfEncodingValue {
  constructor(
    readonly records: readonly StoredRecord[],
    private readonly shard: ShardSequence,
    /** NONE: no record here can be encrypted (nothing checked per record); KMS: records stored sealed say so. */
    private readonly encryptionType: StreamMeta["EncryptionType"],
  ) {
    super();
  }

  toWireValue(): WireRecord[] {
    return this.records.map((record) => wireRecord(record, this.shard, this.encryptionType));
  }

  jsonBytesEstimate(): number {
    let bytes = 2;
    for (const record of this.records) bytes += 160 + Math.ceil(record.data.length / 3) * 4 + record.partitionKey.length * 3;
    return bytes;
  }

  writeJson(writer: JsonWriter): void {
    const records = this.records;
    const sequenceNumbers = sequenceNumbersOf(records, this.shard);
    const encrypted = this.encryptionType === "KMS";
    writer.raw(listOpen);
    let arrivalMs = -1;
    let arrivalText = "";
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (i > 0) writer.raw(comma);
      writer.raw(recordOpen);
      writer.ascii(sequenceNumbers[i]!);
      writer.raw(afterSequence);
      // Records of one append share their arrival time: format it once per run.
      if (record.arrivalMs !== arrivalMs) {
        arrivalMs = record.arrivalMs;
        arrivalText = String(arrivalMs / 1000);
      }
      writer.ascii(arrivalText);
      writer.raw(beforeData);
      writer.base64(record.data);
      // An empty stored key is a record written without one (an AUTO stream's): the member is left out.
      if (record.partitionKey !== "") {
        writer.raw(beforePartitionKey);
        writer.string(record.partitionKey);
      }
      if (encrypted && record.sealedWith !== undefined) writer.raw(encryptedMember);
      writer.raw(recordClose);
    }
    writer.raw(listClose);
  }
}

/**
 * Sequence numbers of stored records, computed run by run: consecutive offsets that arrived in the
 * same second (the number keeps whole seconds), so appends a few milliseconds apart share a run.
 */
export function sequenceNumbersOf(records: readonly StoredRecord[], shard: ShardSequence): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < records.length) {
    const first = records[start]!;
    const arrivalSeconds = Math.floor(first.arrivalMs / 1000);
    let end = start + 1;
    while (end < records.length && Math.floor(records[end]!.arrivalMs / 1000) === arrivalSeconds && records[end]!.offset === first.offset + (end - start)) end++;
    const run = encodeSequenceNumberRun(recordPosition(shard, first.offset, first.arrivalMs), end - start);
    for (const sequenceNumber of run) out.push(sequenceNumber);
    start = end;
  }
  return out;
}
