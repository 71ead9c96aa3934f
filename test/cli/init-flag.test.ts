/**
 * `tributary server --init file.json` / TRIBUTARY_INIT through the real command and the AWS SDK:
 * streams (with consumers and tags) and tables exist and are ACTIVE the moment the server prints
 * its ready line, a restart with the same file neither fails nor duplicates, and a bad file or
 * entry stops the start with AWS's error for that request, exit 2, one line.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeStreamSummaryCommand, KinesisClient, ListStreamConsumersCommand, ListStreamsCommand, ListTagsForStreamCommand,
} from "@aws-sdk/client-kinesis";
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { runCli, startCliServer } from "./cli-process.js";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

const leaseTable = {
  TableName: "leases",
  KeySchema: [{ AttributeName: "leaseKey", KeyType: "HASH" }],
  AttributeDefinitions: [{ AttributeName: "leaseKey", AttributeType: "S" }],
  BillingMode: "PAY_PER_REQUEST",
};

/** Seven streams: more than AWS's five CreateStream calls a second, which --limits aws (the default) enforces. */
function document(ordersShards = 2) {
  return {
    streams: [
      { StreamName: "orders", ShardCount: ordersShards, Consumers: ["billing", "audit"], Tags: { team: "payments" } },
      { StreamName: "clicks", StreamModeDetails: { StreamMode: "ON_DEMAND" } },
      ...[1, 2, 3, 4, 5].map((n) => ({ StreamName: `extra-${n}`, ShardCount: 1 })),
    ],
    tables: [leaseTable],
  };
}

