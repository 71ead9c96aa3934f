/**
 * Event stream answers through the real listener, with a fake service whose actions return
 * EventStreamOutput: the 200 headers, events in order in the request's wire format, exception
 * messages, backpressure that stalls only the stream that stopped reading, abort when the client
 * resets, HTTP/1.1 chunked streaming, a prompt graceful stop, and the AWS SDK's own
 * SubscribeToShard deserializer reading what we send.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream } from "node:http2";
import { decode } from "cborg";
import { KinesisClient, ResourceInUseException, SubscribeToShardCommand } from "@aws-sdk/client-kinesis";
import { startHttpServer, type RunningServer } from "../../src/server/create-server.js";
import { EventStreamOutput, type EventSink } from "../../src/protocol/event-stream-output.js";
import { EventStreamDecoder, type DecodedMessage } from "../../src/protocol/eventstream.js";
import { ServiceError } from "../../src/protocol/service-error.js";
import type { AwsService } from "../../src/protocol/aws-service.js";
import { RecordList } from "../../src/streams/records/record-list.js";
import { encodeSequenceNumber } from "../../src/core/sequence-number.js";
import { silentLogger } from "../../src/util/logger.js";
import { waitFor } from "../helpers/wait.js";

const targetPrefix = "Kinesis_20131202";
const arrivalMs = 1_700_000_000_123;
const bigEventBytes = 8 * 1024;

/** What the fake service's runs report, for the tests to wait on. */
interface RunProbe {
  sent: number;
  aborted?: unknown;
  finished: Promise<void>;
}

const probes = new Map<string, RunProbe>();

function probe(key: string, run: (sink: EventSink, signal: AbortSignal, probe: RunProbe) => Promise<void>): EventStreamOutput {
  let finish!: () => void;
  const state: RunProbe = { sent: 0, finished: new Promise<void>((resolve) => (finish = resolve)) };
  probes.set(key, state);
  return new EventStreamOutput(async (sink, signal) => {
    signal.addEventListener("abort", () => (state.aborted = signal.reason));
    try {
      await run(sink, signal, state);
    } finally {
      finish();
    }
  });
}

/** Sends events of `bigEventBytes` until aborted, counting those whose send resolved. */
async function firehose(sink: EventSink, signal: AbortSignal, state: RunProbe): Promise<void> {
  await sink.send("initial-response", {});
  const filler = "x".repeat(bigEventBytes);
  while (!signal.aborted) {
    await sink.send("Chunk", { n: state.sent, filler });
    state.sent++;
  }
}

const service: AwsService = {
  targetPrefix,
  hasAction: (name) => ["Events", "Fail", "Crash", "Firehose", "SubscribeToShard"].includes(name),
  async invoke(action, body) {
    const key = (body as { Key?: string }).Key ?? action;
    if (action === "Events") {
      return probe(key, async (sink) => {
        await sink.send("initial-response", {});
        for (let n = 0; n < 5; n++) {
          await sink.send("Numbered", { n, At: new Date(arrivalMs + n), Blob: Buffer.from([n, 0xff]) });
        }
      });
    }
    if (action === "Fail") {
      return probe(key, async (sink) => {
        await sink.send("initial-response", {});
        throw new ServiceError("ResourceInUseException", "Another active subscription exists for this consumer", 400);
      });
    }
    if (action === "Crash") {
      return probe(key, async (sink) => {
        await sink.send("initial-response", {});
        throw new TypeError("a bug in the pump");
      });
    }
    if (action === "Firehose") return probe(key, firehose);
    // SubscribeToShard as the SDK sees it: the initial response, one event with records, then an exception.
    return probe(key, async (sink) => {
      await sink.send("initial-response", {});
      const records = [0, 1, 2].map((offset) => ({ offset, arrivalMs, partitionKey: `pk-${offset}`, data: Buffer.from(`record ${offset}`) }));
      await sink.send("SubscribeToShardEvent", {
        Records: new RecordList(records, { shardEpochSeconds: Math.floor(arrivalMs / 1000), shardIndex: 0 }, "NONE"),
        ContinuationSequenceNumber: encodeSequenceNumber({ shardEpochSeconds: Math.floor(arrivalMs / 1000), arrivalMs, shardIndex: 0, offset: 2 }),
        MillisBehindLatest: 0,
      });
      if ((body as { ShardId?: string }).ShardId === "shardId-000000000001") {
        throw new ServiceError("ResourceInUseException", "Another active subscription exists", 400);
      }
    });
  },
};

