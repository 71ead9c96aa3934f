/**
 * Lambda's Kinesis event, byte for byte as Lambda sends it: `{"Records":[…]}` with each record's
 * members in Lambda's order (kinesis{kinesisSchemaVersion, partitionKey, sequenceNumber, data,
 * approximateArrivalTimestamp}, eventSource, eventVersion, eventID, eventName, invokeIdentityArn,
 * awsRegion, eventSourceARN). Built by concatenation, with the parts that are the same for every
 * record of a shard written once: this runs for every record delivered.
 */
import type { StreamRecordView } from "../../storage/stream-access.js";

/** Lambda's bound on a synchronous invocation's payload (6 MB). */
export const invokePayloadBytesMax = 6 * 1024 * 1024;

export interface EventContext {
  shardId: string;
  eventSourceArn: string;
  region: string;
  /** The function's execution role (invokeIdentityArn). */
  roleArn: string;
}

/** The same-for-every-record parts of one shard's records. */
export class KinesisEventWriter {
  private readonly eventIdPrefix: string;
  private readonly tail: string;
  /** Bytes of a record's JSON besides its partition key, sequence numbers (twice) and data. */
  readonly fixedRecordBytes: number;

  constructor(context: EventContext) {
    this.eventIdPrefix = `"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"${context.shardId}`;
    this.tail = `","eventName":"aws:kinesis:record","invokeIdentityArn":${JSON.stringify(context.roleArn)},"awsRegion":${JSON.stringify(context.region)},"eventSourceARN":${JSON.stringify(context.eventSourceArn)}}`;
    this.fixedRecordBytes = Buffer.byteLength(this.recordJson({ sequenceNumber: "", partitionKey: "", data: Buffer.alloc(0), approximateArrivalTimestampMs: 1_700_000_000_000 })) + 8;
  }

  /** The JSON of one record of the Records array. */
  recordJson(record: StreamRecordView): string {
    return (
      `{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":${JSON.stringify(record.partitionKey)},"sequenceNumber":"${record.sequenceNumber}","data":"${record.data.toString("base64")}","approximateArrivalTimestamp":${record.approximateArrivalTimestampMs / 1000}},` +
      `${this.eventIdPrefix}:${record.sequenceNumber}${this.tail}`
    );
  }

  /** An upper bound of the record's bytes in the event (partition keys may need escapes: counted at most six bytes per character). */
  recordBytes(record: StreamRecordView): number {
    return this.fixedRecordBytes + record.partitionKey.length * 6 + record.sequenceNumber.length * 2 + Math.ceil(record.data.length / 3) * 4;
  }

  /** The event of a batch: `{"Records":[…]}` plus the tumbling window members when given. */
  eventBytes(records: readonly StreamRecordView[], window?: WindowMembers): Buffer {
    const parts = new Array<string>(records.length);
    for (let index = 0; index < records.length; index += 1) parts[index] = this.recordJson(records[index]!);
    let json = `{"Records":[${parts.join(",")}]`;
    if (window !== undefined) {
      json +=
        `,"window":{"start":"${new Date(window.startMs).toISOString().replace(".000Z", "Z")}","end":"${new Date(window.endMs).toISOString().replace(".000Z", "Z")}"}` +
        `,"state":${JSON.stringify(window.state)},"shardId":${JSON.stringify(window.shardId)},"eventSourceARN":${JSON.stringify(window.eventSourceArn)}` +
        `,"isFinalInvokeForWindow":${window.isFinalInvokeForWindow},"isWindowTerminatedEarly":${window.isWindowTerminatedEarly}`;
    }
    return Buffer.from(json + "}");
  }
}

/** The members a tumbling window adds to the event (TumblingWindowInSeconds). */
export interface WindowMembers {
  startMs: number;
  endMs: number;
  state: Record<string, unknown>;
  shardId: string;
  eventSourceArn: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}
