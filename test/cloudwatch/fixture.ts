/**
 * A server for the CloudWatch tests: the app's own services plus a test module that hands over
 * `deps.metrics` (the recorder every service records through), on a ManualClock so samples land
 * in known seconds and minutes. Clients of @aws-sdk/client-cloudwatch in each of the three
 * protocols CloudWatch speaks, and raw requests for what an SDK would not send.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from "@aws-sdk/core/protocols";
import { encode, Token, Type } from "cborg";
import { exampleCredentials, startTestServer, type TestServer, type TestServerOptions } from "../helpers/server.js";
import { services } from "../../src/server/services.js";
import type { AppServiceModule } from "../../src/server/services.js";
import type { Metrics, MetricId, MetricUnit } from "../../src/core/metrics.js";
import { ManualClock } from "../../src/util/clock.js";

export type Protocol = "json" | "query" | "cbor";
export const protocols: readonly Protocol[] = ["json", "query", "cbor"];

/** 2026-03-01T00:00:00Z: a whole hour, so minutes and periods are easy to read. */
export const startMs = Date.parse("2026-03-01T00:00:00Z");

export interface CloudWatchTestServer extends TestServer {
  clock: ManualClock;
  metrics: Metrics;
  /** Records `value` into the series at the clock's current time. */
  record(id: MetricId, unit: MetricUnit, value: number): void;
}

export async function startCloudWatchServer(options: TestServerOptions = {}): Promise<CloudWatchTestServer> {
  // A test that signs its requests passes the real clock (SigV4 compares the signature's time with the server's); it moves no time.
  const clock = (options.clock ?? new ManualClock(startMs)) as ManualClock;
  let metrics: Metrics | undefined;
  const recorder: AppServiceModule = {
    name: "test-metrics-recorder",
    create: (deps) => {
      metrics = deps.metrics;
      return { start: async () => {}, stop: async () => {} };
    },
  };
  const server = await startTestServer({ ...options, clock, services: [...services, recorder] });
  return { ...server, clock, metrics: metrics!, record: (id, unit, value) => metrics!.series(id, unit).observe(value) };
}

const protocolSettings = {
  defaultNamespace: "com.amazonaws.cloudwatch",
  xmlNamespace: "http://monitoring.amazonaws.com/doc/2010-08-01/",
  version: "2010-08-01",
  serviceTarget: "GraniteServiceVersion20100801",
  awsQueryCompatible: true,
};

/** The SDK's client in one protocol: its default (awsJson1_0), or the query or RPC v2 CBOR protocol it also carries. */
export function cloudWatchClient(server: TestServer, protocol: Protocol, credentials = exampleCredentials): CloudWatchClient {
  const chosen = protocol === "json" ? {} : { protocol: protocol === "query" ? AwsQueryProtocol : AwsSmithyRpcV2CborProtocol, protocolSettings };
  return new CloudWatchClient({ endpoint: server.url, region: server.region, credentials, maxAttempts: 1, ...(chosen as object) });
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** An unsigned request (the server runs `--auth none`). */
export async function raw(server: TestServer, path: string, headers: Record<string, string>, body: Buffer | string): Promise<RawAnswer> {
  const response = await fetch(new URL(path, server.url), { method: "POST", headers, body: typeof body === "string" ? body : new Uint8Array(body) });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

export function rawJson(server: TestServer, action: string, input: unknown): Promise<RawAnswer> {
  return raw(server, "/", { "content-type": "application/x-amz-json-1.0", "x-amz-target": `GraniteServiceVersion20100801.${action}` }, JSON.stringify(input));
}

export function rawQuery(server: TestServer, parameters: Record<string, string>): Promise<RawAnswer> {
  return raw(server, "/", { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, new URLSearchParams(parameters).toString());
}

export function rawCbor(server: TestServer, action: string, input: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return raw(
    server,
    `/service/GraniteServiceVersion20100801/operation/${action}`,
    { "smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor", accept: "application/cbor", ...headers },
    Buffer.from(encode(input, { typeEncoders: { Date: timestampTag }, float64: true })),
  );
}

/** RPC v2 CBOR's timestamp: tag 1 over epoch seconds, a float when there is a fraction. */
function timestampTag(date: Date): Token[] {
  const seconds = date.getTime() / 1000;
  return [new Token(Type.tag, 1), Number.isInteger(seconds) ? new Token(Type.uint, seconds) : new Token(Type.float, seconds)];
}

export const ordersIncoming: MetricId = { Namespace: "AWS/Kinesis", MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: "orders" }] };