let server: RunningServer;

before(async () => {
  server = await startHttpServer({ config: { host: "127.0.0.1", port: 0, requestBytesMax: 1024 * 1024 }, services: [service], logger: silentLogger });
});

after(async () => {
  await server.close();
});

interface Opened {
  stream: ClientHttp2Stream;
  headers: Promise<Record<string, unknown>>;
  messages: DecodedMessage[];
  /** Resolves with every message once the stream has ended. */
  ended: Promise<DecodedMessage[]>;
}

function open(session: ClientHttp2Session, action: string, body: Record<string, unknown>, format: "json" | "cbor" = "json"): Opened {
  const stream = session.request({
    ":method": "POST",
    ":path": "/",
    "content-type": format === "json" ? "application/x-amz-json-1.1" : "application/x-amz-cbor-1.1",
    "x-amz-target": `${targetPrefix}.${action}`,
  });
  const decoder = new EventStreamDecoder();
  const messages: DecodedMessage[] = [];
  const headers = new Promise<Record<string, unknown>>((resolve) => stream.once("response", (received) => resolve(received)));
  const ended = new Promise<DecodedMessage[]>((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => messages.push(...decoder.push(chunk)));
    stream.on("end", () => (decoder.pendingBytes === 0 ? resolve(messages) : reject(new Error("the stream ended inside a message"))));
    stream.on("error", reject);
  });
  stream.end(format === "json" ? JSON.stringify(body) : Buffer.from(cborEncode(body)));
  return { stream, headers, messages, ended };
}

function cborEncode(body: Record<string, unknown>): Uint8Array {
  // Requests here are flat maps of short strings: encode by hand rather than pull in the encoder.
  const parts: number[] = [0xa0 + Object.keys(body).length];
  for (const [key, value] of Object.entries(body)) {
    for (const text of [key, String(value)]) parts.push(0x60 + Buffer.byteLength(text), ...Buffer.from(text));
  }
  return Uint8Array.from(parts);
}

function json(message: DecodedMessage): any {
  return JSON.parse(message.payload.toString("utf8"));
}


