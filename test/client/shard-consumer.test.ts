import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateStreamCommand, PutRecordsCommand, SplitShardCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { ShardConsumer, type ShardConsumerOptions } from "../../src/client/consumer/shard-consumer.js";
import { ConsumerError } from "../../src/client/consumer/errors.js";
import { PollingFetcher } from "../../src/client/consumer/retrieval/polling-fetcher.js";
import type {
  ConsumerRecord, ExtendedSequenceNumber, FetchedBatch, InitializationInput, ProcessRecordsInput, RecordProcessorCheckpointer, RecordsFetcher, ShardRecordProcessor,
} from "../../src/client/consumer/types.js";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";

const shardId = "shardId-000000000000";
const trimHorizon: ExtendedSequenceNumber = { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 };
const tick = () => new Promise((resolve) => setImmediate(resolve));

function record(sequenceNumber: string, subSequenceNumber = 0): ConsumerRecord {
  return { SequenceNumber: sequenceNumber, SubSequenceNumber: subSequenceNumber, PartitionKey: "k", Data: Buffer.from(`${sequenceNumber}.${subSequenceNumber}`), aggregated: subSequenceNumber > 0 };
}

/** A fetcher the test feeds: each next() takes the next pushed result, or waits for one. */
class ScriptedFetcher implements RecordsFetcher {
  nextCalls = 0;
  closed = false;
  private readonly results: Array<FetchedBatch | Error> = [];
  private waiter: ((result: FetchedBatch | Error) => void) | undefined;

  push(...results: Array<FetchedBatch | Error>): void {
    for (const result of results) {
      if (this.waiter !== undefined) {
        const waiter = this.waiter;
        this.waiter = undefined;
        waiter(result);
      } else this.results.push(result);
    }
  }

  async next(): Promise<FetchedBatch> {
    this.nextCalls++;
    assert.equal(this.waiter, undefined, "next() called while another was pending");
    const result = this.results.shift() ?? (await new Promise<FetchedBatch | Error>((resolve) => (this.waiter = resolve)));
    if (result instanceof Error) throw result;
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiter?.(new ConsumerError("FetcherClosed", "closed"));
    this.waiter = undefined;
  }
}

type Hook = (input: { checkpointer: RecordProcessorCheckpointer; records?: ConsumerRecord[] }, call: number) => void | Promise<void>;

/** Records every call (and whether two ever overlapped); hooks decide what each call does. */
class RecordingProcessor implements ShardRecordProcessor {
  readonly calls: string[] = [];
  readonly batches: ProcessRecordsInput[] = [];
  overlapped = false;
  private active = 0;
  private readonly counts = new Map<string, number>();

  constructor(private readonly hooks: Partial<Record<"processRecords" | "shardEnded" | "shutdownRequested" | "initialize" | "leaseLost", Hook>> = {}) {}

  private async enter(name: string, input: { checkpointer?: RecordProcessorCheckpointer; records?: ConsumerRecord[] }): Promise<void> {
    if (this.active > 0) this.overlapped = true;
    this.active++;
    const count = (this.counts.get(name) ?? 0) + 1;
    this.counts.set(name, count);
    this.calls.push(name === "processRecords" ? `processRecords(${input.records!.map((r) => `${r.SequenceNumber}.${r.SubSequenceNumber}`).join(",")})` : name);
    try {
      await this.hooks[name as keyof RecordingProcessor["hooks"]]?.(input as { checkpointer: RecordProcessorCheckpointer }, count);
    } finally {
      this.active--;
    }
  }
  initialized: InitializationInput | undefined;
  initialize(input: InitializationInput) {
    this.initialized = input;
    return this.enter("initialize", {});
  }
  processRecords(input: ProcessRecordsInput) {
    this.batches.push(input);
    return this.enter("processRecords", input);
  }
  leaseLost() {
    return this.enter("leaseLost", {});
  }
  shardEnded(input: { checkpointer: RecordProcessorCheckpointer }) {
    return this.enter("shardEnded", input);
  }
  shutdownRequested(input: { checkpointer: RecordProcessorCheckpointer }) {
    return this.enter("shutdownRequested", input);
  }
}

/** saveCheckpoint's fake: keeps what was saved; `lost` makes it reject as the lease coordinator does. */
class FakeLease {
  saved: ExtendedSequenceNumber[] = [];
  lost = false;
  save = async (position: ExtendedSequenceNumber) => {
    if (this.lost) throw new ConsumerError("LeaseLost", "lease lost");
    this.saved.push(position);
  };
}

