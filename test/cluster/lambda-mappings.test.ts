/**
 * Event source mappings on two nodes sharing one engine: two trigger engines (one per node) over
 * one table store and one server's streams, with recording fake executors, on a ManualClock that
 * moves the leases. A mapping is polled by one node at a time; a node's graceful stop hands it to
 * the other at its next renewal, a node cut off from storage loses it within the lease's lifetime,
 * and every record is delivered at least once; a checkpoint written under a lost lease is refused.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { createEventSourceManager, type EventSourceManager } from "../../src/lambda/event-sources/index.js";
import { CheckpointStore } from "../../src/lambda/event-sources/checkpoint-store.js";
import { ServiceTables } from "../../src/lambda/service-tables.js";
import { noRecordsProcessed, type MappingRecord } from "../../src/lambda/event-sources/mapping.js";
import { kinesisDefaults } from "../../src/lambda/event-sources/options.js";
import type { Executor, InvokeResult, ResolvedFunction } from "../../src/lambda/model.js";
import type { ObjectClient } from "../../src/storage/object-client/index.js";
import { createMemoryEngine } from "../../src/storage/index.js";
import type { TableStore } from "../../src/storage/types.js";
import { ManualClock } from "../../src/util/clock.js";
import { silentLogger } from "../../src/util/logger.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { randomUUIDFrom } from "../../src/util/uuid.js";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { waitUntilActive } from "../helpers/streams.js";
import { waitFor } from "../helpers/wait.js";
import { cuttableTables } from "./cluster-helpers.js";

const leaseTuning = { leaseTtlMs: 10_000, renewIntervalMs: 2_000 };
const accountId = "000000000000";

const fn: ResolvedFunction = {
  accountId,
  region: "us-east-1",
  functionName: "cluster-fn",
  functionArn: `arn:aws:lambda:us-east-1:${accountId}:function:cluster-fn`,
  versionArn: `arn:aws:lambda:us-east-1:${accountId}:function:cluster-fn:$LATEST`,
  invokedArn: `arn:aws:lambda:us-east-1:${accountId}:function:cluster-fn`,
  version: "$LATEST",
  revisionId: "r1",
  runtime: "nodejs20.x",
  handler: "index.handler",
  code: { objectKey: "k", sha256Base64: "", sizeBytes: 0 },
  layers: [],
  environment: {},
  timeoutSeconds: 3,
  memorySizeMB: 128,
  ephemeralStorageMB: 512,
  role: `arn:aws:iam::${accountId}:role/trigger-role`,
  architecture: "x86_64",
  logGroupName: "/aws/lambda/cluster-fn",
};

const objectClient: ObjectClient = {
  putObject: async () => ({ ok: true, ETag: '"x"' }),
  getObject: async () => ({ ok: false, code: "NoSuchKey", message: "" }),
  listObjects: async () => ({ ok: true, objects: [], isTruncated: false }),
  deleteObject: async () => ({ ok: true }),
  ensureBucket: async () => ({ ok: true }),
};

/** One node's trigger engine: what its function was invoked with. */
class Node {
  readonly delivered: string[] = [];
  readonly manager: EventSourceManager;

  constructor(server: TestServer, tables: TableStore, clock: ManualClock, seed: number) {
    const executor: Executor = {
      invoke: async (_fn, input): Promise<InvokeResult> => {
        const event = JSON.parse(input.payload.toString("utf8")) as { Records: { kinesis: { sequenceNumber: string } }[] };
        for (const record of event.Records) this.delivered.push(record.kinesis.sequenceNumber);
        return { kind: "completed", payload: Buffer.from("null"), executedVersion: "$LATEST" };
      },
      retire: async () => {},
      sandboxCount: () => 0,
      stop: async () => {},
    };
    this.manager = createEventSourceManager({
      clock,
      random: new SeededRandom(seed),
      logger: silentLogger,
      region: "us-east-1",
      tables,
      streamAccess: server.app!.streams.streamAccess,
      objectClient,
      functions: { resolve: async () => fn },
      executor,
      tuning: { retryDelayMs: 5, retryDelayMsMax: 50, idlePollMs: 50, shardScanMs: 100 },
      processLocal: false,
      leaseTuning,
    });
  }
}

async function putRecords(kinesis: KinesisClient, streamName: string, from: number, count: number): Promise<string[]> {
  const answer = await kinesis.send(
    new PutRecordsCommand({ StreamName: streamName, Records: Array.from({ length: count }, (_, index) => ({ PartitionKey: `k${(from + index) % 7}`, Data: Buffer.from(String(from + index)) })) }),
  );
  assert.equal(answer.FailedRecordCount, 0);
  return answer.Records!.map((record) => record.SequenceNumber!);
}

/** Moves the clock one renewal at a time, letting each node's renewal run. */
async function renewals(clock: ManualClock, count: number): Promise<void> {
  for (let round = 0; round < count; round++) await clock.advanceAsync(leaseTuning.renewIntervalMs);
}

