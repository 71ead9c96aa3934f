/**
 * `tributary tail` against a real server, run as a child process: across a SplitShard and then a
 * MergeShards every record is printed once and each partition key's records in the order they
 * were put (a child shard is read only after its parents ended); `--from latest` prints nothing
 * older than its start; `--from <time>`, `--format hex`, `--max-records`; Ctrl-C ends it with
 * status 0; a missing stream is the service's message and status 1.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateStreamCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  SplitShardCommand,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, startTestServer, type TestServer } from "../helpers/server.js";
import { runTool, startTool } from "./tools-process.js";

const keys = Array.from({ length: 12 }, (_, index) => `key-${index}`);

interface TailLine {
  ShardId: string;
  SequenceNumber: string;
  ApproximateArrivalTimestamp: string;
  PartitionKey: string;
  Data: string;
}

const linesOf = (stdout: string) => stdout.split("\n").filter((line) => line !== "");

describe("cli > tools > tail", () => {
  let server: TestServer;
  let kinesis: KinesisClient;

  before(async () => {
    server = await startTestServer();
    kinesis = kinesisClient(server);
  });

  after(async () => {
    kinesis?.destroy();
    await server?.stop();
  });

  /** One record a key for each round, in one PutRecords a round (a key's records in round order). */
  async function putRounds(StreamName: string, rounds: readonly number[]): Promise<void> {
    for (const round of rounds) {
      const out = await kinesis.send(new PutRecordsCommand({ StreamName, Records: keys.map((key) => ({ PartitionKey: key, Data: Buffer.from(`${key}:${round}`) })) }));
      assert.equal(out.FailedRecordCount, 0);
    }
  }

  it("follows a split and then a merge: every record once, each key's records in order, parents before children", async () => {
    const StreamName = "reshard";
    await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    const tail = startTool(server.url, ["tail", StreamName, "--from", "trim-horizon", "--format", "json"]);
    try {
      await putRounds(StreamName, [0, 1, 2, 3]);
      await tail.waitForStdout((stdout) => linesOf(stdout).length >= 4 * keys.length);
      await kinesis.send(new SplitShardCommand({ StreamName, ShardToSplit: "shardId-000000000000", NewStartingHashKey: (2n ** 127n).toString() }));
      await putRounds(StreamName, [4, 5, 6, 7]);
      await kinesis.send(new MergeShardsCommand({ StreamName, ShardToMerge: "shardId-000000000001", AdjacentShardToMerge: "shardId-000000000002" }));
      await putRounds(StreamName, [8, 9, 10, 11]);
      await tail.waitForStdout((stdout) => linesOf(stdout).length >= 12 * keys.length);
    } finally {
      const exit = await tail.stop("SIGINT");
      assert.deepEqual(exit, { code: 0, signal: null }, tail.stderr());
    }
    assert.equal(tail.stderr(), "");
    const lines = linesOf(tail.stdout()).map((line) => JSON.parse(line) as TailLine);
    assert.equal(lines.length, 12 * keys.length, "every record once");
    assert.equal(new Set(lines.map((line) => line.SequenceNumber)).size, lines.length, "no record twice");
    for (const key of keys) {
      const rounds = lines.filter((line) => line.PartitionKey === key).map((line) => Buffer.from(line.Data, "base64").toString());
      assert.deepEqual(rounds, Array.from({ length: 12 }, (_, round) => `${key}:${round}`), `${key}'s records in the order they were put`);
    }
    const shardOf = (round: number) => new Set(lines.filter((line) => Buffer.from(line.Data, "base64").toString().endsWith(`:${round}`)).map((line) => line.ShardId));
    assert.deepEqual([...shardOf(0)], ["shardId-000000000000"]);
    assert.deepEqual([...shardOf(5)].sort(), ["shardId-000000000001", "shardId-000000000002"], "the split's children");
    assert.deepEqual([...shardOf(9)], ["shardId-000000000003"], "the merge's child");
    // Parent before child in the output itself, not only per key: no child's line before its parent's last.
    const lastIndex = (shardId: string) => lines.map((line) => line.ShardId).lastIndexOf(shardId);
    const firstIndex = (shardId: string) => lines.findIndex((line) => line.ShardId === shardId);
    assert.ok(lastIndex("shardId-000000000000") < Math.min(firstIndex("shardId-000000000001"), firstIndex("shardId-000000000002")));
    assert.ok(Math.max(lastIndex("shardId-000000000001"), lastIndex("shardId-000000000002")) < firstIndex("shardId-000000000003"));
  });

  it("--from latest (the default) prints only what arrives after it starts, as text", async () => {
    const StreamName = "latest";
    await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 2 }));
    await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: "a", Data: Buffer.from("before") }));
    const tail = startTool(server.url, ["tail", StreamName]);
    try {
      // The tail takes its LATEST iterators at some moment after it starts: put until it prints.
      for (let index = 0; !tail.stdout().includes("after"); index++) {
        await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: "a", Data: Buffer.from(`after ${index}`) }));
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(tail.child.exitCode, null, tail.stderr());
      }
    } finally {
      assert.deepEqual(await tail.stop("SIGTERM"), { code: 0, signal: null });
    }
    const lines = linesOf(tail.stdout());
    assert.ok(lines.length >= 1);
    assert.ok(lines.every((line) => /^after \d+$/.test(line)), tail.stdout());
  });

  it("--from a time, --format hex and --max-records: the records from that time, dumped, then it exits 0", async () => {
    const StreamName = "hex";
    await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: "old", Data: Buffer.from("too early") }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const from = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const put = await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: "pk", Data: Buffer.from("hello, world of streams\n\x00\x01") }));
    const result = await runTool(server.url, ["tail", StreamName, "--from", from, "--format", "hex", "--max-records", "1"]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.equal(
      result.stdout,
      `shardId-000000000000 ${put.SequenceNumber} pk (26 bytes)\n` +
        "00000000  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 20 6f 66 20  |hello, world of |\n" +
        "00000010  73 74 72 65 61 6d 73 0a  00 01                    |streams...|\n",
    );
  });

  it("a stream that does not exist: the service's message, exit 1", async () => {
    const result = await runTool(server.url, ["tail", "missing"]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr, "tributary tail: ResourceNotFoundException: Stream missing under account 000000000000 not found.\n");
  });

  it("bad --from and --format values exit 2", async () => {
    const from = await runTool(server.url, ["tail", "x", "--from", "yesterday"]);
    assert.equal(from.code, 2);
    assert.equal(from.stderr, "tributary tail: --from must be trim-horizon, latest, an ISO 8601 time or a duration (10m), got yesterday\n");
    const format = await runTool(server.url, ["tail", "x", "--format", "xml"]);
    assert.equal(format.code, 2);
    assert.equal(format.stderr, "tributary tail: --format must be text, json or hex, got xml\n");
  });
});