function consumerOf(processor: ShardRecordProcessor, fetcher: RecordsFetcher, lease: FakeLease, options: Partial<ShardConsumerOptions> = {}) {
  return new ShardConsumer({ shardId, checkpoint: trimHorizon, processor, fetcher, saveCheckpoint: lease.save, shardEndedRetryMs: 5, ...options });
}

const checkpointAll: Hook = ({ checkpointer }) => checkpointer.checkpoint();

describe("consumer > shard consumer", () => {
  it("consumer > shard consumer > lifecycle: initialize, processRecords for non-empty batches, shardEnded, SHARD_END", async () => {
    const fetcher = new ScriptedFetcher();
    const processor = new RecordingProcessor({ processRecords: checkpointAll, shardEnded: checkpointAll });
    const lease = new FakeLease();
    const consumer = consumerOf(processor, fetcher, lease, { pendingCheckpoint: { sequenceNumber: "5", subSequenceNumber: 0 } });
    fetcher.push(
      { records: [record("1"), record("2")], millisBehindLatest: 7 },
      { records: [] },
      { records: [record("3", 0), record("3", 1)] },
      { records: [], shardEnd: { childShardIds: ["shardId-000000000001", "shardId-000000000002"] } },
    );
    assert.equal(await consumer.run(), "shard-ended");
    assert.deepEqual(processor.calls, ["initialize", "processRecords(1.0,2.0)", "processRecords(3.0,3.1)", "shardEnded"]);
    assert.deepEqual(processor.initialized, { shardId, extendedSequenceNumber: trimHorizon, pendingCheckpointSequenceNumber: { sequenceNumber: "5", subSequenceNumber: 0 } });
    assert.equal(processor.batches[0]!.millisBehindLatest, 7);
    assert.deepEqual(processor.batches.map((b) => b.isAtShardEnd), [false, false]);
    assert.deepEqual(lease.saved, [
      { sequenceNumber: "2", subSequenceNumber: 0 },
      { sequenceNumber: "3", subSequenceNumber: 1 },
      { sequenceNumber: "SHARD_END", subSequenceNumber: 0 },
    ]);
    assert.deepEqual(consumer.childShardIds(), ["shardId-000000000001", "shardId-000000000002"]);
    assert.equal(processor.overlapped, false);
    assert.equal(fetcher.closed, true);
    assert.equal(fetcher.nextCalls, 4, "no fetch after the shard's end");
  });

  it("consumer > shard consumer > records in the shard's last batch are processed (isAtShardEnd) before shardEnded", async () => {
    const fetcher = new ScriptedFetcher();
    const processor = new RecordingProcessor({ shardEnded: checkpointAll });
    const lease = new FakeLease();
    fetcher.push({ records: [record("9")], shardEnd: { childShardIds: [] } });
    assert.equal(await consumerOf(processor, fetcher, lease).run(), "shard-ended");
    assert.deepEqual(processor.calls, ["initialize", "processRecords(9.0)", "shardEnded"]);
    assert.equal(processor.batches[0]!.isAtShardEnd, true);
  });

  it("consumer > shard consumer > empty batches reach processRecords when configured", async () => {
    const fetcher = new ScriptedFetcher();
    const processor = new RecordingProcessor({ shardEnded: checkpointAll });
    fetcher.push({ records: [] }, { records: [], shardEnd: { childShardIds: [] } });
    await consumerOf(processor, fetcher, new FakeLease(), { callProcessRecordsEvenForEmptyRecordList: true }).run();
    assert.deepEqual(processor.calls, ["initialize", "processRecords()", "processRecords()", "shardEnded"]);
  });

  it("consumer > shard consumer > fetches one batch ahead while the processor works, no more", async () => {
    const fetcher = new ScriptedFetcher();
    let release!: () => void;
    const processing = new Promise<void>((resolve) => (release = resolve));
    const processor = new RecordingProcessor({ processRecords: (_, call) => (call === 1 ? processing : undefined) });
    const consumer = consumerOf(processor, fetcher, new FakeLease());
    const running = consumer.run();
    fetcher.push({ records: [record("1")] }, { records: [record("2")] }, { records: [record("3")] });
    await tick();
    await tick();
    assert.deepEqual(processor.calls, ["initialize", "processRecords(1.0)"]);
    assert.equal(fetcher.nextCalls, 2, "the batch being processed and one prefetched");
    release();
    await tick();
    await tick();
    assert.deepEqual(processor.calls, ["initialize", "processRecords(1.0)", "processRecords(2.0)", "processRecords(3.0)"]);
    await consumer.requestShutdown();
    assert.equal(await running, "shutdown");
  });

  describe("consumer > shard consumer > checkpointer", () => {
    /** Runs one batch and hands its checkpointer to `body` inside processRecords. */
    const withCheckpointer = async (
      records: ConsumerRecord[],
      body: (checkpointer: RecordProcessorCheckpointer) => Promise<void>,
      options: Partial<ShardConsumerOptions> = {},
    ) => {
      const fetcher = new ScriptedFetcher();
      const lease = new FakeLease();
      let failure: unknown;
      const processor = new RecordingProcessor({
        processRecords: async ({ checkpointer }) => {
          try {
            await body(checkpointer);
          } catch (error) {
            failure = error;
          }
        },
      });
      const consumer = consumerOf(processor, fetcher, lease, options);
      fetcher.push({ records });
      const running = consumer.run();
      while (processor.batches.length === 0) await tick();
      await consumer.requestShutdown();
      assert.equal(await running, "shutdown");
      if (failure !== undefined) throw failure;
      return lease.saved;
    };
    const invalid = { name: "ConsumerError", code: "InvalidCheckpoint" };

    it("consumer > shard consumer > checkpointer > no arguments: the last record handed out, sub-sequence included", async () => {
      assert.deepEqual(await withCheckpointer([record("10", 0), record("10", 1)], (c) => c.checkpoint()), [{ sequenceNumber: "10", subSequenceNumber: 1 }]);
    });

    it("consumer > shard consumer > checkpointer > an explicit position inside the batch", async () => {
      const saved = await withCheckpointer([record("10", 0), record("10", 1), record("11")], async (c) => {
        await c.checkpoint("10", 1);
        await c.checkpoint("11");
      });
      assert.deepEqual(saved, [{ sequenceNumber: "10", subSequenceNumber: 1 }, { sequenceNumber: "11", subSequenceNumber: 0 }]);
    });

    it("consumer > shard consumer > checkpointer > compares sequence numbers as numbers, not text", async () => {
      // "9" < "10" as numbers, though not as text: 10 is after 9 and allowed.
      const saved = await withCheckpointer([record("9"), record("10")], async (c) => {
        await c.checkpoint("9");
        await c.checkpoint("10");
      });
      assert.deepEqual(saved.map((s) => s.sequenceNumber), ["9", "10"]);
    });

    it("consumer > shard consumer > checkpointer > refuses a position after the last record handed out", async () => {
      await assert.rejects(withCheckpointer([record("10", 0), record("10", 1)], (c) => c.checkpoint("10", 2)), invalid);
      await assert.rejects(withCheckpointer([record("10")], (c) => c.checkpoint("11")), invalid);
    });

    it("consumer > shard consumer > checkpointer > refuses a position before the last checkpoint", async () => {
      await assert.rejects(
        withCheckpointer([record("10"), record("11")], async (c) => {
          await c.checkpoint("11");
          await c.checkpoint("10");
        }),
        invalid,
      );
      // The lease's own checkpoint counts as the last one.
      await assert.rejects(
        withCheckpointer([record("20", 0), record("20", 1)], (c) => c.checkpoint("20", 0), { checkpoint: { sequenceNumber: "20", subSequenceNumber: 1 } }),
        invalid,
      );
    });

    it("consumer > shard consumer > checkpointer > refuses SHARD_END before the shard's end, and what is not a sequence number", async () => {
      await assert.rejects(withCheckpointer([record("10")], (c) => c.checkpoint("SHARD_END")), invalid);
      await assert.rejects(withCheckpointer([record("10")], (c) => c.checkpoint("ten")), invalid);
      await assert.rejects(withCheckpointer([record("10")], (c) => c.checkpoint("10", -1)), invalid);
    });
  });

  it("consumer > shard consumer > lease lost mid-batch: the batch finishes, its checkpoint fails, leaseLost, nothing more", async () => {
    const fetcher = new ScriptedFetcher();
    const lease = new FakeLease();
    let release!: () => void;
    const halfway = new Promise<void>((resolve) => (release = resolve));
    let checkpointError: unknown;
    const processor = new RecordingProcessor({
      processRecords: async ({ checkpointer }) => {
        await halfway;
        await checkpointer.checkpoint().catch((error: unknown) => (checkpointError = error));
      },
    });
    const consumer = consumerOf(processor, fetcher, lease);
    fetcher.push({ records: [record("1")] }, { records: [record("2")] });
    const running = consumer.run();
    while (processor.batches.length === 0) await tick();
    consumer.leaseLost();
    assert.equal(fetcher.closed, true, "reading stops at once");
    release();
    assert.equal(await running, "lease-lost");
    assert.deepEqual(processor.calls, ["initialize", "processRecords(1.0)", "leaseLost"]);
    assert.equal((checkpointError as ConsumerError | undefined)?.code, "LeaseLost");
    assert.deepEqual(lease.saved, []);
    assert.equal(processor.overlapped, false);
  });

  it("consumer > shard consumer > a checkpoint rejected with LeaseLost stops the consumer as leaseLost() does", async () => {
    const fetcher = new ScriptedFetcher();
    const lease = new FakeLease();
    const processor = new RecordingProcessor({
      processRecords: async ({ checkpointer }) => {
        lease.lost = true;
        await assert.rejects(checkpointer.checkpoint(), { code: "LeaseLost" });
      },
    });
    fetcher.push({ records: [record("1")] }, { records: [record("2")] });
    assert.equal(await consumerOf(processor, fetcher, lease).run(), "lease-lost");
    assert.deepEqual(processor.calls, ["initialize", "processRecords(1.0)", "leaseLost"]);
  });

  it("consumer > shard consumer > graceful shutdown: the running batch finishes, then shutdownRequested checkpoints", async () => {
    const fetcher = new ScriptedFetcher();
    const lease = new FakeLease();
    let release!: () => void;
    const halfway = new Promise<void>((resolve) => (release = resolve));
    const processor = new RecordingProcessor({ processRecords: () => halfway, shutdownRequested: checkpointAll });
    const consumer = consumerOf(processor, fetcher, lease);
    fetcher.push({ records: [record("1"), record("2")] }, { records: [record("3")] });
    const running = consumer.run();
    while (processor.batches.length === 0) await tick();
    let shutdownDone = false;
    const shutdown = consumer.requestShutdown().then(() => (shutdownDone = true));
    await tick();
    assert.equal(shutdownDone, false, "waits for the running processRecords");
    release();
    await shutdown;
    assert.equal(await running, "shutdown");
    assert.deepEqual(processor.calls, ["initialize", "processRecords(1.0,2.0)", "shutdownRequested"]);
    assert.deepEqual(lease.saved, [{ sequenceNumber: "2", subSequenceNumber: 0 }]);
  });

  it("consumer > shard consumer > graceful shutdown while waiting for records", async () => {
    const fetcher = new ScriptedFetcher();
    const processor = new RecordingProcessor();
    const consumer = consumerOf(processor, fetcher, new FakeLease());
    const running = consumer.run();
    await tick();
    await consumer.requestShutdown();
    assert.equal(await running, "shutdown");
    assert.deepEqual(processor.calls, ["initialize", "shutdownRequested"]);
    assert.equal(fetcher.closed, true);
  });

  it("consumer > shard consumer > a processor that does not checkpoint SHARD_END gets shardEnded again, then the consumer fails", async () => {
    const fetcher = new ScriptedFetcher();
    const processor = new RecordingProcessor();
    fetcher.push({ records: [], shardEnd: { childShardIds: [] } });
    const consumer = consumerOf(processor, fetcher, new FakeLease(), { shardEndedAttemptsMax: 3 });
    assert.equal(await consumer.run(), "failed");
    assert.deepEqual(processor.calls, ["initialize", "shardEnded", "shardEnded", "shardEnded"]);
    assert.match(String(consumer.failure), /did not checkpoint SHARD_END/);
  });

  it("consumer > shard consumer > a processor that checkpoints SHARD_END on a later shardEnded finishes the shard", async () => {
    const fetcher = new ScriptedFetcher();
    const lease = new FakeLease();
    const processor = new RecordingProcessor({
      shardEnded: async ({ checkpointer }, call) => {
        if (call === 1) throw new Error("not yet");
        await checkpointer.checkpoint("SHARD_END");
      },
    });
    fetcher.push({ records: [], shardEnd: { childShardIds: ["shardId-000000000003"] } });
    const consumer = consumerOf(processor, fetcher, lease);
    assert.equal(await consumer.run(), "shard-ended");
    assert.deepEqual(processor.calls, ["initialize", "shardEnded", "shardEnded"]);
    assert.equal(consumer.processorErrors, 1);
    assert.deepEqual(lease.saved, [{ sequenceNumber: "SHARD_END", subSequenceNumber: 0 }]);
  });

  it("consumer > shard consumer > processor exceptions are counted and processing goes on without re-delivery", async () => {
    const fetcher = new ScriptedFetcher();
    const errors: Array<[string, string]> = [];
    const processor = new RecordingProcessor({
      processRecords: (_, call) => {
        if (call === 1) throw new Error("boom");
      },
      shardEnded: checkpointAll,
    });
    fetcher.push({ records: [record("1")] }, { records: [record("2")] }, { records: [], shardEnd: { childShardIds: [] } });
    const consumer = consumerOf(processor, fetcher, new FakeLease(), { onProcessorError: (error, call) => errors.push([call, (error as Error).message]) });
    assert.equal(await consumer.run(), "shard-ended");
    assert.deepEqual(processor.calls, ["initialize", "processRecords(1.0)", "processRecords(2.0)", "shardEnded"]);
    assert.equal(consumer.processorErrors, 1);
    assert.deepEqual(errors, [["processRecords", "boom"]]);
  });

  it("consumer > shard consumer > a fetch error no retry fixes fails the consumer", async () => {
    const fetcher = new ScriptedFetcher();
    const processor = new RecordingProcessor();
    const gone = Object.assign(new Error("Stream gone"), { name: "ResourceNotFoundException" });
    fetcher.push({ records: [record("1")] }, gone);
    const consumer = consumerOf(processor, fetcher, new FakeLease());
    assert.equal(await consumer.run(), "failed");
    assert.equal(consumer.failure, gone);
    assert.deepEqual(processor.calls, ["initialize", "processRecords(1.0)"]);
  });

  it("consumer > shard consumer > an initialize that throws fails the consumer before any fetch", async () => {
    const fetcher = new ScriptedFetcher();
    const processor = new RecordingProcessor({
      initialize: () => {
        throw new Error("no database");
      },
    });
    const consumer = consumerOf(processor, fetcher, new FakeLease());
    assert.equal(await consumer.run(), "failed");
    assert.equal(fetcher.nextCalls, 0);
    assert.equal(consumer.processorErrors, 1);
  });
});