describe("cluster > lambda event source mappings over two nodes", () => {
  let server: TestServer;
  let kinesis: KinesisClient;
  before(async () => {
    server = await startTestServer();
    kinesis = kinesisClient(server);
  });
  after(() => server.stop());

  async function streamWithMapping(first: Node): Promise<{ streamName: string; mapping: MappingRecord }> {
    const streamName = randomStreamName("cluster-esm");
    await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 2 }));
    await waitUntilActive(kinesis, streamName);
    const streamArn = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary!.StreamARN!;
    const mapping: MappingRecord = {
      UUID: randomUUIDFrom(systemRandom),
      accountId,
      region: "us-east-1",
      FunctionArn: fn.functionArn,
      EventSourceArn: streamArn,
      StartingPosition: "TRIM_HORIZON",
      ...kinesisDefaults,
      FunctionResponseTypes: [],
      Enabled: true,
      State: "Creating",
      StateTransitionReason: "User action",
      LastModifiedMs: 0,
      LastProcessingResult: noRecordsProcessed,
      createdAtMs: 0,
    };
    assert.ok(await first.manager.mappings.create(mapping));
    first.manager.changed(accountId, mapping.UUID);
    await first.manager.settled();
    return { streamName, mapping };
  }

  it("polls a mapping on one node only, and on the other after a graceful stop, every record at least once", async () => {
    const clock = new ManualClock(1_000_000);
    const tables = createMemoryEngine(systemRandom).tables;
    const a = new Node(server, tables, clock, 1);
    const b = new Node(server, tables, clock, 2);
    await a.manager.start();
    const { streamName } = await streamWithMapping(a);
    await b.manager.start();
    await renewals(clock, 3);
    const first = await putRecords(kinesis, streamName, 0, 60);
    await waitFor("node A delivers the first records", () => first.every((sequenceNumber) => a.delivered.includes(sequenceNumber)));
    await renewals(clock, 3);
    assert.equal(b.delivered.length, 0, "node B polls nothing while A holds the mapping");

    const second = await putRecords(kinesis, streamName, 60, 60);
    await a.manager.stop();
    // B takes the released lease at its next renewal.
    await renewals(clock, 1);
    await waitFor("node B delivers what A did not", () => second.every((sequenceNumber) => a.delivered.includes(sequenceNumber) || b.delivered.includes(sequenceNumber)));
    const third = await putRecords(kinesis, streamName, 120, 30);
    await waitFor("node B delivers new records", () => third.every((sequenceNumber) => b.delivered.includes(sequenceNumber)));
    assert.ok(first.every((sequenceNumber) => !b.delivered.includes(sequenceNumber)), "A's checkpoints before its stop hold: B starts after them");
    await b.manager.stop();
  });

  it("moves a mapping off a node cut off from storage within the lease's lifetime; that node's checkpoint is refused", async () => {
    const clock = new ManualClock(2_000_000);
    const tables = createMemoryEngine(systemRandom).tables;
    const cut = cuttableTables(tables);
    const a = new Node(server, cut.tables, clock, 3);
    const b = new Node(server, tables, clock, 4);
    await a.manager.start();
    const { streamName, mapping } = await streamWithMapping(a);
    await b.manager.start();
    const first = await putRecords(kinesis, streamName, 0, 40);
    await waitFor("node A delivers the first records", () => first.every((sequenceNumber) => a.delivered.includes(sequenceNumber)));

    cut.cut(true);
    const second = await putRecords(kinesis, streamName, 40, 40);
    // A's heartbeats fail: it stops polling before B may take over; B takes over once A's heartbeat is a lease's lifetime old.
    await renewals(clock, leaseTuning.leaseTtlMs / leaseTuning.renewIntervalMs + 1);
    await waitFor("node B delivers the records A could not checkpoint", () => second.every((sequenceNumber) => b.delivered.includes(sequenceNumber)));
    const third = await putRecords(kinesis, streamName, 80, 20);
    await waitFor("node B delivers new records", () => third.every((sequenceNumber) => b.delivered.includes(sequenceNumber)));
    assert.ok(third.every((sequenceNumber) => !a.delivered.includes(sequenceNumber)), "node A polls no more");

    // A, back in touch and still believing in its old lease (epoch 1), writes a checkpoint: refused.
    cut.cut(false);
    const checkpoints = new CheckpointStore(tables, new ServiceTables(tables, clock, systemRandom));
    const stored = await checkpoints.all(accountId, mapping.UUID);
    const staleLease = { unitKey: `${accountId}/${mapping.UUID}`, epoch: 1, signal: new AbortController().signal, held: () => true };
    const [shardId, checkpoint] = [...stored].find(([, each]) => each.afterSequenceNumber !== undefined)!;
    await assert.rejects(checkpoints.put(accountId, mapping.UUID, shardId, { afterSequenceNumber: first[0]! }, staleLease), /no longer holds the mapping's lease/);
    assert.deepEqual((await checkpoints.get(accountId, mapping.UUID, shardId))?.afterSequenceNumber, checkpoint.afterSequenceNumber);
    await b.manager.stop();
    await a.manager.stop();
  });
});