describe("event stream > http2", () => {
  it("event stream > http2 > answers 200 with the event stream content type, then the events in order", async () => {
    const session = connect(server.url);
    try {
      const opened = open(session, "Events", { Key: "order" });
      const headers = await opened.headers;
      assert.equal(headers[":status"], 200);
      assert.equal(headers["content-type"], "application/vnd.amazon.eventstream");
      assert.match(String(headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
      const messages = await opened.ended;
      assert.deepEqual(
        messages.map((message) => ({ ...message.headers })),
        [
          { ":message-type": "event", ":event-type": "initial-response", ":content-type": "application/json" },
          ...[0, 1, 2, 3, 4].map(() => ({ ":message-type": "event", ":event-type": "Numbered", ":content-type": "application/json" })),
        ],
      );
      assert.deepEqual(json(messages[0]!), {});
      // Dates as epoch seconds and blobs as base64, as in any JSON response.
      assert.deepEqual(messages.slice(1).map(json), [0, 1, 2, 3, 4].map((n) => ({ n, At: (arrivalMs + n) / 1000, Blob: Buffer.from([n, 0xff]).toString("base64") })));
    } finally {
      session.close();
    }
  });

  it("event stream > http2 > a CBOR request gets CBOR event payloads", async () => {
    const session = connect(server.url);
    try {
      const messages = await open(session, "Events", { Key: "cbor" }, "cbor").ended;
      assert.equal(messages.length, 6);
      for (const message of messages) assert.equal(message.headers[":content-type"], "application/cbor");
      const tags: ((inner: () => unknown) => unknown)[] = [];
      tags[1] = (inner) => ({ tag1: inner() });
      const second = decode(messages[2]!.payload, { tags, useMaps: false }) as Record<string, unknown>;
      assert.deepEqual({ ...second, Blob: Buffer.from(second.Blob as Uint8Array) }, { n: 1, At: { tag1: arrivalMs + 1 }, Blob: Buffer.from([1, 0xff]) });
    } finally {
      session.close();
    }
  });

  it("event stream > http2 > a ServiceError from the run is an exception message, and the stream ends", async () => {
    const session = connect(server.url);
    try {
      const messages = await open(session, "Fail", { Key: "fail" }).ended;
      assert.equal(messages.length, 2);
      assert.deepEqual({ ...messages[1]!.headers }, { ":message-type": "exception", ":exception-type": "ResourceInUseException", ":content-type": "application/json" });
      assert.deepEqual(json(messages[1]!), { message: "Another active subscription exists for this consumer" });
    } finally {
      session.close();
    }
  });

  it("event stream > http2 > any other failure of the run is an InternalFailureException", async () => {
    const session = connect(server.url);
    try {
      const messages = await open(session, "Crash", { Key: "crash" }).ended;
      assert.equal(messages.length, 2);
      assert.equal(messages[1]!.headers[":exception-type"], "InternalFailureException");
      assert.deepEqual(json(messages[1]!), { message: "An internal error occurred. Please retry the request." });
    } finally {
      session.close();
    }
  });

  it("event stream > http2 > a reader that stops stalls only its own stream, and it resumes when read again", async () => {
    const session = connect(server.url);
    try {
      const stalled = open(session, "Firehose", { Key: "stalled" });
      stalled.stream.pause();
      const state = () => probes.get("stalled");
      await waitFor("the stalled stream's first events", () => (state()?.sent ?? 0) > 0, 5_000);

      // Another stream on the same connection is not held up.
      for (let round = 0; round < 3; round++) {
        const other = await open(session, "Events", { Key: `alongside-${round}` }).ended;
        assert.equal(other.length, 6);
      }

      // Meanwhile the stalled run has sent no more than the stream's flow-control window
      // (64 KiB), the client's read buffer and the server's write buffer (16 KiB each) hold:
      // its sends wait for room, so memory stays bounded.
      const boundEvents = Math.ceil((65_535 + 2 * 16_384) / bigEventBytes) + 2;
      const sentWhileStalled = state()!.sent;
      assert.ok(sentWhileStalled <= boundEvents, `sent ${sentWhileStalled} events while stalled, bound ${boundEvents}`);

      stalled.stream.resume();
      await waitFor("the run to carry on once read again", () => state()!.sent > boundEvents + 50, 5_000);
      // Whatever was delivered is whole messages, in order.
      const numbers = stalled.messages.slice(1).map((message) => json(message).n as number);
      assert.deepEqual(numbers, numbers.map((_, index) => index));
      stalled.stream.close(constants.NGHTTP2_CANCEL);
      await state()!.finished;
    } finally {
      session.close();
    }
  });

  it("event stream > http2 > a client reset aborts the run", async () => {
    const session = connect(server.url);
    try {
      const opened = open(session, "Firehose", { Key: "reset" });
      opened.ended.catch(() => {});
      await waitFor("the first events", () => (probes.get("reset")?.sent ?? 0) > 0, 5_000);
      opened.stream.close(constants.NGHTTP2_CANCEL);
      await probes.get("reset")!.finished;
      assert.ok(probes.get("reset")!.aborted instanceof Error);
      assert.match(String((probes.get("reset")!.aborted as Error).message), /client closed/);
    } finally {
      session.close();
    }
  });
});

describe("event stream > http1.1", () => {
  it("event stream > http1.1 > streams the events with chunked transfer encoding", async () => {
    const target = new URL(server.url);
    const { statusCode, headers, messages } = await new Promise<{ statusCode: number; headers: Record<string, unknown>; messages: DecodedMessage[] }>(
      (resolve, reject) => {
        const req = request(
          {
            host: target.hostname,
            port: target.port,
            method: "POST",
            agent: false,
            headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `${targetPrefix}.Events` },
          },
          (res) => {
            const decoder = new EventStreamDecoder();
            const received: DecodedMessage[] = [];
            res.on("data", (chunk: Buffer) => received.push(...decoder.push(chunk)));
            res.on("end", () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, messages: received }));
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ Key: "http1" }));
      },
    );
    assert.equal(statusCode, 200);
    assert.equal(headers["content-type"], "application/vnd.amazon.eventstream");
    assert.equal(headers["transfer-encoding"], "chunked");
    assert.deepEqual(
      messages.map((message) => message.headers[":event-type"]),
      ["initial-response", "Numbered", "Numbered", "Numbered", "Numbered", "Numbered"],
    );
  });
});