describe("consumer > shard consumer > over a polling fetcher", () => {
  let server: TestServer;
  let client: KinesisClient;
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  it("consumer > shard consumer > over a polling fetcher > processes a shard to its end and resumes from its checkpoint", async () => {
    const stream = randomStreamName("shard-consumer");
    await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    const values = Array.from({ length: 20 }, (_, i) => `v${i}`);
    await client.send(new PutRecordsCommand({ StreamName: stream, Records: values.map((value) => ({ PartitionKey: value, Data: Buffer.from(value) })) }));
    const fetcherAt = (checkpoint: ExtendedSequenceNumber) =>
      new PollingFetcher({ kinesis: client, stream: { StreamName: stream }, shardId, checkpoint, initialPosition: { type: "TRIM_HORIZON" }, maxRecords: 7, idleTimeBetweenReadsMs: 10 });
    const lease = new FakeLease();
    // First owner: checkpoints after each batch, and is shut down once it has seen 10 records.
    const seen: string[] = [];
    let consumer!: ShardConsumer;
    const first = new RecordingProcessor({
      processRecords: async ({ checkpointer, records }) => {
        seen.push(...records!.map((r) => Buffer.from(r.Data).toString()));
        await checkpointer.checkpoint();
        if (seen.length >= 10) void consumer.requestShutdown();
      },
    });
    consumer = new ShardConsumer({ shardId, checkpoint: trimHorizon, processor: first, fetcher: fetcherAt(trimHorizon), saveCheckpoint: lease.save });
    assert.equal(await consumer.run(), "shutdown");
    assert.deepEqual(seen, values.slice(0, 14));
    // The stream is split; a second owner resumes from the checkpoint and finishes the shard.
    await client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: shardId, NewStartingHashKey: (1n << 127n).toString() }));
    const checkpoint = lease.saved[lease.saved.length - 1]!;
    const second = new RecordingProcessor({
      processRecords: async ({ checkpointer, records }) => {
        seen.push(...records!.map((r) => Buffer.from(r.Data).toString()));
        await checkpointer.checkpoint();
      },
      shardEnded: checkpointAll,
    });
    const resumed = new ShardConsumer({ shardId, checkpoint, processor: second, fetcher: fetcherAt(checkpoint), saveCheckpoint: lease.save });
    assert.equal(await resumed.run(), "shard-ended");
    assert.deepEqual(seen, values);
    assert.deepEqual(resumed.childShardIds(), ["shardId-000000000001", "shardId-000000000002"]);
    assert.deepEqual(lease.saved[lease.saved.length - 1], { sequenceNumber: "SHARD_END", subSequenceNumber: 0 });
  });
});
