/**
 * A whole stream lifecycle through the AWS CLI v2, changed only by --endpoint-url: create and
 * wait, write, list shards, read with every iterator type, tags, retention, delete and wait.
 * The steps share one stream and run in order.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { awsClientEnv, awsCliPath, requireAwsCliV2, run, type ProcessResult } from "./external-clients.js";
import { sleep } from "../helpers/wait.js";

let server: TestServer;
let env: NodeJS.ProcessEnv;
const streamName = `aws-cli-${process.pid}`;

before(async () => {
  await requireAwsCliV2();
  server = await startTestServer({ streams: { createStreamMs: 200, deleteStreamMs: 200, updateStreamMs: 200 } });
  env = awsClientEnv(server.region);
});

after(async () => {
  await server?.stop();
});

async function awsRaw(args: readonly string[]): Promise<ProcessResult> {
  return run(awsCliPath, ["--endpoint-url", server.url, "--output", "json", "kinesis", ...args], env);
}

/** Runs `aws kinesis …`, requires exit 0, and returns the parsed JSON output (undefined if none). */
async function aws(...args: string[]): Promise<any> {
  const result = await awsRaw(args);
  assert.equal(result.code, 0, `aws kinesis ${args.join(" ")} failed:\n${result.stderr}`);
  return result.stdout.trim() === "" ? undefined : JSON.parse(result.stdout);
}

async function readAll(shardIterator: string): Promise<{ data: string[]; sequenceNumbers: string[]; output: any }> {
  const output = await aws("get-records", "--shard-iterator", shardIterator, "--limit", "100");
  const records = output.Records as { Data: string; SequenceNumber: string; PartitionKey: string }[];
  return {
    data: records.map((record) => Buffer.from(record.Data, "base64").toString("latin1")),
    sequenceNumbers: records.map((record) => record.SequenceNumber),
    output,
  };
}

async function iterator(shardId: string, type: string, ...extra: string[]): Promise<string> {
  const output = await aws("get-shard-iterator", "--stream-name", streamName, "--shard-id", shardId, "--shard-iterator-type", type, ...extra);
  assert.equal(typeof output.ShardIterator, "string");
  return output.ShardIterator;
}