describe("cli > server > --init", { concurrency: 3 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tributary-init-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const writeInit = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value));
    return path;
  };

  it("cli > server > --init > everything is ACTIVE when the ready line is printed, and a restart with the same file changes nothing", async () => {
    const path = writeInit("ok.json", document());
    const dataDir = join(dir, "data-restart");
    // CREATING lasts 400 ms: without the wait before listening, the first describe would see it.
    const args = ["--port", "0", "--init", path, "--create-stream-ms", "400"];
    const first = await startCliServer({ args, dataDir });
    try {
      const kinesis = new KinesisClient({ endpoint: first.url, region: "us-east-1", credentials });
      const dynamo = new DynamoDBClient({ endpoint: first.url, region: "us-east-1", credentials });
      try {
        const orders = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "orders" }))).StreamDescriptionSummary!;
        assert.equal(orders.StreamStatus, "ACTIVE");
        assert.equal(orders.OpenShardCount, 2);
        const clicks = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "clicks" }))).StreamDescriptionSummary!;
        assert.deepEqual([clicks.StreamStatus, clicks.StreamModeDetails?.StreamMode], ["ACTIVE", "ON_DEMAND"]);
        const names = (await kinesis.send(new ListStreamsCommand({}))).StreamNames;
        assert.deepEqual(names, ["clicks", "extra-1", "extra-2", "extra-3", "extra-4", "extra-5", "orders"]);
        const consumers = (await kinesis.send(new ListStreamConsumersCommand({ StreamARN: arn("orders") }))).Consumers!;
        assert.deepEqual(consumers.map((consumer) => [consumer.ConsumerName, consumer.ConsumerStatus]), [["billing", "ACTIVE"], ["audit", "ACTIVE"]]);
        const tags = (await kinesis.send(new ListTagsForStreamCommand({ StreamName: "orders" }))).Tags;
        assert.deepEqual(tags, [{ Key: "team", Value: "payments" }]);
        const table = (await dynamo.send(new DescribeTableCommand({ TableName: "leases" }))).Table!;
        assert.equal(table.TableStatus, "ACTIVE");
      } finally {
        kinesis.destroy();
        dynamo.destroy();
      }
    } finally {
      assert.equal((await first.stop()).code, 0);
    }

    // The same file again on the same data directory, with the stream's shard count changed in the file.
    const changed = writeInit("changed.json", document(3));
    const second = await startCliServer({ args: ["--port", "0", "--init", changed, "--create-stream-ms", "400"], dataDir });
    try {
      await second.waitForStderr("the stream exists with another shard count");
      const warning = second.stderr().split("\n").find((line) => line.includes("another shard count"))!;
      assert.match(warning, /"stream":"orders"/);
      assert.match(warning, /"openShardCount":2,"fileShardCount":3/);
      const kinesis = new KinesisClient({ endpoint: second.url, region: "us-east-1", credentials });
      const dynamo = new DynamoDBClient({ endpoint: second.url, region: "us-east-1", credentials });
      try {
        assert.equal((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "orders" }))).StreamDescriptionSummary!.OpenShardCount, 2, "left as it was");
        assert.equal((await kinesis.send(new ListStreamsCommand({}))).StreamNames!.length, 7, "no duplicate");
        const consumers = (await kinesis.send(new ListStreamConsumersCommand({ StreamARN: arn("orders") }))).Consumers!;
        assert.deepEqual(consumers.map((consumer) => consumer.ConsumerName), ["billing", "audit"]);
        assert.deepEqual((await dynamo.send(new ListTablesCommand({}))).TableNames, ["leases"]);
      } finally {
        kinesis.destroy();
        dynamo.destroy();
      }
      assert.match(second.stderr(), /"streamsCreated":0,"streamsExisting":7,"consumersRegistered":0,"tablesCreated":0,"tablesExisting":1/);
    } finally {
      assert.equal((await second.stop()).code, 0);
    }
  });

  it("cli > server > --init > TRIBUTARY_INIT names the file as well", async () => {
    const path = writeInit("env.json", { streams: [{ StreamName: "from-env", ShardCount: 1 }] });
    const server = await startCliServer({ args: ["--port", "0", "--storage", "memory"], env: { TRIBUTARY_INIT: path } });
    try {
      const kinesis = new KinesisClient({ endpoint: server.url, region: "us-east-1", credentials });
      try {
        assert.equal((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "from-env" }))).StreamDescriptionSummary!.StreamStatus, "ACTIVE");
      } finally {
        kinesis.destroy();
      }
    } finally {
      await server.stop();
    }
  });

  const refusals: ReadonlyArray<readonly [string, unknown, (path: string) => string]> = [
    [
      "an entry AWS would refuse stops the start with AWS's error, naming the entry",
      { streams: [{ StreamName: "fine", ShardCount: 1 }, { StreamName: "bad", ShardCount: 0 }] },
      (path) =>
        `the init file ${path}: streams[1] (CreateStream): ValidationException: 1 validation error detected: ` +
        "Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
    ],
    [
      "a wrongly typed member gets AWS's SerializationException",
      { streams: [{ StreamName: 5, ShardCount: 1 }] },
      (path) => `the init file ${path}: streams[0] (CreateStream): SerializationException`,
    ],
    [
      "a bad consumer name gets RegisterStreamConsumer's error",
      { streams: [{ StreamName: "s", ShardCount: 1, Consumers: ["no spaces"] }] },
      (path) =>
        `the init file ${path}: streams[0].Consumers[0] (RegisterStreamConsumer): ValidationException: 1 validation error detected: ` +
        "Value 'no spaces' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    ],
    [
      "a table entry gets CreateTable's error",
      { tables: [{ TableName: "t" }] },
      (path) => `the init file ${path}: tables[0] (CreateTable): ValidationException: `,
    ],
    [
      "an unknown list is refused by name",
      { streams: [], widgets: [{ WidgetName: "f" }] },
      (path) => `the init file ${path}: unknown key "widgets": this server provisions "streams", "tables", "buckets", "functions", "deliveryStreams", "glueDatabases" and "applications"`,
    ],
    ["a list that is not one is refused", { streams: { StreamName: "s" } }, (path) => `the init file ${path}: "streams" must be a list of requests`],
    ["an entry that is not an object is refused", { tables: ["t"] }, (path) => `the init file ${path}: tables[0] must be an object (a CreateTable request)`],
    ["a file that is not an object is refused", [], (path) => `the init file ${path}: expected a JSON object with "streams", "tables", "buckets", "functions", "deliveryStreams", "glueDatabases" and "applications" lists`],
  ];
  for (const [name, value, expected] of refusals) {
    it(`cli > server > --init > ${name}`, async () => {
      const path = writeInit(`${name.replace(/\W+/g, "-")}.json`, value);
      const result = await runCli(["server", "--port", "0", "--storage", "memory", "--init", path]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, "", "never ready");
      const line = expected(path);
      assert.ok(result.stderr.startsWith(`tributary: ${line}`), `${result.stderr}\nstarts with\ntributary: ${line}`);
      assert.equal(result.stderr.split("\n").length, 2, "one line");
    });
  }
});
