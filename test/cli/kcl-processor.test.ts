/**
 * MultiLangProcessor driven directly, with a fake checkpointer, against real child processes:
 * record processors built on the aws-kcl npm package (test/fixtures/kcl/recording-processor.cjs)
 * and one that speaks the protocol by hand as amazon_kclpy does (raw-processor.cjs).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import type { ConsumerRecord, RecordProcessorCheckpointer } from "../../src/client/consumer/types.js";
import { ConsumerError, type ConsumerErrorCode } from "../../src/client/consumer/errors.js";
import { MultiLangProcessor, type MultiLangProcessorOptions } from "../../src/cli/kcl/multilang-processor.js";
import { silentLogger } from "../../src/util/logger.js";

const fixtures = fileURLToPath(new URL("../fixtures/kcl/", import.meta.url));
const shardId = "shardId-000000000003";
const seq = (n: number) => `4959000000000000000000000000000000000000000000000000000${n}`;

let dir = "";
let fileCount = 0;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "tributary-kcl-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Harness {
  processor: MultiLangProcessor;
  recordFile: string;
  events: () => Array<Record<string, unknown>>;
  stderr: () => string;
}

function harness(fixture: string, env: Record<string, string>, options: Partial<MultiLangProcessorOptions> = {}): Harness {
  const recordFile = join(dir, `events-${++fileCount}.jsonl`);
  const stderrStream = new PassThrough();
  let stderrText = "";
  stderrStream.on("data", (chunk: Buffer) => (stderrText += chunk.toString("utf8")));
  const processor = new MultiLangProcessor({
    command: [process.execPath, fixture],
    cwd: fixtures,
    logger: silentLogger,
    stderr: stderrStream,
    env: { ...process.env, KCL_RECORD_FILE: recordFile, ...env },
    ...options,
  });
  const events = () =>
    existsSync(recordFile)
      ? readFileSync(recordFile, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
      : [];
  return { processor, recordFile, events, stderr: () => stderrText };
}

/** Records every checkpoint call; `fail` makes the calls reject with that error instead. */
function fakeCheckpointer(fail?: unknown): RecordProcessorCheckpointer & { calls: Array<[string | undefined, number | undefined]> } {
  const calls: Array<[string | undefined, number | undefined]> = [];
  return {
    calls,
    async checkpoint(sequenceNumber?: string, subSequenceNumber?: number) {
      calls.push([sequenceNumber, subSequenceNumber]);
      if (fail !== undefined) throw fail;
    },
  };
}

function record(n: number, sub: number, data: Uint8Array, arrivalMs: number): ConsumerRecord {
  return { SequenceNumber: seq(n), SubSequenceNumber: sub, PartitionKey: `key-${n}-${sub}`, Data: data, ApproximateArrivalTimestamp: new Date(arrivalMs), aggregated: sub > 0 };
}

const start = { shardId, extendedSequenceNumber: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 } };