describe("e2e > aws cli", () => {
  // Binary first record (sent base64, the CLI v2 default), then text records (raw-in-base64-out).
  const binary = Buffer.from([0, 1, 2, 254, 255, 10, 13]);
  const textRecords = ["second", "third", "fourth"];
  const late = "after-the-boundary";
  let shardId: string;
  let firstSequenceNumber: string;
  let latestIterator: string;
  let boundarySeconds: number;

  it("e2e > aws cli > create-stream, then wait stream-exists", async () => {
    assert.equal(await aws("create-stream", "--stream-name", streamName, "--shard-count", "2"), undefined);
    await aws("wait", "stream-exists", "--stream-name", streamName);
    const summary = await aws("describe-stream-summary", "--stream-name", streamName);
    assert.equal(summary.StreamDescriptionSummary.StreamStatus, "ACTIVE");
    assert.equal(summary.StreamDescriptionSummary.OpenShardCount, 2);
    assert.equal(summary.StreamDescriptionSummary.StreamARN, `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${streamName}`);
  });

  it("e2e > aws cli > put-record and put-records", async () => {
    const put = await aws("put-record", "--stream-name", streamName, "--partition-key", "alpha", "--data", binary.toString("base64"));
    assert.match(put.ShardId, /^shardId-\d{12}$/);
    assert.match(put.SequenceNumber, /^\d+$/);
    shardId = put.ShardId;
    firstSequenceNumber = put.SequenceNumber;

    const records = JSON.stringify(textRecords.map((data) => ({ Data: data, PartitionKey: "alpha" })));
    const batch = await aws("put-records", "--stream-name", streamName, "--records", records, "--cli-binary-format", "raw-in-base64-out");
    assert.equal(batch.FailedRecordCount ?? 0, 0);
    assert.equal(batch.Records.length, textRecords.length);
    for (const entry of batch.Records) {
      assert.equal(entry.ShardId, shardId, "the same partition key must map to the same shard");
      assert.ok(BigInt(entry.SequenceNumber) > BigInt(firstSequenceNumber));
    }
  });

  it("e2e > aws cli > list-shards shows both shards covering the hash key space", async () => {
    const output = await aws("list-shards", "--stream-name", streamName);
    const shards = output.Shards as { ShardId: string; HashKeyRange: { StartingHashKey: string; EndingHashKey: string } }[];
    assert.deepEqual(
      shards.map((shard) => shard.ShardId),
      ["shardId-000000000000", "shardId-000000000001"],
    );
    assert.equal(shards[0]!.HashKeyRange.StartingHashKey, "0");
    assert.equal(shards[1]!.HashKeyRange.EndingHashKey, (2n ** 128n - 1n).toString());
    assert.equal(BigInt(shards[0]!.HashKeyRange.EndingHashKey) + 1n, BigInt(shards[1]!.HashKeyRange.StartingHashKey));
    assert.ok(shards.some((shard) => shard.ShardId === shardId));
  });

  it("e2e > aws cli > LATEST sees only records put after it", async () => {
    latestIterator = await iterator(shardId, "LATEST");
    const empty = await readAll(latestIterator);
    assert.deepEqual(empty.data, []);
    assert.equal(typeof empty.output.NextShardIterator, "string");
    latestIterator = empty.output.NextShardIterator;
    // AT_TIMESTAMP travels as whole epoch seconds (botocore truncates), so put the next record
    // past a second boundary to have a timestamp that falls between the records.
    boundarySeconds = Math.floor(Date.now() / 1000) + 1;
    await sleep(boundarySeconds * 1000 - Date.now() + 50);
    await aws("put-record", "--stream-name", streamName, "--partition-key", "alpha", "--data", late, "--cli-binary-format", "raw-in-base64-out");
    const seen = await readAll(latestIterator);
    assert.deepEqual(seen.data, [late]);
    assert.equal(seen.output.MillisBehindLatest, 0);
  });

  it("e2e > aws cli > TRIM_HORIZON reads every record in order, data decoded", async () => {
    const all = await readAll(await iterator(shardId, "TRIM_HORIZON"));
    assert.deepEqual(all.data, [binary.toString("latin1"), ...textRecords, late]);
    assert.equal(all.sequenceNumbers[0], firstSequenceNumber);
    const sorted = [...all.sequenceNumbers].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    assert.deepEqual(all.sequenceNumbers, sorted);
  });

  it("e2e > aws cli > AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER", async () => {
    const at = await readAll(await iterator(shardId, "AT_SEQUENCE_NUMBER", "--starting-sequence-number", firstSequenceNumber));
    assert.deepEqual(at.data, [binary.toString("latin1"), ...textRecords, late]);
    const afterFirst = await readAll(await iterator(shardId, "AFTER_SEQUENCE_NUMBER", "--starting-sequence-number", firstSequenceNumber));
    assert.deepEqual(afterFirst.data, [...textRecords, late]);
  });

  it("e2e > aws cli > AT_TIMESTAMP", async () => {
    const fromBoundary = await readAll(await iterator(shardId, "AT_TIMESTAMP", "--timestamp", String(boundarySeconds)));
    assert.deepEqual(fromBoundary.data, [late]);
    const fromBefore = await readAll(await iterator(shardId, "AT_TIMESTAMP", "--timestamp", String(boundarySeconds - 60)));
    assert.deepEqual(fromBefore.data, [binary.toString("latin1"), ...textRecords, late]);
  });

  it("e2e > aws cli > add, list and remove tags", async () => {
    assert.equal(await aws("add-tags-to-stream", "--stream-name", streamName, "--tags", "team=data,env=test"), undefined);
    const listed = await aws("list-tags-for-stream", "--stream-name", streamName);
    assert.deepEqual(sortTags(listed.Tags), [
      { Key: "env", Value: "test" },
      { Key: "team", Value: "data" },
    ]);
    assert.equal(listed.HasMoreTags, false);
    await aws("remove-tags-from-stream", "--stream-name", streamName, "--tag-keys", "env");
    const after = await aws("list-tags-for-stream", "--stream-name", streamName);
    assert.deepEqual(after.Tags, [{ Key: "team", Value: "data" }]);
  });

  it("e2e > aws cli > increase and decrease the retention period", async () => {
    await aws("increase-stream-retention-period", "--stream-name", streamName, "--retention-period-hours", "48");
    await aws("wait", "stream-exists", "--stream-name", streamName);
    const increased = await aws("describe-stream-summary", "--stream-name", streamName);
    assert.equal(increased.StreamDescriptionSummary.RetentionPeriodHours, 48);
    await aws("decrease-stream-retention-period", "--stream-name", streamName, "--retention-period-hours", "24");
    await aws("wait", "stream-exists", "--stream-name", streamName);
    const decreased = await aws("describe-stream-summary", "--stream-name", streamName);
    assert.equal(decreased.StreamDescriptionSummary.RetentionPeriodHours, 24);
  });

  it("e2e > aws cli > delete-stream, then wait stream-not-exists; the CLI reports AWS's error", async () => {
    await aws("delete-stream", "--stream-name", streamName);
    await aws("wait", "stream-not-exists", "--stream-name", streamName);
    const missing = await awsRaw(["describe-stream-summary", "--stream-name", streamName]);
    assert.equal(missing.code, 254, missing.stderr);
    assert.equal(
      missing.stderr.trim(),
      "An error occurred (ResourceNotFoundException) when calling the DescribeStreamSummary operation: " +
        `Stream ${streamName} under account ${server.accountId} not found.`,
    );
  });
});

function sortTags(tags: { Key: string; Value: string }[]): { Key: string; Value: string }[] {
  return [...tags].sort((a, b) => a.Key.localeCompare(b.Key));
}
