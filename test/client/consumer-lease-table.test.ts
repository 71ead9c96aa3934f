/**
 * DynamoDbLeaseTable against each DynamoDB endpoint: the KCL item layout, and every conditional
 * operation with its failure cases (a stale counter, a wrong owner, a missing lease), Scan paging,
 * and retries of throttling.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DescribeTableCommand, GetItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ConsumerError, DynamoDbLeaseTable } from "../../src/client/consumer/lease/index.js";
import type { Lease } from "../../src/client/consumer/types.js";
import { leaseEndpoints, randomTableName, type RunningLeaseEndpoint } from "./consumer-lease-endpoints.js";

function newLease(leaseKey: string, extra: Partial<Lease> = {}): Lease {
  return {
    leaseKey,
    leaseCounter: 0,
    checkpoint: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
    ...extra,
  };
}

/** Counts the calls of one operation the client sends, and lets a test alter their input. */
function instrument(client: DynamoDBClient, commandName: string, alter: (input: Record<string, unknown>) => void = () => {}): { calls: number } {
  const seen = { calls: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === commandName) {
        seen.calls++;
        alter(args.input as Record<string, unknown>);
      }
      return next(args);
    },
    { step: "initialize" },
  );
  return seen;
}

/** Makes the first `count` calls of an operation fail with the given error, before they are sent. */
function failFirst(client: DynamoDBClient, commandName: string, count: number, error: () => Error): void {
  let failed = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === commandName && failed < count) {
        failed++;
        throw error();
      }
      return next(args);
    },
    { step: "initialize" },
  );
}

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} injected`), { name, $metadata: { httpStatusCode: status } });
}

for (const endpoint of leaseEndpoints()) {
  describe(`lease table (${endpoint.name})`, () => {
    let running: RunningLeaseEndpoint;
    let client: DynamoDBClient;
    let table: DynamoDbLeaseTable;

    before(async () => {
      running = await endpoint.start();
      client = running.client();
      table = new DynamoDbLeaseTable({ client, tableName: randomTableName() });
      await table.ensureTable();
    });

    after(async () => {
      client.destroy();
      await running.stop();
    });

    describe("ensureTable", () => {
      it("creates the KCL's table: leaseKey (S) hash key, on-demand, ACTIVE", async () => {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: table.tableName }));
        assert.equal(Table?.TableStatus, "ACTIVE");
        assert.deepEqual(Table?.KeySchema, [{ AttributeName: "leaseKey", KeyType: "HASH" }]);
        assert.deepEqual(Table?.AttributeDefinitions, [{ AttributeName: "leaseKey", AttributeType: "S" }]);
        assert.equal(Table?.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
      });

      it("is idempotent, also when two workers race to create", async () => {
        const other = new DynamoDbLeaseTable({ client, tableName: randomTableName("race") });
        const twin = new DynamoDbLeaseTable({ client, tableName: other.tableName });
        await Promise.all([other.ensureTable(), twin.ensureTable()]);
        await other.ensureTable();
        assert.deepEqual(await other.list(), []);
      });
    });

    describe("createIfAbsent and get", () => {
      it("writes the KCL's item layout and reads it back", async () => {
        const lease = newLease("shardId-000000000001", {
          parentShardIds: ["shardId-000000000000"],
          startingHashKey: "0",
          endingHashKey: "170141183460469231731687303715884105727",
          pendingCheckpoint: { sequenceNumber: "49590338271490256608559692538361571095921575989136588801", subSequenceNumber: 2 },
        });
        assert.equal(await table.createIfAbsent(lease), true);
        const { Item } = await client.send(new GetItemCommand({ TableName: table.tableName, Key: { leaseKey: { S: lease.leaseKey } }, ConsistentRead: true }));
        assert.deepEqual(Item, {
          leaseKey: { S: "shardId-000000000001" },
          leaseCounter: { N: "0" },
          ownerSwitchesSinceCheckpoint: { N: "0" },
          checkpoint: { S: "TRIM_HORIZON" },
          checkpointSubSequenceNumber: { N: "0" },
          pendingCheckpoint: { S: "49590338271490256608559692538361571095921575989136588801" },
          pendingCheckpointSubSequenceNumber: { N: "2" },
          parentShardId: { SS: ["shardId-000000000000"] },
          startingHashKey: { S: "0" },
          endingHashKey: { S: "170141183460469231731687303715884105727" },
        });
        assert.deepEqual(await table.get(lease.leaseKey), lease);
      });

      it("does not overwrite an existing lease", async () => {
        const lease = newLease("create-twice");
        assert.equal(await table.createIfAbsent(lease), true);
        const taken = await table.take(lease, "worker-a");
        assert.equal(await table.createIfAbsent(lease), false);
        assert.deepEqual(await table.get(lease.leaseKey), taken);
      });

      it("answers undefined for a missing lease", async () => {
        assert.equal(await table.get("no-such-lease"), undefined);
      });
    });

    describe("renew", () => {
      it("increments the counter when counter and owner match", async () => {
        await table.createIfAbsent(newLease("renew-ok"));
        const taken = await table.take(newLease("renew-ok"), "worker-a");
        assert.equal(taken?.leaseCounter, 1);
        const renewed = await table.renew(taken!);
        assert.deepEqual(renewed, { ...taken!, leaseCounter: 2 });
        assert.deepEqual(await table.get("renew-ok"), renewed);
      });

      it("fails on a stale counter, a wrong owner, or a missing lease", async () => {
        await table.createIfAbsent(newLease("renew-fail"));
        const taken = (await table.take(newLease("renew-fail"), "worker-a"))!;
        const renewed = (await table.renew(taken))!;
        assert.equal(await table.renew(taken), undefined, "stale counter");
        assert.equal(await table.renew({ ...renewed, leaseOwner: "worker-b" }), undefined, "wrong owner");
        assert.equal(await table.renew({ ...newLease("renew-missing"), leaseOwner: "worker-a" }), undefined, "missing lease");
        assert.deepEqual(await table.get("renew-fail"), renewed);
      });
    });

    describe("take", () => {
      it("takes a free lease without counting an owner switch", async () => {
        await table.createIfAbsent(newLease("take-free"));
        const taken = await table.take(newLease("take-free"), "worker-a");
        assert.deepEqual(taken, { ...newLease("take-free"), leaseOwner: "worker-a", leaseCounter: 1 });
      });

      it("takes another worker's lease, counting the owner switch", async () => {
        await table.createIfAbsent(newLease("take-steal"));
        const first = (await table.take(newLease("take-steal"), "worker-a"))!;
        const second = await table.take(first, "worker-b");
        assert.deepEqual(second, { ...first, leaseOwner: "worker-b", leaseCounter: 2, ownerSwitchesSinceCheckpoint: 1 });
        const again = await table.take(second!, "worker-b");
        assert.equal(again?.ownerSwitchesSinceCheckpoint, 1, "re-taking one's own lease is no switch");
      });

      it("fails when the counter moved since the caller's scan", async () => {
        await table.createIfAbsent(newLease("take-race"));
        const scanned = (await table.get("take-race"))!;
        const winner = await table.take(scanned, "worker-a");
        assert.equal(await table.take(scanned, "worker-b"), undefined);
        assert.deepEqual(await table.get("take-race"), winner);
      });
    });

    describe("release", () => {
      it("removes the owner and increments the counter", async () => {
        await table.createIfAbsent(newLease("release-ok"));
        const taken = (await table.take(newLease("release-ok"), "worker-a"))!;
        const released = await table.release(taken);
        const { leaseOwner: _owner, ...free } = taken;
        assert.deepEqual(released, { ...free, leaseCounter: 2 });
        assert.equal((await table.get("release-ok"))?.leaseOwner, undefined);
        assert.equal((await table.take(released!, "worker-b"))?.leaseOwner, "worker-b");
      });

      it("fails for a stale counter or another owner", async () => {
        await table.createIfAbsent(newLease("release-fail"));
        const taken = (await table.take(newLease("release-fail"), "worker-a"))!;
        assert.equal(await table.release({ ...taken, leaseOwner: "worker-b" }), undefined);
        const renewed = (await table.renew(taken))!;
        assert.equal(await table.release(taken), undefined);
        assert.deepEqual(await table.get("release-fail"), renewed);
      });
    });

    describe("checkpoint", () => {
      it("sets the checkpoint, resets owner switches and clears the pending checkpoint", async () => {
        await table.createIfAbsent(newLease("checkpoint-ok", { pendingCheckpoint: { sequenceNumber: "100", subSequenceNumber: 0 } }));
        const first = (await table.take((await table.get("checkpoint-ok"))!, "worker-a"))!;
        const taken = (await table.take(first, "worker-b"))!;
        assert.equal(taken.ownerSwitchesSinceCheckpoint, 1);
        const written = await table.checkpoint(taken, { sequenceNumber: "12345", subSequenceNumber: 7 });
        const { pendingCheckpoint: _pending, ...rest } = taken;
        const expected = { ...rest, leaseCounter: 3, checkpoint: { sequenceNumber: "12345", subSequenceNumber: 7 }, ownerSwitchesSinceCheckpoint: 0 };
        assert.deepEqual(written, expected);
        assert.deepEqual(await table.get("checkpoint-ok"), expected);
      });

      it("fails after the lease was stolen", async () => {
        await table.createIfAbsent(newLease("checkpoint-stolen"));
        const mine = (await table.take(newLease("checkpoint-stolen"), "worker-a"))!;
        const theirs = (await table.take(mine, "worker-b"))!;
        assert.equal(await table.checkpoint(mine, { sequenceNumber: "1", subSequenceNumber: 0 }), undefined);
        assert.equal(await table.checkpoint({ ...theirs, leaseOwner: "worker-a" }, { sequenceNumber: "1", subSequenceNumber: 0 }), undefined);
        assert.deepEqual(await table.get("checkpoint-stolen"), theirs);
      });
    });

    describe("setChildShardIds", () => {
      it("records the children under the KCL's childShardIds, conditional on counter and owner", async () => {
        await table.createIfAbsent(newLease("parent"));
        const taken = (await table.take(newLease("parent"), "worker-a"))!;
        const written = await table.setChildShardIds(taken, ["child-2", "child-1"]);
        assert.deepEqual(written?.childShardIds, ["child-1", "child-2"]);
        const { Item } = await client.send(new GetItemCommand({ TableName: table.tableName, Key: { leaseKey: { S: "parent" } }, ConsistentRead: true }));
        assert.deepEqual([...(Item?.childShardIds?.SS ?? [])].sort(), ["child-1", "child-2"]);
        assert.equal(await table.setChildShardIds(taken, ["child-3"]), undefined);
      });
    });

    describe("list and delete", () => {
      it("scans consistently and follows LastEvaluatedKey across pages", async () => {
        const pagedClient = running.client();
        try {
          const scans = instrument(pagedClient, "ScanCommand", (input) => {
            assert.equal(input.ConsistentRead, true);
            input.Limit = 2;
          });
          const paged = new DynamoDbLeaseTable({ client: pagedClient, tableName: randomTableName("paged") });
          await paged.ensureTable();
          const keys = Array.from({ length: 7 }, (_, i) => `shardId-${String(i).padStart(12, "0")}`);
          for (const key of keys) assert.equal(await paged.createIfAbsent(newLease(key)), true);
          const listed = await paged.list();
          assert.deepEqual(listed.map((lease) => lease.leaseKey).sort(), keys);
          assert.ok(scans.calls >= 4, `7 items 2 a page take at least 4 scans, took ${scans.calls}`);
          await paged.delete(listed[0]!);
          assert.equal(await paged.get(listed[0]!.leaseKey), undefined);
          assert.equal((await paged.list()).length, 6);
        } finally {
          pagedClient.destroy();
        }
      });
    });

    describe("errors", () => {
      it("retries throttling and server errors", async () => {
        const flaky = running.client();
        try {
          failFirst(flaky, "GetItemCommand", 2, () => awsError("ProvisionedThroughputExceededException", 400));
          failFirst(flaky, "UpdateItemCommand", 1, () => awsError("InternalServerError", 500));
          const retrying = new DynamoDbLeaseTable({ client: flaky, tableName: table.tableName, backoffMsBase: 1 });
          await retrying.createIfAbsent(newLease("flaky"));
          assert.equal((await retrying.get("flaky"))?.leaseKey, "flaky");
          assert.equal((await retrying.take(newLease("flaky"), "worker-a"))?.leaseOwner, "worker-a");
        } finally {
          flaky.destroy();
        }
      });

      it("gives up after attemptsMax and throws other errors at once", async () => {
        const failing = running.client();
        try {
          const gets = instrument(failing, "GetItemCommand");
          failFirst(failing, "GetItemCommand", 100, () => awsError("ThrottlingException", 400));
          const retrying = new DynamoDbLeaseTable({ client: failing, tableName: table.tableName, attemptsMax: 3, backoffMsBase: 1 });
          await assert.rejects(retrying.get("anything"), { name: "ThrottlingException" });
          assert.equal(gets.calls, 3);
          const missing = new DynamoDbLeaseTable({ client, tableName: randomTableName("missing") });
          await assert.rejects(missing.get("anything"), { name: "ResourceNotFoundException" });
        } finally {
          failing.destroy();
        }
      });

      it("reports a table that never becomes ACTIVE", async () => {
        const stuck = running.client();
        try {
          stuck.middlewareStack.add(
            (next, context) => async (args) => {
              const result = await next(args);
              if (context.commandName === "DescribeTableCommand") (result.output as { Table: { TableStatus: string } }).Table.TableStatus = "CREATING";
              return result;
            },
            { step: "initialize" },
          );
          const never = new DynamoDbLeaseTable({ client: stuck, tableName: table.tableName, tableActiveTimeoutMs: 120 });
          await assert.rejects(never.ensureTable(), (error: unknown) => error instanceof ConsumerError && error.code === "TableNotActive");
        } finally {
          stuck.destroy();
        }
      });
    });
  });
}
