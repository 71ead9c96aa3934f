/**
 * The stream-trigger end-to-end tests' fixture: a real server, a real Node function and a sink in
 * the test process. The function (a zip built with zipOf, run in a real sandbox) POSTs every event
 * it receives to the sink and answers what the sink says: a result, or an error it throws. So the
 * test decides each invocation's outcome while everything between the put and the handler is the
 * server's: the Kinesis API, the event source mapping, the poller, the sandbox, Lambda's event.
 * Decisions are routed by the event's eventSourceARN, so one function serves every scenario of a
 * file (its warm sandboxes too).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CreateFunctionCommand, GetEventSourceMappingCommand, LambdaClient, type CreateEventSourceMappingCommandInput, CreateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { exampleCredentials, kinesisClient, randomStreamName, startTestServer, type TestServer, type TestServerOptions } from "../helpers/server.js";
import { waitUntilActive } from "../helpers/streams.js";
import { waitFor } from "../helpers/wait.js";
import { zipOf } from "../helpers/zip.js";

export interface KinesisEvent {
  Records: {
    kinesis: { partitionKey: string; sequenceNumber: string; data: string; approximateArrivalTimestamp: number };
    eventID: string;
    eventSourceARN: string;
  }[];
  window?: { start: string; end: string };
  state?: Record<string, number>;
  shardId?: string;
  eventSourceARN?: string;
  isFinalInvokeForWindow?: boolean;
  isWindowTerminatedEarly?: boolean;
}

/** One record as the handler saw it. */
export interface SeenRecord {
  key: string;
  /** The record's number within its key (the producer's), or -1 for data that is not ours. */
  n: number;
  sequenceNumber: string;
  shardId: string;
  data: string;
}

/** What the handler does with an event: return `result`, or throw `error`. */
export type Answer = { result?: unknown; error?: string };
/** `pid`: the sandbox process that ran the handler. */
export type Decide = (event: KinesisEvent, records: SeenRecord[], pid: number) => Answer | Promise<Answer>;

export interface Delivery {
  event: KinesisEvent;
  records: SeenRecord[];
  answer: Answer;
}

