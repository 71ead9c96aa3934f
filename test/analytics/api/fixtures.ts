/** A test server with Analytics (status delays of the test's choosing) and the SDK clients for it. */
import { KinesisAnalyticsClient } from "@aws-sdk/client-kinesis-analytics";
import { startTestServer, exampleCredentials, type TestServer, type TestServerOptions } from "../../helpers/server.js";
import { services } from "../../../src/server/services.js";
import { analyticsServiceModuleWith, type AnalyticsOptions } from "../../../src/analytics/index.js";

export const roleArn = "arn:aws:iam::000000000000:role/analytics-role";

export async function startAnalyticsServer(options: TestServerOptions & { analytics?: Partial<AnalyticsOptions> } = {}): Promise<TestServer> {
  const analytics = analyticsServiceModuleWith({ startDelayMs: 0, stopDelayMs: 0, updateDelayMs: 0, deleteDelayMs: 0, ...options.analytics });
  return startTestServer({ ...options, services: services.map((module) => (module.name === "analytics" ? analytics : module)) });
}

export function analyticsClient(server: TestServer): KinesisAnalyticsClient {
  return new KinesisAnalyticsClient({ endpoint: server.url, region: server.region, credentials: exampleCredentials, maxAttempts: 1 });
}

/** The error a call rejects with: its name, message and HTTP status. */
export async function errorOf(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, message: failure.message, status: failure.$metadata?.httpStatusCode };
  }
  throw new Error("the call succeeded");
}

/** A JSON input over a Kinesis stream: two columns, the default mapping paths. */
export function kinesisInput(streamArn: string, namePrefix = "SOURCE_SQL_STREAM") {
  return {
    NamePrefix: namePrefix,
    KinesisStreamsInput: { ResourceARN: streamArn, RoleARN: roleArn },
    InputSchema: {
      RecordFormat: { RecordFormatType: "JSON" as const, MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } } },
      RecordEncoding: "UTF-8",
      RecordColumns: [
        { Name: "TICKER", Mapping: "$.ticker", SqlType: "VARCHAR(8)" },
        { Name: "PRICE", Mapping: "$.price", SqlType: "DOUBLE" },
      ],
    },
  };
}

export function streamArnOf(server: TestServer, name: string): string {
  return `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`;
}

/** Every record of every shard of a stream, from its oldest, decoded as UTF-8 text (all shards, in shard order). */
export async function readStreamText(kinesis: import("@aws-sdk/client-kinesis").KinesisClient, streamName: string): Promise<string[]> {
  const { ListShardsCommand, GetShardIteratorCommand } = await import("@aws-sdk/client-kinesis");
  const { readToTip } = await import("../../helpers/streams.js");
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const out: string[] = [];
  for (const shard of shards) {
    const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }));
    for (const record of await readToTip(kinesis, ShardIterator!)) out.push(Buffer.from(record.Data!).toString("utf8"));
  }
  return out;
}
