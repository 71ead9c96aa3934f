/**
 * The DynamoDB lease-table subset through @aws-sdk/client-dynamodb, run against Tributary and
 * against dynalite (an independent implementation written against AWS): the same calls must
 * give the same answers on both.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ConditionalCheckFailedException, CreateTableCommand, DeleteItemCommand, DeleteTableCommand, DescribeTableCommand, GetItemCommand,
  ListTablesCommand, PutItemCommand, ResourceInUseException, ResourceNotFoundException, ScanCommand, UpdateItemCommand, type DynamoDBClient,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { dynamoClient, startDynalite, startTributary, tableName, type DynamoEndpoint } from "./helpers.js";

type Item = Record<string, AttributeValue>;

for (const start of [startTributary, startDynalite]) {
  describe(`dynamodb > behaviour > ${start === startTributary ? "tributary" : "dynalite"}`, () => {
    let endpoint: DynamoEndpoint;
    let client: DynamoDBClient;
    let leases: string;

    before(async () => {
      endpoint = await start();
      client = dynamoClient(endpoint);
      leases = tableName();
      await client.send(
        new CreateTableCommand({
          TableName: leases,
          KeySchema: [{ AttributeName: "leaseKey", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "leaseKey", AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
    });
    after(async () => {
      client.destroy();
      await endpoint.stop();
    });

    const get = async (key: string): Promise<Item | undefined> =>
      (await client.send(new GetItemCommand({ TableName: leases, Key: { leaseKey: { S: key } }, ConsistentRead: true }))).Item;

    describe("tables", () => {
      it("CreateTable > answers CREATING with the full description, and DescribeTable then ACTIVE", async () => {
        const name = tableName("provisioned");
        const created = await client.send(
          new CreateTableCommand({
            TableName: name,
            KeySchema: [{ AttributeName: "id", KeyType: "HASH" }, { AttributeName: "at", KeyType: "RANGE" }],
            AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }, { AttributeName: "at", AttributeType: "N" }],
            ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 7 },
          }),
        );
        const description = created.TableDescription!;
        assert.equal(description.TableStatus, "CREATING");
        assert.equal(description.TableName, name);
        assert.equal(description.TableArn, `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`);
        assert.match(description.TableId!, /^[0-9a-f-]{30,36}$/);
        assert.deepEqual(description.KeySchema, [{ AttributeName: "id", KeyType: "HASH" }, { AttributeName: "at", KeyType: "RANGE" }]);
        assert.deepEqual(description.ProvisionedThroughput, { NumberOfDecreasesToday: 0, ReadCapacityUnits: 5, WriteCapacityUnits: 7 });
        assert.equal(description.ItemCount, 0);
        assert.equal(description.TableSizeBytes, 0);
        assert.ok(description.CreationDateTime instanceof Date);
        const described = (await client.send(new DescribeTableCommand({ TableName: name }))).Table!;
        assert.equal(described.TableStatus, "ACTIVE");
        assert.equal(described.TableId, description.TableId);
      });

      it("CreateTable > refuses a table that exists with ResourceInUseException", async () => {
        await assert.rejects(
          client.send(new CreateTableCommand({
            TableName: leases,
            KeySchema: [{ AttributeName: "leaseKey", KeyType: "HASH" }],
            AttributeDefinitions: [{ AttributeName: "leaseKey", AttributeType: "S" }],
            BillingMode: "PAY_PER_REQUEST",
          })),
          ResourceInUseException,
        );
      });

      it("DescribeTable > PAY_PER_REQUEST tables report their billing mode", async () => {
        const table = (await client.send(new DescribeTableCommand({ TableName: leases }))).Table!;
        assert.equal(table.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
        assert.deepEqual(table.AttributeDefinitions, [{ AttributeName: "leaseKey", AttributeType: "S" }]);
      });

      it("ListTables > pages with Limit and ExclusiveStartTableName; DeleteTable removes", async () => {
        const names = [tableName("list-a"), tableName("list-b")];
        for (const name of names) {
          await client.send(new CreateTableCommand({
            TableName: name,
            KeySchema: [{ AttributeName: "k", KeyType: "HASH" }],
            AttributeDefinitions: [{ AttributeName: "k", AttributeType: "B" }],
            BillingMode: "PAY_PER_REQUEST",
          }));
        }
        const all = (await client.send(new ListTablesCommand({}))).TableNames!;
        assert.ok(names.every((name) => all.includes(name)));
        assert.deepEqual(all, [...all].sort());
        const first = await client.send(new ListTablesCommand({ Limit: 1 }));
        assert.equal(first.TableNames!.length, 1);
        assert.equal(first.LastEvaluatedTableName, first.TableNames![0]);
        const rest = await client.send(new ListTablesCommand({ ExclusiveStartTableName: first.LastEvaluatedTableName }));
        assert.deepEqual([...first.TableNames!, ...rest.TableNames!], all);
        const deleted = await client.send(new DeleteTableCommand({ TableName: names[0] }));
        assert.equal(deleted.TableDescription!.TableStatus, "DELETING");
        assert.ok(!(await client.send(new ListTablesCommand({}))).TableNames!.includes(names[0]!));
        await assert.rejects(client.send(new DescribeTableCommand({ TableName: names[0] })), ResourceNotFoundException);
      });
    });

    describe("leases", () => {
      it("create if absent > the first PutItem wins, the second fails its condition", async () => {
        const lease = { leaseKey: { S: "shardId-000000000001" }, leaseCounter: { N: "0" }, checkpoint: { S: "TRIM_HORIZON" }, ownerSwitchesSinceCheckpoint: { N: "0" } };
        await client.send(new PutItemCommand({ TableName: leases, Item: lease, ConditionExpression: "attribute_not_exists(leaseKey)" }));
        await assert.rejects(
          client.send(new PutItemCommand({ TableName: leases, Item: lease, ConditionExpression: "attribute_not_exists(leaseKey)" })),
          (error: unknown) => error instanceof ConditionalCheckFailedException && error.message === "The conditional request failed",
        );
        assert.deepEqual(await get("shardId-000000000001"), lease);
      });

      it("take and renew > conditional on leaseCounter (legacy Expected, as KCL Java sends it)", async () => {
        await client.send(new PutItemCommand({ TableName: leases, Item: { leaseKey: { S: "take" }, leaseCounter: { N: "3" } } }));
        const taken = await client.send(new UpdateItemCommand({
          TableName: leases,
          Key: { leaseKey: { S: "take" } },
          Expected: { leaseCounter: { Value: { N: "3" } } },
          AttributeUpdates: {
            leaseOwner: { Value: { S: "worker-1" }, Action: "PUT" },
            leaseCounter: { Value: { N: "1" }, Action: "ADD" },
            ownerSwitchesSinceCheckpoint: { Value: { N: "1" }, Action: "ADD" },
          },
          ReturnValues: "ALL_NEW",
        }));
        assert.deepEqual(taken.Attributes, { leaseKey: { S: "take" }, leaseCounter: { N: "4" }, leaseOwner: { S: "worker-1" }, ownerSwitchesSinceCheckpoint: { N: "1" } });
        // A second taker read counter 3 too: it lost the race.
        await assert.rejects(
          client.send(new UpdateItemCommand({
            TableName: leases,
            Key: { leaseKey: { S: "take" } },
            Expected: { leaseCounter: { Value: { N: "3" } } },
            AttributeUpdates: { leaseOwner: { Value: { S: "worker-2" }, Action: "PUT" } },
          })),
          ConditionalCheckFailedException,
        );
        const renewed = await client.send(new UpdateItemCommand({
          TableName: leases,
          Key: { leaseKey: { S: "take" } },
          ConditionExpression: "leaseCounter = :counter AND leaseOwner = :owner",
          UpdateExpression: "SET leaseCounter = leaseCounter + :one",
          ExpressionAttributeValues: { ":counter": { N: "4" }, ":owner": { S: "worker-1" }, ":one": { N: "1" } },
          ReturnValues: "UPDATED_NEW",
        }));
        assert.deepEqual(renewed.Attributes, { leaseCounter: { N: "5" } });
      });

      it("checkpoint and release > SET with if_not_exists, REMOVE leaseOwner, UPDATED_OLD", async () => {
        await client.send(new PutItemCommand({ TableName: leases, Item: { leaseKey: { S: "ck" }, leaseCounter: { N: "7" }, leaseOwner: { S: "w" } } }));
        await client.send(new UpdateItemCommand({
          TableName: leases,
          Key: { leaseKey: { S: "ck" } },
          ConditionExpression: "attribute_exists(leaseKey) AND leaseOwner = :owner",
          UpdateExpression: "SET checkpoint = :seq, checkpointSubSequenceNumber = :sub, ownerSwitchesSinceCheckpoint = :zero, parentShardId = if_not_exists(parentShardId, :parents)",
          ExpressionAttributeValues: { ":owner": { S: "w" }, ":seq": { S: "4959" }, ":sub": { N: "0" }, ":zero": { N: "0" }, ":parents": { SS: ["shardId-0"] } },
        }));
        const released = await client.send(new UpdateItemCommand({
          TableName: leases,
          Key: { leaseKey: { S: "ck" } },
          ConditionExpression: "#owner = :owner",
          UpdateExpression: "REMOVE #owner SET leaseCounter = leaseCounter + :one",
          ExpressionAttributeNames: { "#owner": "leaseOwner" },
          ExpressionAttributeValues: { ":owner": { S: "w" }, ":one": { N: "1" } },
          ReturnValues: "UPDATED_OLD",
        }));
        assert.deepEqual(released.Attributes, { leaseOwner: { S: "w" }, leaseCounter: { N: "7" } });
        assert.deepEqual(await get("ck"), {
          leaseKey: { S: "ck" }, leaseCounter: { N: "8" }, checkpoint: { S: "4959" }, checkpointSubSequenceNumber: { N: "0" },
          ownerSwitchesSinceCheckpoint: { N: "0" }, parentShardId: { SS: ["shardId-0"] },
        });
      });

      it("delete > conditional DeleteItem with ALL_OLD, then the lease is gone", async () => {
        await client.send(new PutItemCommand({ TableName: leases, Item: { leaseKey: { S: "gone" }, checkpoint: { S: "SHARD_END" } } }));
        await assert.rejects(
          client.send(new DeleteItemCommand({ TableName: leases, Key: { leaseKey: { S: "gone" } }, Expected: { checkpoint: { Value: { S: "LATEST" } } } })),
          ConditionalCheckFailedException,
        );
        const deleted = await client.send(new DeleteItemCommand({
          TableName: leases, Key: { leaseKey: { S: "gone" } }, ConditionExpression: "checkpoint = :end",
          ExpressionAttributeValues: { ":end": { S: "SHARD_END" } }, ReturnValues: "ALL_OLD",
        }));
        assert.deepEqual(deleted.Attributes, { leaseKey: { S: "gone" }, checkpoint: { S: "SHARD_END" } });
        assert.equal(await get("gone"), undefined);
        // Deleting an absent item succeeds, without attributes.
        const again = await client.send(new DeleteItemCommand({ TableName: leases, Key: { leaseKey: { S: "gone" } }, ReturnValues: "ALL_OLD" }));
        assert.equal(again.Attributes, undefined);
      });
    });

    describe("items", () => {
      it("PutItem > ReturnValues ALL_OLD answers the replaced item; numbers come back canonical", async () => {
        await client.send(new PutItemCommand({ TableName: leases, Item: { leaseKey: { S: "num" }, n: { N: "1.50e2" }, ns: { NS: ["01", "2.0"] } } }));
        const replaced = await client.send(new PutItemCommand({ TableName: leases, Item: { leaseKey: { S: "num" } }, ReturnValues: "ALL_OLD" }));
        assert.deepEqual(replaced.Attributes!.n, { N: "150" });
        assert.deepEqual([...replaced.Attributes!.ns!.NS!].sort(), ["1", "2"]);
      });

      it("PutItem and GetItem > every value type round-trips; ProjectionExpression picks attributes", async () => {
        const item: Item = {
          leaseKey: { S: "types" }, s: { S: "text" }, n: { N: "-12.5" }, b: { B: Uint8Array.from([1, 2, 3]) }, t: { BOOL: true }, z: { NULL: true },
          ss: { SS: ["a", "b"] }, bs: { BS: [Uint8Array.from([9])] }, l: { L: [{ S: "x" }, { N: "1" }] }, m: { M: { deep: { S: "y" } } },
        };
        await client.send(new PutItemCommand({ TableName: leases, Item: item }));
        assert.deepEqual(await get("types"), item);
        const projected = await client.send(new GetItemCommand({
          TableName: leases, Key: { leaseKey: { S: "types" } }, ProjectionExpression: "#s, n, m.deep", ExpressionAttributeNames: { "#s": "s" },
        }));
        assert.deepEqual(projected.Item, { s: { S: "text" }, n: { N: "-12.5" }, m: { M: { deep: { S: "y" } } } });
      });

      it("UpdateItem > creates the item when absent; ADD and DELETE work on sets; list_append", async () => {
        const key = { leaseKey: { S: "sets" } };
        await client.send(new UpdateItemCommand({
          TableName: leases, Key: key, UpdateExpression: "ADD tags :ab, hits :one SET history = list_append(if_not_exists(history, :empty), :first)",
          ExpressionAttributeValues: { ":ab": { SS: ["a", "b"] }, ":one": { N: "1" }, ":empty": { L: [] }, ":first": { L: [{ S: "1st" }] } },
        }));
        const updated = await client.send(new UpdateItemCommand({
          TableName: leases, Key: key, UpdateExpression: "DELETE tags :a SET history = list_append(history, :second)",
          ExpressionAttributeValues: { ":a": { SS: ["a"] }, ":second": { L: [{ S: "2nd" }] } }, ReturnValues: "ALL_NEW",
        }));
        assert.deepEqual(updated.Attributes, { leaseKey: { S: "sets" }, tags: { SS: ["b"] }, hits: { N: "1" }, history: { L: [{ S: "1st" }, { S: "2nd" }] } });
      });

      it("conditions > comparisons, BETWEEN, IN, begins_with, contains, size, attribute_type, NOT and parentheses", async () => {
        await client.send(new PutItemCommand({ TableName: leases, Item: { leaseKey: { S: "cond" }, n: { N: "5" }, s: { S: "shardId-7" }, ss: { SS: ["p", "q"] } } }));
        const holds = async (expression: string, values: Item) => {
          try {
            await client.send(new UpdateItemCommand({
              TableName: leases, Key: { leaseKey: { S: "cond" } }, ConditionExpression: expression, UpdateExpression: "SET touched = :t",
              ExpressionAttributeValues: { ...values, ":t": { BOOL: true } },
            }));
            return true;
          } catch (error) {
            if (error instanceof ConditionalCheckFailedException) return false;
            throw error;
          }
        };
        assert.equal(await holds("n > :a AND n <= :b", { ":a": { N: "4" }, ":b": { N: "5" } }), true);
        assert.equal(await holds("n < :a", { ":a": { N: "4.99" } }), false);
        assert.equal(await holds("n <> :a", { ":a": { N: "5.0" } }), false);
        assert.equal(await holds("n BETWEEN :a AND :b", { ":a": { N: "-1" }, ":b": { N: "10" } }), true);
        assert.equal(await holds("s IN (:a, :b)", { ":a": { S: "x" }, ":b": { S: "shardId-7" } }), true);
        assert.equal(await holds("begins_with(s, :p)", { ":p": { S: "shard" } }), true);
        assert.equal(await holds("contains(ss, :m) AND contains(s, :sub)", { ":m": { S: "q" }, ":sub": { S: "Id" } }), true);
        assert.equal(await holds("size(s) = :len", { ":len": { N: "9" } }), true);
        assert.equal(await holds("attribute_type(ss, :type)", { ":type": { S: "SS" } }), true);
        assert.equal(await holds("NOT (n = :a OR attribute_not_exists(s))", { ":a": { N: "5" } }), false);
        assert.equal(await holds("absentAttr = :a", { ":a": { N: "5" } }), false);
        assert.equal(await holds("absentAttr <> :a", { ":a": { N: "5" } }), true);
      });
    });

    describe("scan", () => {
      it("pages through a table with Limit and ExclusiveStartKey, counts, filters and projects", async () => {
        const name = tableName("scan");
        await client.send(new CreateTableCommand({
          TableName: name, KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
        }));
        for (let index = 0; index < 7; index++) {
          await client.send(new PutItemCommand({ TableName: name, Item: { id: { S: `lease-${index}` }, owner: { S: index % 2 === 0 ? "even" : "odd" } } }));
        }
        const seen: string[] = [];
        let start: Item | undefined;
        let pages = 0;
        do {
          const page = await client.send(new ScanCommand({ TableName: name, Limit: 3, ConsistentRead: true, ...(start && { ExclusiveStartKey: start }) }));
          pages++;
          assert.ok(page.Items!.length <= 3);
          seen.push(...page.Items!.map((item) => item.id!.S!));
          start = page.LastEvaluatedKey;
        } while (start !== undefined);
        assert.deepEqual([...seen].sort(), Array.from({ length: 7 }, (_, index) => `lease-${index}`));
        assert.ok(pages >= 3);
        const filtered = await client.send(new ScanCommand({
          TableName: name, FilterExpression: "#o = :even", ProjectionExpression: "id", ExpressionAttributeNames: { "#o": "owner" },
          ExpressionAttributeValues: { ":even": { S: "even" } },
        }));
        assert.equal(filtered.Count, 4);
        assert.equal(filtered.ScannedCount, 7);
        assert.deepEqual(filtered.Items!.map((item) => Object.keys(item)), [["id"], ["id"], ["id"], ["id"]]);
        const counted = await client.send(new ScanCommand({ TableName: name, Select: "COUNT" }));
        assert.equal(counted.Count, 7);
        assert.equal(counted.Items, undefined);
      });
    });

    describe("errors", () => {
      it("item operations on a missing table > ResourceNotFoundException", async () => {
        await assert.rejects(
          client.send(new GetItemCommand({ TableName: "no-such-table", Key: { k: { S: "x" } } })),
          (error: unknown) => error instanceof ResourceNotFoundException && error.message === "Requested resource not found",
        );
      });
    });
  });
}
