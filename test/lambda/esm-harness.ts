/**
 * The trigger engine against a real server's streams, with a fake Executor that records every
 * event and answers as the test's handler says, a fake object client (OnFailure records) and a
 * memory table store for the mappings and checkpoints.
 */
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { createEventSourceManager } from "../../src/lambda/event-sources/index.js";
import type { EventSourceManager, EventSourceTuning } from "../../src/lambda/event-sources/manager.js";
import { noRecordsProcessed, type MappingRecord } from "../../src/lambda/event-sources/mapping.js";
import { kinesisDefaults } from "../../src/lambda/event-sources/options.js";
import type { Executor, InvokeResult, ResolvedFunction } from "../../src/lambda/model.js";
import type { ObjectClient, PutObjectInput } from "../../src/storage/object-client/index.js";
import { createMemoryEngine } from "../../src/storage/index.js";
import type { TableStore } from "../../src/storage/types.js";
import { systemClock, type Clock } from "../../src/util/clock.js";
import { silentLogger } from "../../src/util/logger.js";
import { systemRandom } from "../../src/util/random.js";
import { randomUUIDFrom } from "../../src/util/uuid.js";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { waitUntilActive } from "../helpers/streams.js";

export interface KinesisEventRecord {
  kinesis: { kinesisSchemaVersion: string; partitionKey: string; sequenceNumber: string; data: string; approximateArrivalTimestamp: number };
  eventSource: string;
  eventVersion: string;
  eventID: string;
  eventName: string;
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

export interface KinesisEvent {
  Records: KinesisEventRecord[];
  window?: { start: string; end: string };
  state?: Record<string, unknown>;
  shardId?: string;
  isFinalInvokeForWindow?: boolean;
  isWindowTerminatedEarly?: boolean;
}

export type HandlerAnswer = { payload?: unknown; functionError?: "Unhandled" } | "throttle";
export type Handler = (event: KinesisEvent, raw: Buffer) => HandlerAnswer | Promise<HandlerAnswer>;

export const roleArn = "arn:aws:iam::000000000000:role/trigger-role";

export class Harness {
  readonly invocations: { event: KinesisEvent; raw: Buffer }[] = [];
  readonly puts: PutObjectInput[] = [];
  handler: Handler = () => ({});
  /** Runs invocations instead of the recording fake (the trigger bench's real sandboxes). */
  executorOverride: Executor | undefined;
  manager!: EventSourceManager;
  streamArn = "";
  streamName = "";

  constructor(
    readonly server: TestServer,
    readonly kinesis: KinesisClient,
    readonly tables: TableStore,
    private readonly clock: Clock,
    private readonly tuning: Partial<EventSourceTuning>,
  ) {}

  readonly fn: ResolvedFunction = {
    accountId: "000000000000",
    region: "us-east-1",
    functionName: "trigger-fn",
    functionArn: "arn:aws:lambda:us-east-1:000000000000:function:trigger-fn",
    versionArn: "arn:aws:lambda:us-east-1:000000000000:function:trigger-fn:$LATEST",
    invokedArn: "arn:aws:lambda:us-east-1:000000000000:function:trigger-fn",
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
    role: roleArn,
    architecture: "x86_64",
    logGroupName: "/aws/lambda/trigger-fn",
  };

