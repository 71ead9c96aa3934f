/**
 * `tributary export` and `tributary import` against a real server, run as child processes: a
 * stream with a reshard exported (lines in the documented format, shards in lineage order) and
 * imported into another stream (the same records, each key's in order); both run again append
 * and import only what is new; an export killed with SIGKILL mid-way (GetRecords slowed by the
 * server's latency faults) resumes from its state file, cuts off a half-written tail, and ends
 * with every record exactly once; refusals: a file that is not an export, a line that is not a record.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  SplitShardCommand,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, startTestServer, type TestServer } from "../helpers/server.js";
import { runTool, startTool } from "./tools-process.js";

interface ExportLine {
  ShardId: string;
  SequenceNumber: string;
  ApproximateArrivalTimestamp: string;
  PartitionKey: string;
  Data: string;
}

const readLines = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "");

/** A record's data: its key and number, then bytes that are not UTF-8, so base64 has to carry them. */
const dataOf = (key: string, n: number) => Buffer.concat([Buffer.from(`${key}#${n}:`), Buffer.from([0xff, 0x00, n % 256])]);

describe("cli > tools > export and import", () => {
  let server: TestServer;
  let kinesis: KinesisClient;
  let dir: string;

  before(async () => {
    server = await startTestServer();
    kinesis = kinesisClient(server);
    dir = mkdtempSync(join(tmpdir(), "tributary-tools-export-"));
  });

  after(async () => {
    kinesis?.destroy();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function put(StreamName: string, keys: readonly string[], from: number, to: number): Promise<void> {
    for (let n = from; n < to; n++) {
      const out = await kinesis.send(new PutRecordsCommand({ StreamName, Records: keys.map((key) => ({ PartitionKey: key, Data: dataOf(key, n) })) }));
      assert.equal(out.FailedRecordCount, 0);
    }
  }

  async function storedRecords(StreamName: string): Promise<{ PartitionKey: string; Data: Buffer }[]> {
    const records: { PartitionKey: string; Data: Buffer }[] = [];
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName }));
    for (const shard of Shards ?? []) {
      const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }));
      const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator: ShardIterator! }));
      for (const record of Records ?? []) records.push({ PartitionKey: record.PartitionKey!, Data: Buffer.from(record.Data!) });
    }
    return records;
  }

  it("exports a resharded stream in lineage order and imports it into another stream, the same records in each key's order", async () => {
    const keys = ["a", "b", "c", "d", "e", "f"];
    await kinesis.send(new CreateStreamCommand({ StreamName: "source", ShardCount: 2 }));
    await put("source", keys, 0, 20);
    await kinesis.send(new SplitShardCommand({ StreamName: "source", ShardToSplit: "shardId-000000000001", NewStartingHashKey: (3n * 2n ** 126n).toString() }));
    await put("source", keys, 20, 40);

    const exported = await runTool(server.url, ["export", "source", "--to", "source.jsonl"], { cwd: dir });
    assert.equal(exported.stderr, "");
    assert.equal(exported.code, 0);
    assert.equal(exported.stdout, "exported 240 records from source to source.jsonl\n");
    const lines = readLines(join(dir, "source.jsonl")).map((line) => JSON.parse(line) as ExportLine);
    assert.equal(lines.length, 240);
    for (const line of lines) {
      assert.deepEqual(Object.keys(line), ["ShardId", "SequenceNumber", "ApproximateArrivalTimestamp", "PartitionKey", "Data"]);
      assert.match(line.ApproximateArrivalTimestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    assert.equal(new Set(lines.map((line) => line.SequenceNumber)).size, 240);
    const shardIds = lines.map((line) => line.ShardId);
    const parentLast = shardIds.lastIndexOf("shardId-000000000001");
    assert.ok(parentLast >= 0 && parentLast < Math.min(shardIds.indexOf("shardId-000000000002"), shardIds.indexOf("shardId-000000000003")), "the split shard's lines before its children's");

    await kinesis.send(new CreateStreamCommand({ StreamName: "copy", ShardCount: 1 }));
    const imported = await runTool(server.url, ["import", "source.jsonl", "--stream", "copy"], { cwd: dir });
    assert.equal(imported.stderr, "");
    assert.equal(imported.code, 0);
    assert.equal(imported.stdout, "imported 240 records from source.jsonl to copy\n");
    const copied = await storedRecords("copy");
    assert.equal(copied.length, 240);
    for (const key of keys) {
      const data = copied.filter((record) => record.PartitionKey === key).map((record) => record.Data);
      assert.deepEqual(data, Array.from({ length: 40 }, (_, n) => dataOf(key, n)), `${key}: every record, bytes intact, in order`);
    }

    // Run again: nothing new; then only what arrived since, on both sides.
    const again = await runTool(server.url, ["export", "source", "--to", "source.jsonl"], { cwd: dir });
    assert.equal(again.stdout, "exported 0 records from source to source.jsonl\n");
    await put("source", ["g"], 40, 43);
    const more = await runTool(server.url, ["export", "source", "--to", "source.jsonl"], { cwd: dir });
    assert.equal(more.stdout, "exported 3 records from source to source.jsonl\n");
    assert.equal(readLines(join(dir, "source.jsonl")).length, 243);
    const importMore = await runTool(server.url, ["import", "source.jsonl", "--stream", "copy"], { cwd: dir });
    assert.equal(importMore.stderr, "");
    assert.equal(importMore.stdout, "imported 3 records from source.jsonl to copy, after line 240 (imported by an earlier run)\n");
    assert.equal((await storedRecords("copy")).length, 243);
  });

  it("an export killed mid-way resumes from its state file and ends with every record exactly once", async () => {
    const keys = Array.from({ length: 16 }, (_, index) => `key-${index}`);
    await kinesis.send(new CreateStreamCommand({ StreamName: "killed", ShardCount: 8 }));
    await put("killed", keys, 0, 10);
    const path = join(dir, "killed.jsonl");
    const statePath = `${path}.state.json`;
    // Each GetRecords takes 1.5 s: the export writes shard after shard, slowly enough to be killed between two.
    const faults = await fetch(`${server.url}/_tributary/faults`, {
      method: "PUT",
      body: JSON.stringify({ rules: [{ action: "GetRecords", stream: "killed", fault: "latency", latencyMs: 1500 }] }),
    });
    assert.equal(faults.status, 200);
    const first = startTool(server.url, ["export", "killed", "--to", path]);
    const recordsInState = () => (existsSync(statePath) ? (JSON.parse(readFileSync(statePath, "utf8")) as { records: number }).records : 0);
    for (let polls = 0; recordsInState() === 0; polls++) {
      assert.equal(first.child.exitCode, null, `the export ended before it was killed: ${first.stdout()} ${first.stderr()}`);
      assert.ok(polls < 6_000, "the export wrote no page within a minute");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.deepEqual(await first.stop("SIGKILL"), { code: null, signal: "SIGKILL" });
    await fetch(`${server.url}/_tributary/faults`, { method: "DELETE" });
    const done = recordsInState();
    assert.ok(done > 0 && done < 160, `killed mid-way (${done} of 160 records recorded)`);
    // As if a page had been appended after the state's last write: the resumed export cuts it off.
    appendFileSync(path, '{"ShardId":"shardId-000000000007","SequenceNumber":"1');

    const resumed = await runTool(server.url, ["export", "killed", "--to", path]);
    assert.equal(resumed.stderr, "");
    assert.equal(resumed.code, 0);
    assert.equal(resumed.stdout, `exported ${160 - done} records from killed to ${path}\n`);
    const lines = readLines(path).map((line) => JSON.parse(line) as ExportLine);
    assert.equal(lines.length, 160);
    assert.equal(new Set(lines.map((line) => line.SequenceNumber)).size, 160, "no record twice");
    const data = lines.map((line) => Buffer.from(line.Data, "base64").toString("latin1")).sort();
    const expected = keys.flatMap((key) => Array.from({ length: 10 }, (_, n) => dataOf(key, n).toString("latin1"))).sort();
    assert.deepEqual(data, expected, "every record once");
  });

  it("refuses to overwrite a file that is not an export, and stops an import at a line that is not a record", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "refusals", ShardCount: 1 }));
    writeFileSync(join(dir, "notes.txt"), "my notes\n");
    const overwrite = await runTool(server.url, ["export", "refusals", "--to", "notes.txt"], { cwd: dir });
    assert.equal(overwrite.code, 1);
    assert.equal(
      overwrite.stderr,
      "tributary export: notes.txt exists and is not an export in progress (there is no notes.txt.state.json): remove it, choose another --to, or pass --restart to overwrite it\n",
    );
    assert.equal(readFileSync(join(dir, "notes.txt"), "utf8"), "my notes\n");

    const good = JSON.stringify({ PartitionKey: "k", Data: Buffer.from("fine").toString("base64") });
    writeFileSync(join(dir, "bad.jsonl"), `${good}\n${good}\n{"PartitionKey":"k","Data":"not base64!"}\n${good}\n`);
    const bad = await runTool(server.url, ["import", "bad.jsonl", "--stream", "refusals"], { cwd: dir });
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, "");
    assert.equal(
      bad.stderr,
      "tributary import: bad.jsonl:3: Data must be a base64 string\ntributary import: lines up to 2 are imported; run the same command to resume after them\n",
    );
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "bad.jsonl.import-refusals.json"), "utf8")), { format: "tributary-import-state", version: 1, StreamName: "refusals", lines: 2 });
    assert.equal((await storedRecords("refusals")).length, 2);

    const missing = await runTool(server.url, ["export", "nope", "--to", "nope.jsonl"], { cwd: dir });
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "tributary export: ResourceNotFoundException: Stream nope under account 000000000000 not found.\n");
    assert.equal(existsSync(join(dir, "nope.jsonl")), false, "nothing written for a stream that does not exist");
  });
});
