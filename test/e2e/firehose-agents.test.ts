/**
 * firehose > agents: the requests Fluent Bit's `kinesis_firehose` output and the Kinesis Agent send,
 * replayed byte for byte against a server with `--auth sigv4` (neither can be installed here: not in
 * Debian 12, and their release binaries are out of reach), and our answers read the way their code
 * reads them. docs/firehose.md ("Kinesis Agent and Fluent Bit") says what was taken from where.
 *
 * Fluent Bit (plugins/out_kinesis_firehose, src/aws, src/flb_signv4.c, src/flb_http_client.c):
 * - always TLS (its upstream is FLB_IO_TLS; `endpoint` loses an `https://` prefix, `port` sets the port);
 * - headers in its order: Host (`host:port` off 443), Content-Length, User-Agent
 *   `aws-fluent-bit-plugin`, Content-Type `application/x-amz-json-1.1`, X-Amz-Target
 *   `Firehose_20150804.PutRecordBatch`, `x-amz-date`, Authorization; `Connection: keep-alive` is
 *   added after signing. Its signer signs every header present then, lowercased and sorted:
 *   content-length;content-type;host;user-agent;x-amz-date;x-amz-target;
 * - the body written by hand: `{"DeliveryStreamName":"<name>","Records":[{"Data":"<base64>"},…]}`,
 *   each record the event's JSON (with `"<time_key>":"<strftime>"` spliced before its closing
 *   brace) or, with `log_key`, the key's value without its quotes, plus "\n", base64;
 * - the answer: a 200 whose body contains the bytes `"FailedPutCount":0` is success; otherwise the
 *   body is parsed, FailedPutCount must be a non-negative integer and RequestResponses a non-empty
 *   list of objects, any failure retries the whole batch; a non-200 is read for `__type` (its
 *   jsmn reader, first 50 tokens), `ServiceUnavailableException` logged as throughput exceeded.
 *
 * Kinesis Agent (FirehoseSender, AgentContext) over the AWS SDK for Java 1.12 (AmazonHttpClient,
 * AWS4Signer, the JSON protocol marshaller):
 * - `firehose.endpoint` is the client's endpoint (setEndpoint), signing region parsed from it
 *   (us-east-1 for an address), service `firehose`;
 * - headers amz-sdk-invocation-id, amz-sdk-request `attempt=1;max=4`, amz-sdk-retry, Content-Type,
 *   Content-Length, Host, User-Agent `aws-kinesis-agent/<version> aws-sdk-java/1.12.390 …`,
 *   X-Amz-Date, X-Amz-Target, Authorization; all signed but Connection (`Keep-Alive`);
 * - compact JSON body; the answer's RequestResponses read by position, a record sent when its
 *   entry has no ErrorCode; errors read from `__type` and `message`, 5xx and throttles retried.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac, randomUUID } from "node:crypto";
import { connect as netConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { Duplex } from "node:stream";
import { CreateDeliveryStreamCommand, FirehoseClient } from "@aws-sdk/client-firehose";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { startTestServer, type TestCredentials, type TestServer } from "../helpers/server.js";
import { services } from "../../src/server/services.js";
import { firehoseServiceModuleWith } from "../../src/firehose/index.js";
import { createSelfSignedCertificate, type TlsMaterial } from "../../src/server/tls-certificate.js";
import { systemRandom } from "../../src/util/random.js";
import { CredentialsDir, credentialsEntry } from "../auth/sigv4-helpers.js";
import { waitActive } from "../firehose/fixtures.js";

const agentKey: TestCredentials = { accessKeyId: "AKIAAGENTEXAMPLE0001", secretAccessKey: "agent/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const region = "us-east-1";
const roleArn = "arn:aws:iam::000000000000:role/firehose";

let credentials: CredentialsDir;
let tls: TlsMaterial;
let server: TestServer;
let port: number;

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** `20241207T064300Z` and `20241207`: the x-amz-date both clients write (UTC, seconds). */
function amzDate(now: Date): { stamp: string; day: string } {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  return { stamp, day: stamp.slice(0, 8) };
}

/**
 * The Authorization header of SigV4 over `headers` (name → value, as sent) and `body`: every header
 * given is signed, lowercased, values trimmed, sorted by name — what both clients do for a POST to "/".
 */
