/**
 * Conditional writes are compare-and-sets on the item's revision: requests that read the same
 * item at once (held at a barrier until all have read) meet as conflicts in the store, and each
 * runs again on the item as the winner left it — so every increment lands and exactly one
 * creation of a lease wins, on both engines. Without the revision check every racer would write.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConditionalCheckFailedException, CreateTableCommand, GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { dynamoClient, startTributary, type DynamoEndpoint } from "./helpers.js";
import { createEmbeddedEngine, createMemoryEngine } from "../../src/storage/index.js";
import type { CasOutcome, StorageEngine, TableStore, VersionedItem } from "../../src/storage/types.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

const racers = 6;

/** Holds item reads until `count` of them are waiting, then lets them all go; counts conflicts. */
interface RacingTables {
  storage: StorageEngine;
  holdReads(count: number): void;
  conflicts(): number;
}

function racing(inner: StorageEngine): RacingTables {
  let waiting: { count: number; arrived: number; release: () => void; released: Promise<void> } | undefined;
  let conflicts = 0;
  const countConflict = async (outcome: Promise<CasOutcome>) => {
    const settled = await outcome;
    if (!settled.ok && "conflict" in settled) conflicts++;
    return settled;
  };
  const tables = new Proxy(inner.tables, {
    get(target, property, receiver) {
      if (property === "getVersionedItem") {
        return async (tableId: string, key: string): Promise<VersionedItem | undefined> => {
          const barrier = waiting;
          if (barrier !== undefined) {
            barrier.arrived++;
            if (barrier.arrived === barrier.count) {
              waiting = undefined;
              barrier.release();
            }
            await barrier.released;
          }
          return target.getVersionedItem(tableId, key);
        };
      }
      if (property === "putItem" || property === "deleteItem") {
        const write = Reflect.get(target, property, receiver) as (...args: unknown[]) => Promise<CasOutcome>;
        return (...args: unknown[]) => countConflict(write.apply(target, args));
      }
      return Reflect.get(target, property, receiver);
    },
  }) as TableStore;
  return {
    storage: { ...inner, name: inner.name, catalog: inner.catalog, logs: inner.logs, tables, close: () => inner.close() },
    holdReads(count) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      waiting = { count, arrived: 0, release, released };
    },
    conflicts: () => conflicts,
  };
}

for (const engineName of ["memory", "embedded"] as const) {
  describe(`dynamodb > item races (${engineName})`, () => {
    let dataDir: string | undefined;
    let tables: RacingTables;
    let endpoint: DynamoEndpoint;
    let client: DynamoDBClient;

    before(async () => {
      let inner: StorageEngine;
      if (engineName === "memory") {
        inner = createMemoryEngine(systemRandom);
      } else {
        dataDir = await mkdtemp(join(tmpdir(), "tributary-item-races-"));
        inner = await createEmbeddedEngine({ dataDir, fsync: "always", clock: systemClock, random: new SeededRandom(3), logger: silentLogger, accountId: "000000000000" });
      }
      tables = racing(inner);
      endpoint = await startTributary({ storage: tables.storage });
      client = dynamoClient(endpoint);
      await client.send(new CreateTableCommand({
        TableName: "leases", KeySchema: [{ AttributeName: "leaseKey", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "leaseKey", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }));
    });
    after(async () => {
      client.destroy();
      await endpoint.stop();
      if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    });

    it("racing UpdateItem ADDs on one item all land: the losers of each round run again", async () => {
      await client.send(new PutItemCommand({ TableName: "leases", Item: { leaseKey: { S: "counted" }, leaseCounter: { N: "0" } } }));
      const before = tables.conflicts();
      tables.holdReads(racers);
      await Promise.all(Array.from({ length: racers }, () => client.send(new UpdateItemCommand({
        TableName: "leases", Key: { leaseKey: { S: "counted" } }, UpdateExpression: "ADD leaseCounter :one", ExpressionAttributeValues: { ":one": { N: "1" } },
      }))));
      const item = await client.send(new GetItemCommand({ TableName: "leases", Key: { leaseKey: { S: "counted" } } }));
      assert.deepEqual(item.Item?.leaseCounter, { N: String(racers) });
      // All read the same revision: one wins the first round, the others conflict and retry.
      assert.ok(tables.conflicts() - before >= racers - 1, `conflicts: ${tables.conflicts() - before}`);
    });

    it("of racing creations with attribute_not_exists, exactly one wins; the others fail their condition", async () => {
      tables.holdReads(racers);
      const outcomes = await Promise.allSettled(Array.from({ length: racers }, (_, index) => client.send(new PutItemCommand({
        TableName: "leases", Item: { leaseKey: { S: "claimed" }, leaseOwner: { S: `worker-${index}` } }, ConditionExpression: "attribute_not_exists(leaseKey)",
      }))));
      const won = outcomes.filter((outcome) => outcome.status === "fulfilled");
      const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
      assert.equal(won.length, 1);
      assert.equal(lost.length, racers - 1);
      for (const outcome of lost) assert.ok(outcome.reason instanceof ConditionalCheckFailedException, String(outcome.reason));
      const item = await client.send(new GetItemCommand({ TableName: "leases", Key: { leaseKey: { S: "claimed" } } }));
      assert.match(item.Item?.leaseOwner?.S ?? "", /^worker-\d$/);
    });
  });
}
