/**
 * Shard sync and lineage against a Tributary server (the Kinesis side) with a resharded stream,
 * and a lease table on each DynamoDB endpoint: which shards get leases under each initial
 * position, with which starting checkpoint, parents and hash key ranges.
 *
 * The stream: shards 0, 1, 2; shard 0 split into 3 and 4; shards 1 and 2 merged into 5.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateStreamCommand, ListShardsCommand, MergeShardsCommand, SplitShardCommand, type KinesisClient, type Shard,
} from "@aws-sdk/client-kinesis";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { waitUntilActive } from "../helpers/streams.js";
import { DynamoDbLeaseTable, parentsFinished, syncShardLeases } from "../../src/client/consumer/lease/index.js";
import type { InitialPosition, Lease } from "../../src/client/consumer/types.js";
import { leaseEndpoints, randomTableName, type RunningLeaseEndpoint } from "./consumer-lease-endpoints.js";

const shard = (n: number) => `shardId-${String(n).padStart(12, "0")}`;

let server: TestServer;
let kinesis: KinesisClient;
let StreamName: string;
let shards: Shard[];

before(async () => {
  server = await startTestServer();
  kinesis = kinesisClient(server);
  StreamName = randomStreamName("shard-sync");
  await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 3 }));
  await waitUntilActive(kinesis, StreamName);
  const initial = (await kinesis.send(new ListShardsCommand({ StreamName }))).Shards!;
  const start0 = BigInt(initial[0]!.HashKeyRange!.StartingHashKey!);
  const end0 = BigInt(initial[0]!.HashKeyRange!.EndingHashKey!);
  await kinesis.send(new SplitShardCommand({ StreamName, ShardToSplit: shard(0), NewStartingHashKey: ((start0 + end0) / 2n).toString() }));
  await waitUntilActive(kinesis, StreamName);
  await kinesis.send(new MergeShardsCommand({ StreamName, ShardToMerge: shard(1), AdjacentShardToMerge: shard(2) }));
  await waitUntilActive(kinesis, StreamName);
  shards = (await kinesis.send(new ListShardsCommand({ StreamName }))).Shards!;
  assert.deepEqual(shards.map((s) => s.ShardId), [0, 1, 2, 3, 4, 5].map(shard));
});

after(async () => {
  kinesis.destroy();
  await server.stop();
});

function rangeOf(shardId: string): { startingHashKey: string; endingHashKey: string } {
  const range = shards.find((s) => s.ShardId === shardId)!.HashKeyRange!;
  return { startingHashKey: range.StartingHashKey!, endingHashKey: range.EndingHashKey! };
}

function expectedLease(n: number, sequenceNumber: string, parents: number[]): Lease {
  return {
    leaseKey: shard(n),
    leaseCounter: 0,
    checkpoint: { sequenceNumber, subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: parents.map(shard),
    childShardIds: [],
    ...rangeOf(shard(n)),
  };
}

const byKey = (leases: Lease[]) => [...leases].sort((a, b) => a.leaseKey.localeCompare(b.leaseKey));

for (const endpoint of leaseEndpoints()) {
  describe(`shard sync (${endpoint.name})`, () => {
    let running: RunningLeaseEndpoint;
    let dynamodb: DynamoDBClient;

    before(async () => {
      running = await endpoint.start();
      dynamodb = running.client();
    });

    after(async () => {
      dynamodb.destroy();
      await running.stop();
    });

    async function freshTable(): Promise<DynamoDbLeaseTable> {
      const table = new DynamoDbLeaseTable({ client: dynamodb, tableName: randomTableName("sync") });
      await table.ensureTable();
      return table;
    }

    async function sync(table: DynamoDbLeaseTable, initialPosition: InitialPosition) {
      return syncShardLeases({ kinesis, stream: { StreamName }, table, initialPosition });
    }

    describe("syncShardLeases", () => {
      it("TRIM_HORIZON leases every shard, with its parents and hash key range", async () => {
        const table = await freshTable();
        const result = await sync(table, { type: "TRIM_HORIZON" });
        const expected = [
          expectedLease(0, "TRIM_HORIZON", []),
          expectedLease(1, "TRIM_HORIZON", []),
          expectedLease(2, "TRIM_HORIZON", []),
          expectedLease(3, "TRIM_HORIZON", [0]),
          expectedLease(4, "TRIM_HORIZON", [0]),
          expectedLease(5, "TRIM_HORIZON", [1, 2]),
        ];
        assert.deepEqual(byKey(await table.list()), expected);
        assert.deepEqual(byKey(result.created), expected);
        assert.equal(result.shards.length, 6);
      });

      it("AT_TIMESTAMP leases every shard at AT_TIMESTAMP", async () => {
        const table = await freshTable();
        await sync(table, { type: "AT_TIMESTAMP", timestamp: new Date(0) });
        const leases = byKey(await table.list());
        assert.deepEqual(leases.map((lease) => lease.leaseKey), [0, 1, 2, 3, 4, 5].map(shard));
        assert.ok(leases.every((lease) => lease.checkpoint.sequenceNumber === "AT_TIMESTAMP"));
        assert.deepEqual(leases.find((lease) => lease.leaseKey === shard(5))?.parentShardIds, [shard(1), shard(2)]);
      });

      it("LATEST leases only the open shards, at LATEST", async () => {
        const table = await freshTable();
        await sync(table, { type: "LATEST" });
        assert.deepEqual(byKey(await table.list()), [expectedLease(3, "LATEST", [0]), expectedLease(4, "LATEST", [0]), expectedLease(5, "LATEST", [1, 2])]);
      });

      it("LATEST starts the children of a leased shard at TRIM_HORIZON", async () => {
        const table = await freshTable();
        // The application was reading shard 0 before it was split.
        const parent = { ...expectedLease(0, "4960000000", []), leaseOwner: "worker-a", leaseCounter: 7 };
        assert.equal(await table.createIfAbsent(parent), true);
        const result = await sync(table, { type: "LATEST" });
        const expected = [expectedLease(3, "TRIM_HORIZON", [0]), expectedLease(4, "TRIM_HORIZON", [0]), expectedLease(5, "LATEST", [1, 2])];
        assert.deepEqual(byKey(result.created), expected);
        assert.deepEqual(byKey(await table.list()), [parent, ...expected]);
      });

      it("creates nothing on a second run, and does not touch existing leases", async () => {
        const table = await freshTable();
        await sync(table, { type: "TRIM_HORIZON" });
        const taken = await table.take((await table.get(shard(3)))!, "worker-a");
        const again = await sync(table, { type: "LATEST" });
        assert.deepEqual(again.created, []);
        assert.deepEqual(await table.get(shard(3)), taken);
        assert.equal((await table.list()).length, 6);
      });

      it("follows ListShards pages and retries LimitExceededException", async () => {
        const paging = kinesisClient(server);
        try {
          let calls = 0;
          let throttled = 0;
          paging.middlewareStack.add(
            (next, context) => async (args) => {
              if (context.commandName !== "ListShardsCommand") return next(args);
              calls++;
              (args.input as { MaxResults?: number }).MaxResults = 2;
              if (calls === 2 && throttled === 0) {
                throttled++;
                throw Object.assign(new Error("Rate exceeded"), { name: "LimitExceededException", $metadata: { httpStatusCode: 400 } });
              }
              return next(args);
            },
            { step: "initialize" },
          );
          const table = await freshTable();
          const result = await syncShardLeases({ kinesis: paging, stream: { StreamName }, table, initialPosition: { type: "TRIM_HORIZON" } });
          assert.deepEqual(result.shards.map((s) => s.ShardId), [0, 1, 2, 3, 4, 5].map(shard));
          assert.equal(throttled, 1);
          assert.equal(calls, 3 + 1, "three pages of two, plus the throttled attempt");
          assert.equal((await table.list()).length, 6);
        } finally {
          paging.destroy();
        }
      });
    });
  });
}

describe("parentsFinished", () => {
  const lease = (n: number, sequenceNumber: string, parents: number[] = []): Lease => ({
    leaseKey: shard(n),
    leaseCounter: 1,
    checkpoint: { sequenceNumber, subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: parents.map(shard),
    childShardIds: [],
  });
  const map = (...leases: Lease[]) => new Map(leases.map((l) => [l.leaseKey, l]));
  const merged = lease(5, "TRIM_HORIZON", [1, 2]);

  it("is true for a shard without parents", () => {
    assert.equal(parentsFinished(lease(0, "LATEST"), map()), true);
  });

  it("is false while any parent is unfinished", () => {
    assert.equal(parentsFinished(merged, map(lease(1, "TRIM_HORIZON"), lease(2, "TRIM_HORIZON"))), false);
    assert.equal(parentsFinished(merged, map(lease(1, "SHARD_END"), lease(2, "4960"))), false);
  });

  it("is true once every parent is at SHARD_END or has no lease", () => {
    assert.equal(parentsFinished(merged, map(lease(1, "SHARD_END"), lease(2, "SHARD_END"))), true);
    assert.equal(parentsFinished(merged, map(lease(1, "SHARD_END"))), true);
    assert.equal(parentsFinished(merged, map()), true);
  });
});