describe("event stream > sdk", () => {
  it("event stream > sdk > SubscribeToShardCommand reads the initial response, the records, and an exception", async () => {
    const kinesis = new KinesisClient({
      endpoint: server.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
    });
    try {
      const input = { ConsumerARN: "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1", StartingPosition: { Type: "TRIM_HORIZON" as const } };
      const output = await kinesis.send(new SubscribeToShardCommand({ ...input, ShardId: "shardId-000000000000" }));
      const events = [];
      for await (const event of output.EventStream!) events.push(event);
      assert.equal(events.length, 1);
      const event = events[0]!.SubscribeToShardEvent!;
      assert.equal(event.ContinuationSequenceNumber, encodeSequenceNumber({ shardEpochSeconds: Math.floor(arrivalMs / 1000), arrivalMs, shardIndex: 0, offset: 2 }));
      assert.equal(event.MillisBehindLatest, 0);
      assert.deepEqual(
        event.Records!.map((record) => ({ ...record, Data: Buffer.from(record.Data!).toString("utf8") })),
        [0, 1, 2].map((offset) => ({
          SequenceNumber: encodeSequenceNumber({ shardEpochSeconds: Math.floor(arrivalMs / 1000), arrivalMs, shardIndex: 0, offset }),
          ApproximateArrivalTimestamp: new Date(arrivalMs),
          Data: `record ${offset}`,
          PartitionKey: `pk-${offset}`,
        })),
      );

      const failing = await kinesis.send(new SubscribeToShardCommand({ ...input, ShardId: "shardId-000000000001" }));
      const seen: unknown[] = [];
      await assert.rejects(
        (async () => {
          for await (const event of failing.EventStream!) seen.push(event);
        })(),
        (error: unknown) => error instanceof ResourceInUseException && error.message === "Another active subscription exists",
      );
      assert.equal(seen.length, 1);
    } finally {
      kinesis.destroy();
    }
  });
});

describe("event stream > stop", () => {
  it("event stream > stop > a graceful stop ends open event streams at once, a stalled one too", { timeout: 20_000 }, async () => {
    // A drain bound far beyond the test's timeout: only ending the streams lets the stop finish.
    const own = await startHttpServer({ config: { host: "127.0.0.1", port: 0, requestBytesMax: 1024 * 1024, drainMsMax: 120_000 }, services: [service], logger: silentLogger });
    const session = connect(own.url);
    session.on("error", () => {});
    try {
      const reading = open(session, "Firehose", { Key: "stop-reading" });
      const stalled = open(session, "Firehose", { Key: "stop-stalled" });
      stalled.ended.catch(() => {});
      stalled.stream.pause();
      await waitFor("the reading stream to flow", () => (probes.get("stop-reading")?.sent ?? 0) > 10, 5_000);
      await waitFor("the stalled stream's first events", () => (probes.get("stop-stalled")?.sent ?? 0) > 0, 5_000);

      await own.close();

      // The reader sees a clean end of whole messages; both runs were aborted.
      const messages = await reading.ended;
      assert.ok(messages.length > 10);
      await probes.get("stop-reading")!.finished;
      await probes.get("stop-stalled")!.finished;
      assert.match(String((probes.get("stop-reading")!.aborted as Error).message), /server is stopping/);
      assert.match(String((probes.get("stop-stalled")!.aborted as Error).message), /server is stopping/);
    } finally {
      session.destroy();
      await own.close();
    }
  });
});
