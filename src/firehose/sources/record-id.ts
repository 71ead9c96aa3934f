/**
 * Firehose's RecordId for a DirectPut record: derived from where the record is stored (its
 * delivery stream's incarnation and log offset), so PutRecord's answer, the Lambda
 * transformation event's `recordId` and every retry of it agree, across restarts too. Opaque to
 * clients (base64 of 8 bytes of the incarnation id and the offset as 8 bytes, big-endian).
 */
export function directPutRecordId(incarnationId: string, offset: number): string {
  const bytes = Buffer.alloc(16);
  Buffer.from(incarnationId.slice(0, 16).padEnd(16, "0"), "hex").copy(bytes, 0);
  bytes.writeBigUInt64BE(BigInt(offset), 8);
  return bytes.toString("base64");
}

/** A Kinesis source record's id: the shard and sequence number identify it. */
export function kinesisRecordId(shardId: string, sequenceNumber: string): string {
  return Buffer.from(`${shardId}:${sequenceNumber}`, "utf8").toString("base64");
}