  startManager(): EventSourceManager {
    const executor: Executor = {
      invoke: async (_fn, input): Promise<InvokeResult> => {
        const event = JSON.parse(input.payload.toString("utf8")) as KinesisEvent;
        const answer = await this.handler(event, input.payload);
        if (answer === "throttle") return { kind: "throttled", reason: "ReservedFunctionConcurrentInvocationLimitExceeded" };
        this.invocations.push({ event, raw: input.payload });
        const payload = Buffer.from(answer.payload === undefined ? "null" : JSON.stringify(answer.payload));
        return { kind: "completed", payload, executedVersion: "$LATEST", ...(answer.functionError ? { functionError: answer.functionError } : {}) };
      },
      retire: async () => {},
      sandboxCount: () => 0,
      stop: async () => {},
    };
    const objectClient: ObjectClient = {
      putObject: async (input) => {
        this.puts.push(input);
        return { ok: true, ETag: '"x"' };
      },
      getObject: async () => ({ ok: false, code: "NoSuchKey", message: "" }),
      listObjects: async () => ({ ok: true, objects: [], isTruncated: false }),
      deleteObject: async () => ({ ok: true }),
      ensureBucket: async () => ({ ok: true }),
    };
    this.manager = createEventSourceManager({
      clock: this.clock,
      random: systemRandom,
      logger: silentLogger,
      region: "us-east-1",
      tables: this.tables,
      streamAccess: this.server.app!.streams.streamAccess,
      objectClient,
      functions: { resolve: async (_account, name) => (name.startsWith(this.fn.functionArn) || name === "trigger-fn" ? this.fn : undefined) },
      executor: this.executorOverride ?? executor,
      tuning: { retryDelayMs: 5, retryDelayMsMax: 50, idlePollMs: 50, shardScanMs: 100, ...this.tuning },
    });
    return this.manager;
  }

  /** Stores a mapping of the stream to the function and lets the manager start it. */
  async createMapping(options: Partial<MappingRecord> = {}): Promise<MappingRecord> {
    const nowMs = this.clock.nowMs();
    const record: MappingRecord = {
      UUID: randomUUIDFrom(systemRandom),
      accountId: "000000000000",
      region: "us-east-1",
      FunctionArn: this.fn.functionArn,
      EventSourceArn: this.streamArn,
      StartingPosition: "TRIM_HORIZON",
      ...kinesisDefaults,
      FunctionResponseTypes: [],
      Enabled: true,
      State: "Creating",
      StateTransitionReason: "User action",
      LastModifiedMs: nowMs,
      LastProcessingResult: noRecordsProcessed,
      createdAtMs: nowMs,
      ...options,
    };
    await this.manager.mappings.create(record);
    this.manager.changed(record.accountId, record.UUID);
    await this.manager.settled();
    return record;
  }

  /** Puts records (data: JSON of `{key, n}` unless given), 500 per call; answers their sequence numbers. */
  async put(entries: { key: string; data?: Buffer; n?: number }[]): Promise<string[]> {
    const out: string[] = [];
    for (let at = 0; at < entries.length; at += 500) {
      const chunk = entries.slice(at, at + 500);
      const answer = await this.kinesis.send(
        new PutRecordsCommand({
          StreamName: this.streamName,
          Records: chunk.map((entry) => ({ PartitionKey: entry.key, Data: entry.data ?? Buffer.from(JSON.stringify({ key: entry.key, n: entry.n ?? 0 })) })),
        }),
      );
      for (const result of answer.Records ?? []) out.push(result.SequenceNumber!);
    }
    return out;
  }

  /** Every record delivered to a successful or failed invocation, in delivery order. */
  delivered(): KinesisEventRecord[] {
    return this.invocations.flatMap((invocation) => invocation.event.Records);
  }

  async stop(): Promise<void> {
    await this.manager?.stop();
    await this.server.stop();
  }
}

export async function harness(shardCount = 1, options: { clock?: Clock; tuning?: Partial<EventSourceTuning> } = {}): Promise<Harness> {
  const server = await startTestServer();
  const kinesis = kinesisClient(server);
  const h = new Harness(server, kinesis, createMemoryEngine(systemRandom).tables, options.clock ?? systemClock, options.tuning ?? {});
  h.streamName = randomStreamName("esm");
  await kinesis.send(new CreateStreamCommand({ StreamName: h.streamName, ShardCount: shardCount }));
  await waitUntilActive(kinesis, h.streamName);
  h.streamArn = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: h.streamName }))).StreamDescriptionSummary!.StreamARN!;
  h.startManager();
  return h;
}

/** The `{key, n}` a test record carries. */
export function payloadOf(record: KinesisEventRecord): { key: string; n: number } {
  return JSON.parse(Buffer.from(record.kinesis.data, "base64").toString("utf8")) as { key: string; n: number };
}