function authorization(headers: ReadonlyArray<[string, string]>, body: Buffer, key: TestCredentials, day: string, stamp: string, separator: string): string {
  const canonical = headers.map(([name, value]) => [name.toLowerCase(), value.trim().replace(/ +/g, " ")] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = canonical.map(([name]) => name).join(";");
  const canonicalRequest = ["POST", "/", "", ...canonical.map(([name, value]) => `${name}:${value}`), "", signedHeaders, sha256Hex(body)].join("\n");
  const scope = `${day}/${region}/firehose/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", stamp, scope, sha256Hex(canonicalRequest)].join("\n");
  let signingKey: Buffer = createHmac("sha256", `AWS4${key.secretAccessKey}`).update(day).digest();
  for (const part of [region, "firehose", "aws4_request"]) signingKey = createHmac("sha256", signingKey).update(part).digest();
  const signature = createHmac("sha256", signingKey).update(toSign).digest("hex");
  return `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/${scope},${separator}SignedHeaders=${signedHeaders},${separator}Signature=${signature}`;
}

interface Answer {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

/** Writes `request` as it is and reads one HTTP/1.1 answer of declared length. */
function exchange(socket: Duplex, request: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf("\r\n\r\n");
      if (end < 0) return;
      const [statusLine, ...lines] = received.subarray(0, end).toString("latin1").split("\r\n");
      const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()] as [string, string]));
      const length = Number(headers.get("content-length") ?? 0);
      if (received.length < end + 4 + length) return;
      socket.destroy();
      resolve({ status: Number(statusLine!.split(" ")[1]), headers, body: received.subarray(end + 4, end + 4 + length) });
    });
    socket.on("error", reject);
    socket.write(request);
  });
}

/** A request as bytes: the request line, the headers in the order given, a blank line, the body. */
function wire(headers: ReadonlyArray<[string, string]>, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`POST / HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`, "latin1"), body]);
}

// ---- Fluent Bit ----

/** An event's record as process_event makes it: JSON, time_key spliced in before the closing brace, "\n", base64. */
function fluentBitRecord(event: Record<string, unknown>, time: { key: string; text: string } | undefined): string {
  let json = JSON.stringify(event);
  if (time !== undefined) json = `${json.slice(0, -1)},"${time.key}":"${time.text}"}`;
  return Buffer.from(`${json}\n`).toString("base64");
}

/** With log_key: the value's JSON without its surrounding quotes (a string stays escaped as JSON escapes it), then "\n". */
function fluentBitLogKeyRecord(value: string): string {
  return Buffer.from(`${JSON.stringify(value).slice(1, -1)}\n`).toString("base64");
}

/** init_put_payload + write_event × n + end_put_payload, byte for byte. */
function fluentBitBody(deliveryStream: string, records: readonly string[]): Buffer {
  return Buffer.from(`{"DeliveryStreamName":"${deliveryStream}","Records":[${records.map((data) => `{"Data":"${data}"}`).join(",")}]}`);
}

async function fluentBitPut(deliveryStream: string, records: readonly string[], key = agentKey): Promise<Answer> {
  const body = fluentBitBody(deliveryStream, records);
  const { stamp, day } = amzDate(new Date());
  const headers: Array<[string, string]> = [
    ["Host", `127.0.0.1:${port}`],
    ["Content-Length", String(body.length)],
    ["User-Agent", "aws-fluent-bit-plugin"],
    ["Content-Type", "application/x-amz-json-1.1"],
    ["X-Amz-Target", "Firehose_20150804.PutRecordBatch"],
    ["x-amz-date", stamp],
  ];
  headers.push(["Authorization", authorization(headers, body, key, day, stamp, " ")]);
  headers.push(["Connection", "keep-alive"]);
  // tls.verify On with tls.ca_file: the server's certificate, checked against 127.0.0.1; no ALPN.
  const socket = tlsConnect({ host: "127.0.0.1", port, ca: tls.cert });
  await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
  return exchange(socket, wire(headers, body));
}

/** What put_record_batch + process_api_response conclude from an answer. */
function fluentBitOutcome(answer: Answer, recordCount: number): "sent" | "retry" | "parse-error" {
  const payload = answer.body.toString("utf8");
  if (answer.status !== 200) return "retry";
  if (payload.length === 0) return "sent";
  if (payload.includes('"FailedPutCount":0')) return "sent";
  let root: unknown;
  try {
    root = JSON.parse(payload);
  } catch {
    return "parse-error";
  }
  if (root === null || typeof root !== "object" || Array.isArray(root)) return "parse-error";
  const failed = (root as Record<string, unknown>).FailedPutCount;
  if (typeof failed !== "number" || !Number.isInteger(failed) || failed < 0) return "parse-error";
  const responses = (root as Record<string, unknown>).RequestResponses;
  if (failed > 0 && (!Array.isArray(responses) || responses.length === 0 || responses.some((entry) => entry === null || typeof entry !== "object"))) return "parse-error";
  return failed === 0 ? "sent" : failed === recordCount ? "retry" : "retry";
}

/** flb_json_get_val(payload, "__type"): the value after the first string token starting with the key, within 50 tokens. */
function fluentBitErrorType(payload: string): string | undefined {
  const tokens = [...payload.matchAll(/"((?:[^"\\]|\\.)*)"|[-\d.eE+]+|true|false|null/g)].slice(0, 50).map((match) => match[1] ?? match[0]);
  const at = tokens.findIndex((token) => token.startsWith("__type"));
  return at < 0 ? undefined : tokens[at + 1];
}

// ---- Kinesis Agent (AWS SDK for Java 1.12) ----

async function agentPut(deliveryStream: string, lines: readonly string[]): Promise<Answer> {
  const body = Buffer.from(JSON.stringify({ DeliveryStreamName: deliveryStream, Records: lines.map((line) => ({ Data: Buffer.from(line).toString("base64") })) }));
  const { stamp, day } = amzDate(new Date());
  const headers: Array<[string, string]> = [
    ["amz-sdk-invocation-id", randomUUID()],
    ["amz-sdk-request", "attempt=1;max=4"],
    ["amz-sdk-retry", "0/0/500"],
    ["Content-Length", String(body.length)],
    ["Content-Type", "application/x-amz-json-1.1"],
    ["Host", `127.0.0.1:${port}`],
    ["User-Agent", "aws-kinesis-agent/2.0.10 aws-sdk-java/1.12.390 Linux/6.1.0-13-amd64 OpenJDK_64-Bit_Server_VM/17.0.9+9-Debian-1deb12u1 java/17.0.9 vendor/Debian"],
    ["X-Amz-Date", stamp],
    ["X-Amz-Target", "Firehose_20150804.PutRecordBatch"],
  ];
  headers.push(["Authorization", authorization(headers, body, agentKey, day, stamp, " ")]);
  headers.push(["Connection", "Keep-Alive"]);
  const socket = netConnect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  return exchange(socket, wire(headers, body));
}

/** FirehoseSender.attemptSend's reading: the indexes of the records sent (entries without ErrorCode), by position. */
function agentSentIndexes(answer: Answer): number[] {
  const result = JSON.parse(answer.body.toString("utf8")) as { RequestResponses: Array<{ ErrorCode?: string | null }> };
  return result.RequestResponses.flatMap((entry, index) => (entry.ErrorCode === undefined || entry.ErrorCode === null ? [index] : []));
}

// ---- the server and what it delivered ----

async function deliveredText(prefix: string, expectedBytes: number): Promise<string> {
  return (await deliveredObjects(prefix, expectedBytes)).join("");
}

/** The objects under `prefix`, each as text, in key order, once they hold `expectedBytes` in all. */
async function deliveredObjects(prefix: string, expectedBytes: number): Promise<string[]> {
  const s3 = new S3Client({ endpoint: server.url, region, credentials: agentKey, forcePathStyle: true });
  try {
    for (let attempt = 0; attempt < 400; attempt++) {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: "agents", Prefix: prefix }));
      const texts: string[] = [];
      for (const object of listed.Contents ?? []) texts.push(await (await s3.send(new GetObjectCommand({ Bucket: "agents", Key: object.Key }))).Body!.transformToString());
      if (texts.reduce((bytes, text) => bytes + Buffer.byteLength(text), 0) >= expectedBytes) return texts;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the objects under ${prefix} never held ${expectedBytes} bytes`);
  } finally {
    s3.destroy();
  }
}

