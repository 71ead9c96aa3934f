/**
 * How the tools write records. One JSON line per record is the export format (docs/cli-tools.md,
 * "Export format"), which `tail --format json` also prints and `import` reads:
 *
 *   {"ShardId":"shardId-000000000000","SequenceNumber":"4960…","ApproximateArrivalTimestamp":"2026-01-02T03:04:05.678Z","PartitionKey":"k","Data":"aGVsbG8="}
 *
 * GetRecords' member names, in that order; Data base64 (records are bytes); the arrival time in
 * ISO 8601 with milliseconds. A KPL user record (tail de-aggregates) adds SubSequenceNumber after
 * SequenceNumber, and ExplicitHashKey after PartitionKey when it has one.
 */
import type { _Record } from "@aws-sdk/client-kinesis";
import type { UserRecord } from "../../client/kpl/deaggregate.js";

export type TailFormat = "text" | "json" | "hex";

/** A record as the formats see it: a Kinesis record, or a user record out of a KPL aggregate. */
export interface PrintableRecord {
  ShardId: string;
  SequenceNumber: string;
  SubSequenceNumber?: number;
  ApproximateArrivalTimestamp?: Date;
  PartitionKey: string;
  ExplicitHashKey?: string;
  Data: Uint8Array;
}

export function fromKinesisRecord(ShardId: string, record: _Record): PrintableRecord {
  return {
    ShardId,
    SequenceNumber: record.SequenceNumber ?? "",
    ...(record.ApproximateArrivalTimestamp !== undefined && { ApproximateArrivalTimestamp: record.ApproximateArrivalTimestamp }),
    PartitionKey: record.PartitionKey ?? "",
    Data: record.Data ?? new Uint8Array(0),
  };
}

export function fromUserRecord(ShardId: string, record: UserRecord): PrintableRecord {
  return {
    ShardId,
    SequenceNumber: record.SequenceNumber,
    ...(record.aggregated && { SubSequenceNumber: record.SubSequenceNumber }),
    ...(record.ApproximateArrivalTimestamp !== undefined && { ApproximateArrivalTimestamp: record.ApproximateArrivalTimestamp }),
    PartitionKey: record.PartitionKey,
    ...(record.ExplicitHashKey !== undefined && { ExplicitHashKey: record.ExplicitHashKey }),
    Data: record.Data,
  };
}

/** The export line (without its newline). */
export function jsonLine(record: PrintableRecord): string {
  return JSON.stringify({
    ShardId: record.ShardId,
    SequenceNumber: record.SequenceNumber,
    ...(record.SubSequenceNumber !== undefined && { SubSequenceNumber: record.SubSequenceNumber }),
    ...(record.ApproximateArrivalTimestamp !== undefined && { ApproximateArrivalTimestamp: record.ApproximateArrivalTimestamp.toISOString() }),
    PartitionKey: record.PartitionKey,
    ...(record.ExplicitHashKey !== undefined && { ExplicitHashKey: record.ExplicitHashKey }),
    Data: Buffer.from(record.Data.buffer, record.Data.byteOffset, record.Data.byteLength).toString("base64"),
  });
}

const utf8 = new TextDecoder("utf-8");

/** The record in the chosen format, newline included. */
export function formatRecord(record: PrintableRecord, format: TailFormat): string {
  if (format === "json") return jsonLine(record) + "\n";
  if (format === "text") return utf8.decode(record.Data) + "\n";
  const sub = record.SubSequenceNumber === undefined ? "" : `/${record.SubSequenceNumber}`;
  const bytes = record.Data.byteLength;
  return `${record.ShardId} ${record.SequenceNumber}${sub} ${record.PartitionKey} (${bytes} byte${bytes === 1 ? "" : "s"})\n${hexDump(record.Data)}`;
}

/** `hexdump -C`'s lines for the bytes (offset, sixteen bytes in two groups of eight, printable ASCII), without its closing offset line. */
export function hexDump(data: Uint8Array): string {
  let out = "";
  for (let offset = 0; offset < data.byteLength; offset += 16) {
    const row = data.subarray(offset, offset + 16);
    let hex = "";
    let ascii = "";
    row.forEach((byte, index) => {
      hex += byte.toString(16).padStart(2, "0") + " " + (index === 7 ? " " : "");
      ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ".";
    });
    out += `${offset.toString(16).padStart(8, "0")}  ${hex.padEnd(49)} |${ascii}|\n`;
  }
  return out;
}
