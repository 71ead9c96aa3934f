/**
 * Shared fixtures for the data-plane conformance files (PutRecord, PutRecords, GetShardIterator,
 * GetRecords): both wire formats, an independent shard-for-key computation, and a
 * storage engine whose appends can be made to fail.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { GetShardIteratorCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { cborCall, jsonCall, type RawResponse } from "../../helpers/raw.js";
import { createMemoryEngine } from "../../../src/storage/index.js";
import type { AppendRecord, ShardLog, StorageEngine } from "../../../src/storage/types.js";
import { systemRandom } from "../../../src/util/random.js";

export interface Wire {
  name: "json" | "cbor";
  call(url: string, action: string, body: unknown): Promise<RawResponse>;
  /** A blob as this wire carries it: base64 text in JSON, a byte string in CBOR. */
  blob(bytes: Buffer): unknown;
  /** A timestamp as this wire carries it: epoch seconds in JSON, tag 1 over epoch ms in CBOR. */
  time(ms: number): unknown;
  /** Reads a blob from a response body. */
  bytesOf(value: unknown): Buffer;
  /** Reads a timestamp from a response body, in epoch ms. */
  msOf(value: unknown): number;
}

export const wires: readonly Wire[] = [
  {
    name: "json",
    call: jsonCall,
    blob: (bytes) => bytes.toString("base64"),
    time: (ms) => ms / 1000,
    bytesOf: (value) => Buffer.from(value as string, "base64"),
    msOf: (value) => Math.round((value as number) * 1000),
  },
  {
    name: "cbor",
    call: cborCall,
    blob: (bytes) => bytes,
    time: (ms) => new Date(ms),
    bytesOf: (value) => Buffer.from(value as Uint8Array),
    msOf: (value) => (value as { tag1: number }).tag1,
  },
];

/** Asserts an error response: status, and exactly `{__type, message}`. */
export function assertError(response: RawResponse, statusCode: number, type: string, message: string): void {
  assert.equal(response.statusCode, statusCode, JSON.stringify(response.body));
  assert.deepEqual(response.body, { __type: type, message });
}

/** A SerializationException: AWS sends its text under `Message`, capitalised. */
export function assertSerialization(response: RawResponse, message: string): void {
  assert.equal(response.statusCode, 400, JSON.stringify(response.body));
  assert.deepEqual(response.body, { __type: "SerializationException", Message: message });
}

/** The MD5 of a partition key as an unsigned 128-bit integer, computed here rather than by src/core. */
export function md5HashKey(partitionKey: string): bigint {
  return BigInt("0x" + createHash("md5").update(partitionKey, "utf8").digest("hex"));
}

/** The shard AWS's even split of 2^128 over `shardCount` shards gives a hash key. */
export function expectedShardIndex(hashKey: bigint, shardCount: number): number {
  const width = (1n << 128n) / BigInt(shardCount);
  return Math.min(Number(hashKey / width), shardCount - 1);
}

export function shardId(index: number): string {
  return `shardId-${String(index).padStart(12, "0")}`;
}

/** A partition key that hashes into the given shard of an evenly split stream. */
export function partitionKeyFor(shardIndex: number, shardCount: number, salt = ""): string {
  for (let i = 0; ; i++) {
    const key = `key-${salt}-${i}`;
    if (expectedShardIndex(md5HashKey(key), shardCount) === shardIndex) return key;
  }
}

export async function iteratorFor(client: KinesisClient, streamName: string, shard: number, type: "TRIM_HORIZON" | "LATEST"): Promise<string> {
  const out = await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId(shard), ShardIteratorType: type }));
  return out.ShardIterator!;
}

export interface InstrumentedStorage {
  engine: StorageEngine;
  /** Every append call, in call order. */
  appends: { shardIndex: number; records: readonly AppendRecord[] }[];
  /** Shard indexes whose appends fail as a full disk would. */
  failingShards: Set<number>;
}

/** The memory engine, recording appends and failing those of chosen shards. */
export function instrumentedStorage(): InstrumentedStorage {
  const inner = createMemoryEngine(systemRandom);
  const appends: InstrumentedStorage["appends"] = [];
  const failingShards = new Set<number>();
  const logs = {
    shard(streamId: string, shardIndex: number): ShardLog {
      const log = inner.logs.shard(streamId, shardIndex);
      return new Proxy(log, {
        get(target, property, receiver) {
          if (property !== "append") return Reflect.get(target, property, receiver);
          return async (records: readonly AppendRecord[], arrivalMs: number) => {
            appends.push({ shardIndex, records });
            if (failingShards.has(shardIndex)) return { ok: false, failure: { kind: "no-space", message: "disk full" } };
            return target.append(records, arrivalMs);
          };
        },
      });
    },
    dropStream: (streamId: string) => inner.logs.dropStream(streamId),
  };
  return { engine: { name: "instrumented-memory", catalog: inner.catalog, logs, tables: inner.tables, objects: inner.objects, close: () => inner.close() }, appends, failingShards };
}
