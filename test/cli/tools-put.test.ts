/**
 * `tributary streams` and `tributary put` against a real server, run as child processes: the
 * streams table and its JSON lines, exactly; put's one record a line (empty lines skipped, CRLF
 * taken as a newline, partition keys the line numbers or --partition-key), its count line, its
 * retries of the entries PutRecords fails (the server's partial-failure faults) with every record
 * stored once, and its errors: a missing stream (the service's message, exit 1), a bad command
 * line (exit 2).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  ListShardsCommand,
  type KinesisClient,
  type _Record,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, startTestServer, type TestServer } from "../helpers/server.js";
import { runTool, startTool } from "./tools-process.js";

async function recordsOf(kinesis: KinesisClient, StreamName: string): Promise<Map<string, _Record[]>> {
  const byShard = new Map<string, _Record[]>();
  const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName }));
  for (const shard of Shards ?? []) {
    const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }));
    const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator: ShardIterator! }));
    byShard.set(shard.ShardId!, Records ?? []);
  }
  return byShard;
}

const text = (record: _Record) => Buffer.from(record.Data!).toString("utf8");

describe("cli > tools > streams and put", () => {
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

  it("streams with no stream prints the header alone", async () => {
    const result = await runTool(server.url, ["streams"]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "NAME  STATUS  MODE  SHARDS  RETENTION\n");
  });

  it("streams lists every stream with its status, mode, open shards and retention, and --format json the same as objects", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "alpha", ShardCount: 2 }));
    await kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "alpha", RetentionPeriodHours: 48 }));
    await kinesis.send(new CreateStreamCommand({ StreamName: "beta-on-demand", StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
    const result = await runTool(server.url, ["streams"]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.equal(
      result.stdout,
      [
        "NAME            STATUS  MODE         SHARDS  RETENTION",
        "alpha           ACTIVE  PROVISIONED  2       48h",
        "beta-on-demand  ACTIVE  ON_DEMAND    4       24h",
        "",
      ].join("\n"),
    );
    const json = await runTool(server.url, ["streams", "--format", "json"]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(
      json.stdout,
      '{"StreamName":"alpha","StreamStatus":"ACTIVE","StreamMode":"PROVISIONED","OpenShardCount":2,"RetentionPeriodHours":48}\n' +
        '{"StreamName":"beta-on-demand","StreamStatus":"ACTIVE","StreamMode":"ON_DEMAND","OpenShardCount":4,"RetentionPeriodHours":24}\n',
    );
  });

  it("put sends one record a line, its line number the partition key, and prints the count", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "lines", ShardCount: 2 }));
    const result = await runTool(server.url, ["put", "lines"], { input: "first\nsecond\n\nthird\r\nfourth" });
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "put 4 records to lines\n");
    const stored = [...(await recordsOf(kinesis, "lines")).values()].flat();
    const byKey = new Map(stored.map((record) => [record.PartitionKey!, text(record)]));
    assert.deepEqual(Object.fromEntries(byKey), { "1": "first", "2": "second", "4": "third", "5": "fourth" });
  });

  it("put --partition-key puts every line under that key, in order, on one shard", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "one-key", ShardCount: 4 }));
    const lines = Array.from({ length: 1200 }, (_, index) => `line ${index + 1}`);
    const result = await runTool(server.url, ["put", "one-key", "--partition-key", "customer-7"], { input: lines.join("\n") + "\n" });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "put 1200 records to one-key\n");
    const shards = [...(await recordsOf(kinesis, "one-key")).values()].filter((records) => records.length > 0);
    assert.equal(shards.length, 1, "one partition key, one shard");
    assert.deepEqual(shards[0]!.map(text), lines);
    assert.ok(shards[0]!.every((record) => record.PartitionKey === "customer-7"));
  });

  it("put retries the entries PutRecords fails and stores every line once", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "flaky", ShardCount: 2 }));
    const faults = await fetch(`${server.url}/_tributary/faults`, {
      method: "PUT",
      body: JSON.stringify({ seed: 3, rules: [{ action: "PutRecords", stream: "flaky", fault: "partial-failure", fraction: 0.5, schedule: { calls: [1, 2, 3] } }] }),
    });
    assert.equal(faults.status, 200);
    const lines = Array.from({ length: 700 }, (_, index) => `record-${index + 1}`);
    const result = await runTool(server.url, ["put", "flaky"], { input: lines.join("\n") });
    const { counters } = (await (await fetch(`${server.url}/_tributary/faults`)).json()) as { counters: { injectedCalls: number }[] };
    await fetch(`${server.url}/_tributary/faults`, { method: "DELETE" });
    assert.equal(counters[0]!.injectedCalls, 3, "three PutRecords calls lost half their entries");
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "put 700 records to flaky\n");
    const stored = [...(await recordsOf(kinesis, "flaky")).values()].flat().map(text);
    assert.deepEqual(stored.sort(), [...lines].sort(), "every line once, none twice");
  });

  it("put sends lines that trickle in without waiting for a full request or the end of input", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "trickle", ShardCount: 1 }));
    const put = startTool(server.url, ["put", "trickle"], { openStdin: true });
    put.child.stdin!.write("early\n");
    for (let polls = 0; ; polls++) {
      const stored = [...(await recordsOf(kinesis, "trickle")).values()].flat();
      if (stored.length > 0) {
        assert.deepEqual(stored.map(text), ["early"]);
        break;
      }
      assert.equal(put.child.exitCode, null, put.stderr());
      assert.ok(polls < 600, "the first line was not put while stdin stayed open");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    put.child.stdin!.end("late\n");
    assert.deepEqual(await put.exited, { code: 0, signal: null });
    assert.equal(put.stdout(), "put 2 records to trickle\n");
    assert.deepEqual([...(await recordsOf(kinesis, "trickle")).values()].flat().map(text), ["early", "late"]);
  });

  it("put to a stream that does not exist prints the service's message and exits 1", async () => {
    const result = await runTool(server.url, ["put", "nope"], { input: "x\n" });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr, "tributary put: ResourceNotFoundException: Stream nope under account 000000000000 not found.\n");
  });

  it("a bad command line exits 2 with what is wrong", async () => {
    const missing = await runTool(server.url, ["put"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^tributary put: missing <stream>\n\nUsage: tributary put <stream> \[options\] < file\n/);
    const unknown = await runTool(server.url, ["streams", "--colour"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^tributary streams: Unknown option '--colour'\n/);
    const format = await runTool(server.url, ["streams", "--format", "yaml"]);
    assert.equal(format.code, 2);
    assert.equal(format.stderr, "tributary streams: --format must be table or json, got yaml\n");
  });

  it("--help prints the tool's usage and exits 0", async () => {
    const result = await runTool(server.url, ["put", "--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: tributary put <stream> \[options\] < file\n/);
    assert.match(result.stdout, /\n {2}--partition-key <key> {2,}every record's partition key/);
    assert.match(result.stdout, /\n {2}--endpoint-url <url> {2,}the server/);
  });
});
