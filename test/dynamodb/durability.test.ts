/**
 * The lease table survives restarts: items written through the SDK are read back after the
 * server stops and starts again on the same data directory; a torn journal tail is cut off on
 * open; a journal past its compaction threshold is rewritten and still replays to the same items.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, stat, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, GetItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand, DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { dynamoClient, startTributary, type DynamoEndpoint } from "./helpers.js";
import { createEmbeddedEngine } from "../../src/storage/index.js";
import { compactionFloorBytes } from "../../src/storage/embedded/tables/embedded-tables.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

const accountId = "000000000000";

describe("dynamodb > durability", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "tributary-dynamodb-"));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("restart > items, updates and the table's description come back from the data directory", async () => {
    let endpoint: DynamoEndpoint = await startTributary({ dataDir });
    let client = dynamoClient(endpoint);
    const created = await client.send(new CreateTableCommand({
      TableName: "leases", KeySchema: [{ AttributeName: "leaseKey", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "leaseKey", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }));
    for (let index = 0; index < 5; index++) {
      await client.send(new PutItemCommand({ TableName: "leases", Item: { leaseKey: { S: `shardId-${index}` }, leaseCounter: { N: "0" } } }));
    }
    await client.send(new UpdateItemCommand({
      TableName: "leases", Key: { leaseKey: { S: "shardId-2" } }, UpdateExpression: "SET checkpoint = :c ADD leaseCounter :one",
      ExpressionAttributeValues: { ":c": { S: "49590338271490256608559692538361571095921575989136588898" }, ":one": { N: "1" } },
    }));
    client.destroy();
    await endpoint.stop();

    endpoint = await startTributary({ dataDir });
    client = dynamoClient(endpoint);
    try {
      const table = (await client.send(new DescribeTableCommand({ TableName: "leases" }))).Table!;
      assert.equal(table.TableId, created.TableDescription!.TableId);
      assert.equal(table.ItemCount, 5);
      const item = (await client.send(new GetItemCommand({ TableName: "leases", Key: { leaseKey: { S: "shardId-2" } } }))).Item;
      assert.deepEqual(item, { leaseKey: { S: "shardId-2" }, leaseCounter: { N: "1" }, checkpoint: { S: "49590338271490256608559692538361571095921575989136588898" } });
      const keys = (await client.send(new ScanCommand({ TableName: "leases" }))).Items!.map((scanned) => scanned.leaseKey!.S);
      assert.deepEqual(keys, ["shardId-0", "shardId-1", "shardId-2", "shardId-3", "shardId-4"]);
    } finally {
      client.destroy();
      await endpoint.stop();
    }
  });

  const open = (dir: string) => createEmbeddedEngine({ dataDir: dir, fsync: "always", clock: systemClock, random: new SeededRandom(3), logger: silentLogger, accountId });
  const meta = { tableId: "11111111-2222-4333-8444-555555555555", accountId, TableName: "t", createdAtMs: 0, definition: {} };
  const journalOf = (dir: string) => join(dir, "tables", meta.tableId, "journal");

  it("recovery > a torn tail is cut off, and writes after it replay", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tributary-tables-"));
    try {
      let engine = await open(dir);
      await engine.tables.create(meta);
      await engine.tables.putItem(meta.tableId, { key: "a", value: "1" });
      await engine.tables.putItem(meta.tableId, { key: "b", value: "2" });
      await engine.close();
      const whole = (await stat(journalOf(dir))).size;
      // Half a frame: a length that promises more bytes than follow, as a crash mid-write leaves.
      await appendFile(journalOf(dir), Buffer.from([40, 0, 0, 0, 1, 2, 3]));
      engine = await open(dir);
      assert.deepEqual(await engine.tables.scan(meta.tableId, undefined, 10), [{ key: "a", value: "1" }, { key: "b", value: "2" }]);
      assert.equal((await stat(journalOf(dir))).size, whole);
      await engine.tables.putItem(meta.tableId, { key: "c", value: "3" });
      await engine.close();
      engine = await open(dir);
      assert.deepEqual((await engine.tables.scan(meta.tableId, undefined, 10)).map((entry) => entry.key), ["a", "b", "c"]);
      await engine.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("recovery > a table directory without its meta file (an interrupted create) is removed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tributary-tables-"));
    try {
      let engine = await open(dir);
      await engine.tables.create(meta);
      await engine.close();
      await rm(join(dir, "tables", meta.tableId, "meta"));
      engine = await open(dir);
      assert.deepEqual(await engine.tables.list(), []);
      assert.deepEqual(await readdir(join(dir, "tables")), []);
      await engine.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("compaction > a journal of rewrites is compacted to its live items and replays the same", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tributary-tables-"));
    try {
      let engine = await open(dir);
      await engine.tables.create(meta);
      const value = "x".repeat(1000);
      // Each round rewrites the same ten items: the journal grows, the live bytes do not.
      for (let round = 0; round < 40; round++) {
        await Promise.all(Array.from({ length: 10 }, (_, index) => engine.tables.putItem(meta.tableId, { key: `k${index}`, value: `${round}${value}` })));
      }
      const written = 40 * 10 * 1000;
      const size = (await stat(journalOf(dir))).size;
      assert.ok(written > compactionFloorBytes * 4);
      assert.ok(size < compactionFloorBytes * 2, `journal of ${size} bytes after ${written} bytes of writes`);
      await engine.close();
      engine = await open(dir);
      const items = await engine.tables.scan(meta.tableId, undefined, 100);
      assert.equal(items.length, 10);
      assert.ok(items.every((entry) => entry.value === `39${value}`));
      await engine.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
