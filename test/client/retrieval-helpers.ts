/**
 * What the retrieval tests (polling and fan-out fetchers) share: writing plain and KPL-aggregated
 * records, and reading a fetcher until enough records came.
 */
import assert from "node:assert/strict";
import { PutRecordCommand, PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { aggregateRecords } from "../../src/client/kpl/index.js";
import type { ConsumerRecord, FetchedBatch, RecordsFetcher } from "../../src/client/consumer/types.js";

export { shardIdOf } from "../helpers/subscription.js";

export const text = (record: ConsumerRecord) => Buffer.from(record.Data).toString();
export const sentinel = (name: "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP") => ({ sequenceNumber: name, subSequenceNumber: 0 });
/** A guard against hanging, not a performance bound. */
export const guardMs = 8000;

/** Writes each value as its own record (partition key = value); their sequence numbers. */
export async function putPlain(client: KinesisClient, stream: string, values: string[]): Promise<string[]> {
  const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: values.map((value) => ({ PartitionKey: value, Data: Buffer.from(value) })) }));
  return out.Records!.map((entry) => entry.SequenceNumber!);
}

/** Writes the values as one KPL aggregate on shard 0 (by its explicit hash key 0); its sequence number. */
export async function putAggregate(client: KinesisClient, stream: string, values: string[], hashKeys?: string[]): Promise<string> {
  const [entry, ...rest] = aggregateRecords(values.map((value, i) => ({ PartitionKey: value, Data: Buffer.from(value), ...(hashKeys && { ExplicitHashKey: hashKeys[i]! }) })));
  assert.equal(rest.length, 0);
  const out = await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: entry!.PartitionKey, Data: entry!.Data, ExplicitHashKey: "0" }));
  return out.SequenceNumber!;
}

/** Reads batches until `count` records came (or the shard ended); every batch kept. */
export async function readRecords(fetcher: RecordsFetcher, count: number): Promise<{ records: ConsumerRecord[]; batches: FetchedBatch[] }> {
  const records: ConsumerRecord[] = [];
  const batches: FetchedBatch[] = [];
  const deadline = Date.now() + guardMs;
  while (records.length < count) {
    assert.ok(Date.now() < deadline, `only ${records.length} of ${count} records within ${guardMs} ms`);
    const batch = await fetcher.next();
    batches.push(batch);
    records.push(...batch.records);
    if (batch.shardEnd) break;
  }
  return { records, batches };
}
