/** Opening the embedded engine on a simulated disk, and small helpers the log tests share. */
import assert from "node:assert/strict";
import { createEmbeddedEngine, type EmbeddedEngineOptions } from "../../src/storage/index.js";
import type { AppendRecord, StorageEngine, StoredRecord } from "../../src/storage/types.js";
import { ManualClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import type { SimFs } from "./sim-fs.js";
import { account, streamMeta } from "./cases.js";
import { putStream, streamsCatalog } from "../../src/streams/stream-catalog.js";

export const simDataDir = "/data";
export const t0 = 1_700_000_000_000;
export const streamId = "5eed0000000000000000000000000001";
export const otherStreamId = "5eed0000000000000000000000000002";

export function shardDir(shardIndex: number, stream = streamId): string {
  return `${simDataDir}/logs/${stream}/${shardIndex}`;
}

export function openSim(fs: SimFs, options: Partial<EmbeddedEngineOptions> = {}): Promise<StorageEngine> {
  return createEmbeddedEngine({
    dataDir: simDataDir,
    fsync: "always",
    fs,
    clock: new ManualClock(t0),
    random: new SeededRandom(11),
    logger: silentLogger,
    accountId: account,
    ...options,
  });
}

/** Puts the test streams in the catalog (logs of unknown streams are removed on open). */
export async function registerStreams(engine: StorageEngine): Promise<void> {
  assert.ok((await putStream(streamsCatalog(engine), streamMeta("sim-a", { streamId }))).ok);
  assert.ok((await putStream(streamsCatalog(engine), streamMeta("sim-b", { streamId: otherStreamId }))).ok);
}

export function makeRecords(count: number, tag: string, dataBytes = 40): AppendRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const record: AppendRecord = { partitionKey: `${tag}-${i}`, data: Buffer.from(`${tag}:${i}:`.padEnd(dataBytes, "#")) };
    if (i % 4 === 1) record.explicitHashKey = String(1000 + i);
    return record;
  });
}

export async function readAll(engine: StorageEngine, shardIndex: number, stream = streamId): Promise<StoredRecord[]> {
  const log = engine.logs.shard(stream, shardIndex);
  const out: StoredRecord[] = [];
  let offset = log.startOffset();
  while (offset < log.endOffset()) {
    const result = await log.read(offset, { recordsMax: 10_000, bytesMax: 64 * 1024 * 1024 });
    out.push(...result.records);
    offset = result.nextOffset;
  }
  return out;
}

export function tags(records: readonly { partitionKey: string; data: Buffer }[]): string[] {
  return records.map((record) => record.data.toString().replace(/#+$/, ""));
}