/** The handler: hands the event (and its process id) to the sink, then returns or throws as the sink answers. */
export const recorderSource = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const sink = new URL(process.env.SINK_URL);
function post(body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: sink.hostname, port: sink.port, path: '/' + process.pid, method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', reject);
    req.end(body);
  });
}
exports.handler = async (event) => {
  const answer = JSON.parse(await post(JSON.stringify(event)));
  if (answer.error !== undefined) throw new Error(answer.error);
  return answer.result;
};
`;

export function seenRecords(event: KinesisEvent): SeenRecord[] {
  return event.Records.map((record) => {
    const data = Buffer.from(record.kinesis.data, "base64").toString("utf8");
    let n = -1;
    try {
      const parsed = JSON.parse(data) as { n?: unknown };
      if (typeof parsed.n === "number") n = parsed.n;
    } catch {
      // Not one of the producer's records (a filter scenario's non-JSON data).
    }
    return { key: record.kinesis.partitionKey, n, sequenceNumber: record.kinesis.sequenceNumber, shardId: record.eventID.slice(0, record.eventID.indexOf(":")), data };
  });
}

export class TriggerSink {
  /** Every invocation, per event source ARN, in the order they reached the sink. */
  readonly deliveries = new Map<string, Delivery[]>();
  private readonly routes = new Map<string, Decide>();
  private readonly running = new Map<string, number>();
  /** The most invocations of one source running at once. */
  readonly runningMax = new Map<string, number>();
  private server!: http.Server;
  url = "";

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const event = JSON.parse(Buffer.concat(chunks).toString("utf8")) as KinesisEvent;
        void this.answer(event, Number(request.url!.slice(1))).then((answer) => response.end(JSON.stringify(answer)));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** What the handler answers for events of `sourceArn` (default: success, no result). */
  on(sourceArn: string, decide: Decide): void {
    this.routes.set(sourceArn, decide);
  }

  of(sourceArn: string): Delivery[] {
    return this.deliveries.get(sourceArn) ?? [];
  }

  /** Every record of `sourceArn` delivered to an invocation that succeeded as a whole. */
  succeeded(sourceArn: string): SeenRecord[] {
    return this.of(sourceArn)
      .filter((delivery) => delivery.answer.error === undefined)
      .flatMap((delivery) => delivery.records);
  }

  private async answer(event: KinesisEvent, pid: number): Promise<Answer> {
    const source = event.eventSourceARN ?? event.Records[0]?.eventSourceARN ?? "";
    const records = seenRecords(event);
    const running = (this.running.get(source) ?? 0) + 1;
    this.running.set(source, running);
    this.runningMax.set(source, Math.max(this.runningMax.get(source) ?? 0, running));
    try {
      const decide = this.routes.get(source);
      const answer = decide === undefined ? {} : await decide(event, records, pid);
      let list = this.deliveries.get(source);
      if (list === undefined) this.deliveries.set(source, (list = []));
      list.push({ event, records, answer });
      return answer;
    } finally {
      this.running.set(source, (this.running.get(source) ?? 1) - 1);
    }
  }
}

/** The recorder function, reporting to `sinkUrl`. */
export async function createRecorder(lambda: LambdaClient, functionName: string, sinkUrl: string): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: functionName,
      Runtime: "nodejs20.x",
      Role: "arn:aws:iam::000000000000:role/trigger-e2e",
      Handler: "index.handler",
      Code: { ZipFile: zipOf({ "index.js": recorderSource }) },
      Timeout: 30,
      MemorySize: 256,
      Environment: { Variables: { SINK_URL: sinkUrl } },
    }),
  );
}

/** What a trigger test's `before` sets up: a server and its clients, the sink listening, the recorder function created. */
export interface TriggerWorld {
  readonly kinesis: KinesisClient;
  readonly lambda: LambdaClient;
  readonly s3: S3Client;
  /** Ends the clients, the server, then the sink. */
  stop(): Promise<void>;
}

/** A server (with `options.server`), the recorder `functionName` sending to `sink`, and the OnFailure `options.bucket` when given. */
export async function startTriggerWorld(sink: TriggerSink, functionName: string, options: { bucket?: string; server?: TestServerOptions } = {}): Promise<TriggerWorld> {
  const server = await startTestServer(options.server);
  const kinesis = kinesisClient(server);
  const lambda = lambdaClient(server);
  const s3 = new S3Client({ endpoint: server.url, region: server.region, credentials: exampleCredentials, forcePathStyle: true });
  if (options.bucket !== undefined) await s3.send(new CreateBucketCommand({ Bucket: options.bucket }));
  await sink.start();
  await createRecorder(lambda, functionName, sink.url);
  return {
    kinesis,
    lambda,
    s3,
    async stop() {
      kinesis.destroy();
      lambda.destroy();
      s3.destroy();
      await server.stop();
      await sink.stop();
    },
  };
}

export function lambdaClient(server: TestServer): LambdaClient {
  return new LambdaClient({ endpoint: server.url, region: server.region, credentials: exampleCredentials });
}

/** A new ACTIVE stream: its name and ARN. */
export async function createStream(kinesis: KinesisClient, prefix: string, shardCount: number): Promise<{ streamName: string; streamArn: string }> {
  const streamName = randomStreamName(prefix);
  await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  await waitUntilActive(kinesis, streamName);
  const streamArn = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary!.StreamARN!;
  return { streamName, streamArn };
}

/** Creates a mapping and waits until it settles (Enabled, or Disabled when created disabled). */
export async function createMapping(lambda: LambdaClient, input: CreateEventSourceMappingCommandInput): Promise<string> {
  const uuid = (await lambda.send(new CreateEventSourceMappingCommand(input))).UUID!;
  const settled = input.Enabled === false ? "Disabled" : "Enabled";
  await waitFor(`mapping ${settled}`, async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State === settled);
  return uuid;
}

/**
 * A producer under load: `writers` concurrent writers, each owning its own keys and sending one
 * PutRecords at a time, so each key's put order is its numbers' order (n = 0, 1, 2, …).
 */
export class Producer {
  /** Per key, how many records were acknowledged (their numbers are 0 … count−1). */
  readonly acked = new Map<string, number>();
  private readonly next = new Map<string, number>();
  ackedTotal = 0;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly options: { writers: number; keysPerWriter: number; recordsPerRequest: number; data?: (key: string, n: number) => string },
  ) {}

  /** Each writer sends `requests` PutRecords, one after another; answers once all are acknowledged. */
  async run(requests: number, pauseMs = 0): Promise<void> {
    await Promise.all(Array.from({ length: this.options.writers }, (_, writer) => this.write(writer, requests, pauseMs)));
  }

  private async write(writer: number, requests: number, pauseMs: number): Promise<void> {
    const { keysPerWriter, recordsPerRequest } = this.options;
    for (let request = 0; request < requests; request += 1) {
      const entries = Array.from({ length: recordsPerRequest }, (_, index) => {
        const key = `w${writer}-k${(request * recordsPerRequest + index) % keysPerWriter}`;
        const n = this.next.get(key) ?? 0;
        this.next.set(key, n + 1);
        return { key, n };
      });
      const answer = await this.kinesis.send(
        new PutRecordsCommand({
          StreamName: this.streamName,
          Records: entries.map(({ key, n }) => ({ PartitionKey: key, Data: Buffer.from(this.options.data?.(key, n) ?? JSON.stringify({ n })) })),
        }),
      );
      if ((answer.FailedRecordCount ?? 0) > 0) throw new Error(`${answer.FailedRecordCount} records refused`);
      for (const { key } of entries) this.acked.set(key, (this.acked.get(key) ?? 0) + 1);
      this.ackedTotal += entries.length;
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

/** Per key, the numbers in the order they were first seen. */
export function firstSeenByKey(records: readonly SeenRecord[]): Map<string, number[]> {
  const seen = new Set<string>();
  const out = new Map<string, number[]>();
  for (const record of records) {
    if (seen.has(record.sequenceNumber)) continue;
    seen.add(record.sequenceNumber);
    let list = out.get(record.key);
    if (list === undefined) out.set(record.key, (list = []));
    list.push(record.n);
  }
  return out;
}

/** Every acknowledged record was seen, and each key's records were first seen in put order. */
export function assertEveryKeyInOrder(acked: ReadonlyMap<string, number>, records: readonly SeenRecord[]): void {
  const byKey = firstSeenByKey(records);
  for (const [key, count] of acked) {
    const numbers = byKey.get(key) ?? [];
    const expected = Array.from({ length: count }, (_, n) => n);
    if (numbers.length !== count || numbers.some((n, index) => n !== expected[index])) {
      const at = numbers.findIndex((n, index) => n !== index);
      throw new Error(`key ${key}: ${numbers.length} of ${count} records seen; first out of place at ${at}: ${numbers.slice(Math.max(0, at - 2), at + 3).join(",")}`);
    }
  }
}

/** The OnFailure invocation records Lambda wrote for mapping `uuid` into `bucket`. */
export async function onFailureRecords(s3: S3Client, bucket: string, uuid: string): Promise<{ key: string; record: OnFailureRecord }[]> {
  const out: { key: string; record: OnFailureRecord }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `aws/lambda/${uuid}/`, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }))).Body!.transformToString();
      out.push({ key: object.Key!, record: JSON.parse(body) as OnFailureRecord });
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return out;
}

export interface OnFailureRecord {
  requestContext: { requestId: string; functionArn: string; condition: string; approximateInvokeCount: number };
  responseContext: { statusCode: number; executedVersion?: string; functionError?: string };
  version: string;
  timestamp: string;
  KinesisBatchInfo: { shardId: string; startSequenceNumber: string; endSequenceNumber: string; batchSize: number; streamArn: string };
  payload: string;
}