async function createDeliveryStream(name: string, prefix: string): Promise<void> {
  const firehose = new FirehoseClient({ endpoint: server.url, region, credentials: agentKey });
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: name,
      ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: "arn:aws:s3:::agents", Prefix: prefix, ErrorOutputPrefix: "errors/", BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 1 } },
    }),
  );
  await waitActive(firehose, name);
  firehose.destroy();
}

before(async () => {
  credentials = new CredentialsDir();
  credentials.write([credentialsEntry("agent", agentKey)]);
  tls = createSelfSignedCertificate({ commonName: "tributary", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], nowMs: Date.now(), validityMs: 24 * 3600 * 1000, random: systemRandom });
  server = await startTestServer({ credentialsFile: credentials.path, tls, services: services.map((module) => (module.name === "firehose" ? firehoseServiceModuleWith({ createDelayMs: 0 }) : module)) });
  port = Number(new URL(server.url).port);
  const s3 = new S3Client({ endpoint: server.url, region, credentials: agentKey, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "agents" }));
  s3.destroy();
});

after(async () => {
  await server?.stop();
  credentials?.remove();
});

describe("firehose > agents", () => {
  it("firehose > agents > Fluent Bit's PutRecordBatch (TLS, its signed header set, hand-built body with time_key and log_key records) is taken, answered on its fast path, and delivered", async () => {
    await createDeliveryStream("fluent-bit", "fluent-bit/");
    const events = [
      { log: "GET /index.html 200", source: "stdout" },
      { log: 'quote " and \\ backslash', source: "stderr", nested: { level: 3 } },
    ];
    const time = { key: "time", text: "2024-05-17T13:05:09" };
    const records = [...events.map((event) => fluentBitRecord(event, time)), fluentBitLogKeyRecord("plain line from log_key")];
    const answer = await fluentBitPut("fluent-bit", records);
    assert.equal(answer.status, 200, answer.body.toString());
    assert.equal(answer.headers.get("content-type"), "application/x-amz-json-1.1");
    assert.ok(answer.body.toString().includes('"FailedPutCount":0'), `Fluent Bit looks for the exact bytes "FailedPutCount":0: ${answer.body.toString()}`);
    assert.equal(fluentBitOutcome(answer, records.length), "sent");
    const parsed = JSON.parse(answer.body.toString()) as { RequestResponses: Array<Record<string, unknown>> };
    assert.equal(parsed.RequestResponses.length, records.length);

    const expected = [
      '{"log":"GET /index.html 200","source":"stdout","time":"2024-05-17T13:05:09"}\n',
      '{"log":"quote \\" and \\\\ backslash","source":"stderr","nested":{"level":3},"time":"2024-05-17T13:05:09"}\n',
      "plain line from log_key\n",
    ].join("");
    assert.equal(await deliveredText("fluent-bit/", Buffer.byteLength(expected)), expected);
  });

  it("firehose > agents > Fluent Bit's batch at its own bounds (500 records, the largest record it keeps) is taken whole", async () => {
    await createDeliveryStream("fluent-bit-bounds", "bounds/");
    // process_event discards a record whose JSON plus "\n" reaches MAX_EVENT_SIZE (1,024,000): the largest kept is 1,023,999 bytes.
    const big = { log: "x".repeat(1_023_999 - '{"log":""}\n'.length) };
    assert.equal(Buffer.byteLength(JSON.stringify(big)) + 1, 1_023_999);
    const bigAnswer = await fluentBitPut("fluent-bit-bounds", [fluentBitRecord(big, undefined)]);
    assert.equal(fluentBitOutcome(bigAnswer, 1), "sent", bigAnswer.body.toString());
    // MAX_EVENTS_PER_PUT records in one call, within PUT_RECORD_BATCH_PAYLOAD_SIZE.
    const many = Array.from({ length: 500 }, (_, index) => fluentBitRecord({ log: `line ${index}` }, undefined));
    const manyAnswer = await fluentBitPut("fluent-bit-bounds", many);
    assert.equal(fluentBitOutcome(manyAnswer, 500), "sent", manyAnswer.body.toString());
    const objects = await deliveredObjects("bounds/", 1_023_999 + many.reduce((sum, data) => sum + Buffer.from(data, "base64").length, 0));
    assert.ok(objects.join("").includes(`${JSON.stringify(big)}\n`), "the largest record arrives whole");
    // The buffer may cut the 500 lines into several objects, whose keys (time and a random part)
    // need not sort in delivery order: each object holds a run of them in order, and the runs,
    // put in order by their first line, are the 500 lines once each.
    const lineNumber = (line: string) => Number(/line (\d+)/.exec(line)![1]);
    const runs = objects.map((text) => text.split("\n").filter((line) => line.startsWith('{"log":"line '))).filter((run) => run.length > 0);
    runs.sort((a, b) => lineNumber(a[0]!) - lineNumber(b[0]!));
    assert.deepEqual(runs.flat(), many.map((_, index) => `{"log":"line ${index}"}`));
  });

  it("firehose > agents > Fluent Bit reads our errors' __type with its token reader: a missing stream, a bad signature", async () => {
    const missing = await fluentBitPut("no-such-stream", [fluentBitRecord({ log: "x" }, undefined)]);
    assert.equal(missing.status, 400);
    assert.equal(fluentBitErrorType(missing.body.toString()), "ResourceNotFoundException");
    assert.equal(fluentBitOutcome(missing, 1), "retry");
    const badKey = await fluentBitPut("fluent-bit", [fluentBitRecord({ log: "x" }, undefined)], { ...agentKey, secretAccessKey: "wrong" });
    assert.equal(badKey.status, 400, badKey.body.toString());
    assert.equal(fluentBitErrorType(badKey.body.toString()), "InvalidSignatureException");
  });

  it("firehose > agents > the Kinesis Agent's PutRecordBatch (AWS SDK for Java 1.12: amz-sdk-* headers signed, Connection not) is taken, every entry reads as sent, and the lines are delivered", async () => {
    await createDeliveryStream("kinesis-agent", "agent/");
    const lines = ["127.0.0.1 - - [17/May/2024:13:05:09 +0000] \"GET / HTTP/1.1\" 200 612\n", "127.0.0.1 - - [17/May/2024:13:05:10 +0000] \"GET /favicon.ico HTTP/1.1\" 404 153\n"];
    const answer = await agentPut("kinesis-agent", lines);
    assert.equal(answer.status, 200, answer.body.toString());
    assert.match(answer.headers.get("x-amzn-requestid") ?? "", /^[0-9a-f-]{36}$/, "the SDK reads the request id from x-amzn-RequestId");
    assert.deepEqual(agentSentIndexes(answer), [0, 1]);
    const result = JSON.parse(answer.body.toString()) as { FailedPutCount: number; Encrypted: boolean; RequestResponses: Array<{ RecordId: string }> };
    assert.equal(result.FailedPutCount, 0);
    assert.equal(typeof result.Encrypted, "boolean");
    assert.ok(result.RequestResponses.every((entry) => typeof entry.RecordId === "string" && entry.RecordId.length > 0));
    assert.equal(await deliveredText("agent/", Buffer.byteLength(lines.join(""))), lines.join(""));
  });
});

