/**
 * The stream tools' pure parts, in-process: lineage order (lineage.ts), PutRecords batching and
 * per-entry retries (put-batches.ts, against a stand-in client), byte lines (line-reader.ts), the
 * hex format, and the command-line parser.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import type { KinesisClient, PutRecordsCommand, Shard } from "@aws-sdk/client-kinesis";
import { followLineage, type ShardOutcome } from "../../src/cli/tools/lineage.js";
import { BatchBuilder, putBatch, requestBytesMax, requestRecordsMax, type PutEntry } from "../../src/cli/tools/put-batches.js";
import { LineTooLongError, readLines } from "../../src/cli/tools/line-reader.js";
import { formatRecord, hexDump } from "../../src/cli/tools/record-format.js";
import { parseToolArguments } from "../../src/cli/tools/arguments.js";
import { sumWithin } from "../../src/cli/tools/stats-command.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";

const shard = (ShardId: string, parents: string[] = [], closed = false): Shard => ({
  ShardId,
  ...(parents[0] !== undefined && { ParentShardId: parents[0] }),
  ...(parents[1] !== undefined && { AdjacentParentShardId: parents[1] }),
  HashKeyRange: { StartingHashKey: "0", EndingHashKey: "1" },
  SequenceNumberRange: { StartingSequenceNumber: "1", ...(closed && { EndingSequenceNumber: "2" }) },
});

describe("cli > tools > lineage", () => {
  it("reads a split's children after the parent ends and a merge's child after both parents end", async () => {
    // 0 splits into 1 and 2, which merge into 3; 4 is an unrelated open shard.
    const all = [shard("s0", [], true), shard("s1", ["s0"], true), shard("s2", ["s0"], true), shard("s3", ["s1", "s2"]), shard("s4")];
    const events: string[] = [];
    const release = new Map<string, () => void>();
    const walk = followLineage({
      listShards: async () => all,
      read: (s) => {
        events.push(`start ${s.ShardId}`);
        return new Promise<ShardOutcome>((resolve) => release.set(s.ShardId!, () => {
          events.push(`end ${s.ShardId}`);
          resolve(s.ShardId === "s4" || s.ShardId === "s3" ? "caught-up" : "ended");
        }));
      },
    });
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    await settle();
    assert.deepEqual(events, ["start s0", "start s4"], "only shards without unfinished parents start");
    release.get("s0")!();
    await settle();
    assert.deepEqual(events.slice(2), ["end s0", "start s1", "start s2"]);
    release.get("s1")!();
    await settle();
    assert.ok(!events.includes("start s3"), "a merge's child waits for both parents");
    release.get("s2")!();
    await settle();
    assert.equal(events.at(-1), "start s3");
    release.get("s3")!();
    release.get("s4")!();
    await walk;
  });

  it("skips what the caller says is done, takes unlisted parents as done, and bounds concurrency", async () => {
    const started: string[] = [];
    let running = 0;
    let runningMax = 0;
    await followLineage({
      listShards: async () => [shard("a", ["expired"]), shard("b", ["a"]), shard("c"), shard("d"), shard("e")],
      skip: (s) => s.ShardId === "a",
      concurrencyMax: 2,
      read: async (s) => {
        started.push(s.ShardId!);
        runningMax = Math.max(runningMax, ++running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
        return "caught-up";
      },
    });
    assert.deepEqual(started.sort(), ["b", "c", "d", "e"]);
    assert.equal(runningMax, 2);
  });

  it("a failing shard aborts the others' reads and rejects with its error", async () => {
    const aborted: string[] = [];
    await assert.rejects(
      followLineage({
        listShards: async () => [shard("ok"), shard("bad")],
        read: (s, _initial, signal) =>
          s.ShardId === "bad"
            ? Promise.reject(new Error("stream deleted"))
            : new Promise<ShardOutcome>((resolve) => signal.addEventListener("abort", () => (aborted.push(s.ShardId!), resolve("stopped")))),
      }),
      /stream deleted/,
    );
    assert.deepEqual(aborted, ["ok"]);
  });
});

const entry = (line: number, dataBytes: number, PartitionKey = "k"): PutEntry => ({ Data: new Uint8Array(dataBytes), PartitionKey, line });

describe("cli > tools > put batches", () => {
  it("a request holds at most 500 records", () => {
    const builder = new BatchBuilder();
    const full: PutEntry[][] = [];
    for (let line = 1; line <= 1001; line++) {
      const sent = builder.add(entry(line, 1));
      if (sent) full.push(sent);
    }
    assert.deepEqual(full.map((batch) => batch.length), [requestRecordsMax, requestRecordsMax]);
    assert.equal(builder.take().length, 1);
  });

  it("a request holds at most 5 MiB of data and partition keys", () => {
    const builder = new BatchBuilder();
    const mebibyte = 1024 * 1024;
    const sizes: number[][] = [];
    // Five 1 MiB records with one-byte keys are 5 MiB + 5 bytes: the fifth goes to the next request.
    for (let line = 1; line <= 6; line++) {
      const sent = builder.add(entry(line, mebibyte));
      if (sent) sizes.push(sent.map((e) => e.line));
    }
    assert.deepEqual(sizes, [[1, 2, 3, 4]]);
    assert.ok(4 * (mebibyte + 1) <= requestBytesMax && 5 * (mebibyte + 1) > requestBytesMax);
    // A single record larger than a request still goes out, alone: the service is the judge.
    const big = new BatchBuilder();
    assert.equal(big.add(entry(1, 6 * mebibyte)), undefined);
    assert.deepEqual(big.add(entry(2, 1))?.map((e) => e.line), [1]);
  });

  it("retries only the entries failed with a retriable ErrorCode and reports the others by line", async () => {
    const sent: string[][] = [];
    const answers = [
      [{ ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded" }, { SequenceNumber: "1" }, { ErrorCode: "KMSAccessDeniedException", ErrorMessage: "denied" }],
      [{ SequenceNumber: "2" }],
    ];
    const kinesis = {
      send: async (command: PutRecordsCommand) => {
        sent.push(command.input.Records!.map((record) => record.PartitionKey!));
        return { Records: answers[sent.length - 1], FailedRecordCount: 0 };
      },
    } as unknown as KinesisClient;
    let acknowledged = 0;
    const failures = await putBatch(
      { kinesis, clock: systemClock, random: new SeededRandom(1), signal: new AbortController().signal },
      "s",
      [entry(7, 1, "a"), entry(8, 1, "b"), entry(9, 1, "c")],
      (count) => (acknowledged += count),
    );
    assert.deepEqual(sent, [["a", "b", "c"], ["a"]]);
    assert.equal(acknowledged, 2);
    assert.deepEqual(failures, [{ line: 9, ErrorCode: "KMSAccessDeniedException", ErrorMessage: "denied" }]);
  });
});

describe("cli > tools > lines", () => {
  async function collect(chunks: (string | Buffer)[], max = 100) {
    const lines: string[] = [];
    for await (const line of readLines(Readable.from(chunks.map((chunk) => Buffer.from(chunk))), max)) lines.push(`${line.number}:${line.bytes.toString("latin1")}:${line.inputBytes}`);
    return lines;
  }

  it("splits bytes at newlines across chunks, drops a CR before LF, numbers empty lines, keeps a last line without newline", async () => {
    assert.deepEqual(await collect(["ab", "c\r\n\nd", "e\nf"]), ["1:abc:5", "2::1", "3:de:3", "4:f:1"]);
    assert.deepEqual(await collect([Buffer.from([0xff, 0x0a, 0x00])]), ["1:\u00ff:2", "2:\u0000:1"]);
  });

  it("refuses a line longer than the bound", async () => {
    await assert.rejects(collect(["12345", "6789\n"], 8), LineTooLongError);
    await assert.rejects(collect(["123456789"], 8), /line 1 is longer than 8 bytes/);
  });
});

describe("cli > tools > formats", () => {
  it("hex is hexdump -C's layout", () => {
    assert.equal(
      hexDump(Buffer.from("0123456789abcdefXYZ")),
      "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n00000010  58 59 5a                                          |XYZ|\n",
    );
    assert.equal(hexDump(new Uint8Array(0)), "");
  });

  it("json lines use GetRecords' names; a KPL user record adds its sub-sequence number and explicit hash key", () => {
    const record = { ShardId: "shardId-000000000001", SequenceNumber: "42", SubSequenceNumber: 3, ApproximateArrivalTimestamp: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), PartitionKey: "k", ExplicitHashKey: "7", Data: Buffer.from("hi") };
    assert.equal(
      formatRecord(record, "json"),
      '{"ShardId":"shardId-000000000001","SequenceNumber":"42","SubSequenceNumber":3,"ApproximateArrivalTimestamp":"2026-01-02T03:04:05.678Z","PartitionKey":"k","ExplicitHashKey":"7","Data":"aGk="}\n',
    );
    assert.equal(formatRecord(record, "text"), "hi\n");
    assert.equal(formatRecord(record, "hex"), "shardId-000000000001 42/3 k (2 bytes)\n00000000  68 69                                             |hi|\n");
  });
});

describe("cli > tools > arguments", () => {
  const options = [{ flag: "to", value: "<file>", description: "" }, { flag: "restart", description: "" }];

  it("takes positionals, --flag value, --flag=value, switches, and --endpoint as --endpoint-url", () => {
    assert.deepEqual(parseToolArguments(["s", "--to", "f", "--restart", "--endpoint=http://h:1"], options, ["<stream>"]), {
      ok: true,
      help: false,
      positionals: ["s"],
      values: { to: "f", restart: "true", "endpoint-url": "http://h:1" },
    });
  });

  it("says what is wrong", () => {
    assert.deepEqual(parseToolArguments([], options, ["<stream>"]), { ok: false, showHelp: true, message: "missing <stream>" });
    assert.deepEqual(parseToolArguments(["a", "b"], options, ["<stream>"]), { ok: false, showHelp: true, message: "unexpected argument 'b'" });
    assert.deepEqual(parseToolArguments(["a", "--to"], options, ["<stream>"]), { ok: false, showHelp: false, message: "--to needs a value <file>" });
    assert.deepEqual(parseToolArguments(["a", "--restart=yes"], options, ["<stream>"]), { ok: false, showHelp: false, message: "--restart takes no value" });
    assert.deepEqual(parseToolArguments(["a", "-x"], options, ["<stream>"]), { ok: false, showHelp: true, message: "Unknown option '-x'" });
    assert.deepEqual(parseToolArguments(["a", "--to", "f", "--to", "g"], options, ["<stream>"]), { ok: false, showHelp: false, message: "--to given twice" });
    assert.deepEqual(parseToolArguments(["--help", "--nonsense-later"], options, ["<stream>"]).ok, false);
    assert.deepEqual(parseToolArguments(["--help"], options, ["<stream>"]), { ok: true, help: true });
  });
});

describe("cli > tools > stats", () => {
  it("a one-minute sum counts for the part of its minute inside the window", () => {
    const startMs = 1_000_000_000_000 + 30_000;
    const minute = 1_000_000_000_000;
    assert.equal(sumWithin([{ timestampMs: minute, value: 60 }, { timestampMs: minute + 60_000, value: 10 }], startMs), 40);
    assert.equal(sumWithin([{ timestampMs: minute - 60_000, value: 99 }], startMs), 0, "a minute wholly before the window");
    assert.equal(sumWithin([], startMs), undefined, "no datapoint is no data, not zero");
  });
});
