/**
 * `--metrics off`: the services keep serving and record nothing (their handles answer undefined,
 * so the metric-only work is skipped), and the reader lists no series.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startApp, requestBytesMaxDefault, type RunningApp } from "../../src/server/app.js";
import { createMemoryEngine } from "../../src/storage/index.js";
import { defaultStreamsConfig } from "../../src/streams/index.js";
import { systemClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { ok } from "../helpers/wire-assert.js";

describe("metrics > --metrics off", () => {
  let app: RunningApp;
  before(async () => {
    const streams = { ...defaultStreamsConfig, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, limits: "aws" as const };
    app = await startApp({
      clock: systemClock,
      random: systemRandom,
      logger: silentLogger,
      storage: createMemoryEngine(systemRandom),
      config: { host: "127.0.0.1", port: 0, requestBytesMax: requestBytesMaxDefault, accountId: streams.accountId, region: streams.region, streams, metrics: { enabled: false } },
    });
  });
  after(() => app.stop());

  it("serves puts and reads and records no series", async () => {
    const server = { url: app.url };
    await ok(server, "CreateStream", { StreamName: "quiet", ShardCount: 1 });
    await ok(server, "EnableEnhancedMonitoring", { StreamName: "quiet", ShardLevelMetrics: ["ALL"] });
    await ok(server, "PutRecord", { StreamName: "quiet", PartitionKey: "k", Data: Buffer.from("a").toString("base64") });
    const put = await ok(server, "PutRecords", { StreamName: "quiet", Records: [{ PartitionKey: "k", Data: Buffer.from("b").toString("base64") }] });
    assert.equal(put.FailedRecordCount, 0);
    const { ShardIterator } = await ok(server, "GetShardIterator", { StreamName: "quiet", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" });
    assert.equal((await ok(server, "GetRecords", { ShardIterator })).Records.length, 2);
    assert.deepEqual(await app.metrics.listMetrics({}), []);
    assert.deepEqual([...app.metrics.totals()], []);
  });
});