describe("firehose > agents > a full backlog", () => {
  let throttled: TestServer;
  let savedPort: number;
  let savedServer: TestServer;

  before(async () => {
    // Delivery off and a one-byte backlog bound: the first batch is taken, the next refused.
    throttled = await startTestServer({ credentialsFile: credentials.path, tls, services: services.map((module) => (module.name === "firehose" ? firehoseServiceModuleWith({ createDelayMs: 0, backlogBytesMax: 1, deliveryEnabled: false }) : module)) });
    savedPort = port;
    savedServer = server;
    server = throttled;
    port = Number(new URL(throttled.url).port);
    const s3 = new S3Client({ endpoint: throttled.url, region, credentials: agentKey, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "agents" }));
    s3.destroy();
    await createDeliveryStream("throttled", "throttled/");
  });

  after(async () => {
    server = savedServer;
    port = savedPort;
    await throttled?.stop();
  });

  it("firehose > agents > a full backlog > ServiceUnavailableException reaches Fluent Bit as its throughput error and the Agent's SDK as a retriable 503", async () => {
    const first = await fluentBitPut("throttled", [fluentBitRecord({ log: "first" }, undefined)]);
    assert.equal(fluentBitOutcome(first, 1), "sent", first.body.toString());
    const refused = await fluentBitPut("throttled", [fluentBitRecord({ log: "second" }, undefined)]);
    assert.equal(refused.status, 503);
    assert.equal(fluentBitErrorType(refused.body.toString()), "ServiceUnavailableException", "Fluent Bit compares __type to ServiceUnavailableException exactly");
    assert.equal(fluentBitOutcome(refused, 1), "retry");
    const agent = await agentPut("throttled", ["line\n"]);
    assert.equal(agent.status, 503, "a 5xx: the SDK's default retry policy retries it");
    assert.deepEqual(JSON.parse(agent.body.toString()), { __type: "ServiceUnavailableException", message: "Slow down." });
  });
});