function consumerError(code: ConsumerErrorCode): Error {
  return new ConsumerError(code, `checkpoint failed: ${code}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("kcl > MultiLangProcessor > aws-kcl processor", () => {
  it("hands over initialize and records intact, and carries out the checkpoints the child asks for", async () => {
    const h = harness(join(fixtures, "recording-processor.cjs"), { KCL_CHECKPOINT_EVERY: "2" });
    const bytes = [Uint8Array.from([0, 255, 10, 13, 34, 92]), new TextEncoder().encode("héllo\n"), new Uint8Array(0)];
    const records = [record(1, 0, bytes[0]!, 1_700_000_000_123), record(2, 0, bytes[1]!, 1_700_000_000_456), record(2, 1, bytes[2]!, 1_700_000_000_456)];
    const checkpointer = fakeCheckpointer();
    await h.processor.initialize(start);
    await h.processor.processRecords({ records, checkpointer, millisBehindLatest: 42 });
    await h.processor.shardEnded({ checkpointer });

    const events = h.events();
    assert.deepEqual(events[0]!.input, { shardId, sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 });
    const received = events.filter((event) => event.event === "record").map((event) => event.record as Record<string, unknown>);
    assert.deepEqual(
      received,
      records.map((r, index) => ({
        action: "record",
        data: Buffer.from(bytes[index]!).toString("base64"),
        partitionKey: r.PartitionKey,
        sequenceNumber: r.SequenceNumber,
        subSequenceNumber: r.SubSequenceNumber,
        approximateArrivalTimestamp: r.ApproximateArrivalTimestamp!.getTime(),
      })),
    );
    assert.deepEqual(events.find((event) => event.event === "batch"), { event: "batch", millisBehindLatest: 42 });
    // The aws-kcl package checkpoints by sequence number only; at shard end with no argument (SHARD_END).
    assert.deepEqual(checkpointer.calls, [[seq(2), undefined], [undefined, undefined]]);
    const answers = events.filter((event) => event.event === "checkpointed");
    assert.deepEqual(answers, [
      { event: "checkpointed", requested: seq(2), error: null, checkpointed: seq(2) },
      { event: "checkpointed", requested: null, error: null, checkpointed: null },
    ]);
    assert.deepEqual(events.at(-1), { event: "exit", code: 0 });
  });

  it("tells the child a lost lease as ShutdownException, then sends leaseLost after shutdownRequested", async () => {
    const h = harness(join(fixtures, "recording-processor.cjs"), {});
    const checkpointer = fakeCheckpointer(consumerError("LeaseLost"));
    await h.processor.initialize(start);
    await h.processor.shutdownRequested({ checkpointer });
    const events = h.events().map((event) => (event.event === "checkpointed" ? event : event.event));
    assert.deepEqual(events, [
      "initialize",
      "shutdownRequested",
      { event: "checkpointed", requested: null, error: "ShutdownException", checkpointed: null },
      "leaseLost",
      "exit",
    ]);
    // Finished: a later leaseLost from the consumer has nothing left to tell.
    await h.processor.leaseLost();
  });

  it("tells the child a position out of range as IllegalArgumentException", async () => {
    const h = harness(join(fixtures, "recording-processor.cjs"), { KCL_CHECKPOINT_EVERY: "1" });
    const checkpointer = fakeCheckpointer(consumerError("InvalidCheckpoint"));
    await h.processor.initialize(start);
    await h.processor.processRecords({ records: [record(7, 0, Uint8Array.of(1), 1)], checkpointer });
    const answer = h.events().find((event) => event.event === "checkpointed");
    assert.deepEqual(answer, { event: "checkpointed", requested: seq(7), error: "IllegalArgumentException", checkpointed: seq(7) });
    await h.processor.leaseLost();
  });

  it("skips the child's non-protocol stdout lines and passes its stderr through, prefixed with the shard id", async () => {
    const h = harness(join(fixtures, "recording-processor.cjs"), { KCL_BEHAVIOUR: "noisy" });
    await h.processor.initialize(start);
    await h.processor.processRecords({ records: [record(1, 0, Uint8Array.of(1), 1)], checkpointer: fakeCheckpointer() });
    await h.processor.leaseLost();
    assert.match(h.stderr(), new RegExp(`^\\[${shardId}\\] a line on stderr$`, "m"));
    assert.deepEqual(h.events().map((event) => event.event), ["initialize", "record", "batch", "leaseLost", "exit"]);
  });

  it("rejects the call when the child exits, and every later call but leaseLost", async () => {
    const h = harness(join(fixtures, "recording-processor.cjs"), { KCL_BEHAVIOUR: "crash-on-records" });
    await h.processor.initialize(start);
    const batch = { records: [record(1, 0, Uint8Array.of(1), 1)], checkpointer: fakeCheckpointer() };
    await assert.rejects(h.processor.processRecords(batch), /exited with code 3 while waiting for its status for processRecords/);
    await assert.rejects(h.processor.processRecords(batch), /exited with code 3/);
    await h.processor.leaseLost();
  });

  it("kills a child that does not exit within the grace period after its last message", async () => {
    const h = harness(join(fixtures, "recording-processor.cjs"), { KCL_BEHAVIOUR: "hang-after-lease-lost" }, { exitGraceMs: 300 });
    await h.processor.initialize(start);
    const pid = h.events()[0]!.pid as number;
    await h.processor.leaseLost();
    assert.equal(isAlive(pid), false);
    // SIGKILL: the child never ran its exit handler.
    assert.deepEqual(h.events().map((event) => event.event), ["initialize", "leaseLost"]);
  });

  it("rejects initialize when the executable cannot be run", async () => {
    const processor = new MultiLangProcessor({ command: ["./no-such-processor"], cwd: fixtures, logger: silentLogger });
    await assert.rejects(processor.initialize(start), /cannot run the record processor '\.\/no-such-processor' for shard shardId-000000000003: spawn \.\/no-such-processor ENOENT/);
  });
});

describe("kcl > MultiLangProcessor > hand-written processor (amazon_kclpy's wire)", () => {
  it("passes the child's sub-sequence number to the checkpointer and answers as the Java daemon", async () => {
    const h = harness(join(fixtures, "raw-processor.cjs"), {});
    const checkpointer = fakeCheckpointer();
    await h.processor.initialize({ shardId, extendedSequenceNumber: { sequenceNumber: seq(1), subSequenceNumber: 4 } });
    await h.processor.processRecords({ records: [record(5, 0, Uint8Array.of(1), 1), record(5, 2, Uint8Array.of(2), 1)], checkpointer });
    await h.processor.shardEnded({ checkpointer });
    assert.deepEqual(checkpointer.calls, [[seq(5), 2]]);
    const events = h.events();
    assert.deepEqual(events[0]!.message, { action: "initialize", shardId, sequenceNumber: seq(1), subSequenceNumber: 4 });
    assert.deepEqual(events.find((event) => event.event === "answer")!.message, { action: "checkpoint", sequenceNumber: seq(5), subSequenceNumber: 2, error: null });
    assert.deepEqual(events.at(-1)!.message, { action: "shardEnded" });
  });

  it("rejects a status for another action", async () => {
    const h = harness(join(fixtures, "raw-processor.cjs"), { KCL_BEHAVIOUR: "wrong-status" });
    await h.processor.initialize(start);
    await assert.rejects(
      h.processor.processRecords({ records: [], checkpointer: fakeCheckpointer() }),
      /answered initialize while processRecords was waiting for its status/,
    );
  });

  it("rejects a call the child does not answer within timeoutInSeconds", async () => {
    // Long enough for the child to start and answer initialize on a loaded machine (the same limit applies to it).
    const h = harness(join(fixtures, "raw-processor.cjs"), { KCL_BEHAVIOUR: "silent-on-records" }, { responseTimeoutMs: 3000 });
    await h.processor.initialize(start);
    await assert.rejects(
      h.processor.processRecords({ records: [], checkpointer: fakeCheckpointer() }),
      /did not answer processRecords within 3000 ms/,
    );
  });
});
