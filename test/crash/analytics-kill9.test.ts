/**
 * kill -9 of a server running an Analytics application: `tributary server` (the sources through
 * tsx, leader of its own process group, embedded storage, fsync always) runs a one-second tumbling
 * aggregate (COUNT and SUM per window of ROWTIME) from a two-shard input stream to an output stream,
 * started at TRIM_HORIZON; writers put uniquely numbered records. The group is killed twice at
 * random moments under load (after the application has taken a checkpoint: every 5 s) and started
 * again at once on the same data directory; the runtime resumes the application from its checkpoint.
 * Then the writers stop, the last windows close, and the output is read: no window appears twice,
 * and together the windows count and sum exactly the records in the input stream (every record the
 * input holds, acknowledged or written by a request the kill cut off) — none lost, none counted twice.
 *
 * The kill moments come from a seed printed in the test's name; replay with TRIBUTARY_ANALYTICS_CRASH_SEED=<seed>.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { CreateApplicationCommand, DescribeApplicationCommand, KinesisAnalyticsClient, StartApplicationCommand } from "@aws-sdk/client-kinesis-analytics";
import { killGroup, startGroupServer } from "../cli/process-group.js";
import { exampleCredentials } from "../helpers/server.js";
import { seeded } from "../helpers/seeded.js";
import { sleep, waitFor } from "../helpers/wait.js";

const seed = Number(process.env.TRIBUTARY_ANALYTICS_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const roleArn = "arn:aws:iam::000000000000:role/analytics-role";
const recordsPerBatch = 100;
/** The runtime's checkpoint interval (AnalyticsOptions.checkpointIntervalMs's default): a kill comes after one. */
const checkpointIntervalMs = 5000;

interface Life {
  pgid: number;
  output(): string;
  exited: Promise<unknown>;
  kinesis: KinesisClient;
  analytics: KinesisAnalyticsClient;
}

const dataDir = mkdtempSync(join(tmpdir(), "tributary-analytics-crash-"));
const lives: Life[] = [];
let finished = false;
after(() => {
  finished = true;
  for (const life of lives) {
    life.kinesis.destroy();
    life.analytics.destroy();
    killGroup(life.pgid);
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<Life> {
  // The server leads its own process group, killed as a whole as a supervisor would.
  const group = startGroupServer("sources", ["--port", "0", "--data-dir", dataDir, "--storage", "embedded", "--fsync", "always", "--limits", "off", "--functions", "off", "--log-level", "warn", "--create-stream-ms", "0"]);
  const url = await group.ready;
  const options = { endpoint: url, region: "us-east-1", credentials: exampleCredentials, maxAttempts: 1 };
  const life: Life = { pgid: group.pgid, output: () => group.stderr() + group.stdout(), exited: group.exited, kinesis: new KinesisClient(options), analytics: new KinesisAnalyticsClient(options) };
  lives.push(life);
  return life;
}

class Writer {
  private n = 0;
  stopped = false;
  acked = 0;

  constructor(private readonly current: () => Life) {}

  async run(): Promise<void> {
    while (!this.stopped && !finished) {
      const numbers = Array.from({ length: recordsPerBatch }, () => ++this.n);
      try {
        const answer = await this.current().kinesis.send(new PutRecordsCommand({ StreamName: "crash-in", Records: numbers.map((v) => ({ PartitionKey: String(v), Data: Buffer.from(JSON.stringify({ v })) })) }));
        this.acked += numbers.length - (answer.FailedRecordCount ?? 0);
      } catch {
        await sleep(50);
      }
      await sleep(5);
    }
  }
}

/** Every record of a stream, all shards. */
async function readAll(kinesis: KinesisClient, stream: string): Promise<{ data: string; arrivalMs: number }[]> {
  const out: { data: string; arrivalMs: number }[] = [];
  for (const shard of (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? []) {
    let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    while (iterator !== undefined) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) out.push({ data: Buffer.from(record.Data!).toString("utf8"), arrivalMs: record.ApproximateArrivalTimestamp!.getTime() });
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (WINDOW_START TIMESTAMP, N BIGINT, TOTAL BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND), COUNT(*), SUM(V)
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);`;

describe("crash > analytics > kill -9 of a server running a tumbling-window application", () => {
  it(`no window is written twice and none is lost: the windows count and sum the input exactly (seed ${seed})`, { timeout: 300_000 }, async (t) => {
    const random = seeded(seed);
    let life = await start();
    for (const [name, shards] of [["crash-in", 2], ["crash-out", 1]] as const) {
      await life.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
      await waitFor(`${name} ACTIVE`, async () => (await life.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary?.StreamStatus === "ACTIVE");
    }
    const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
    await life.analytics.send(
      new CreateApplicationCommand({
        ApplicationName: "crash-app",
        Inputs: [
          {
            NamePrefix: "SOURCE_SQL_STREAM",
            KinesisStreamsInput: { ResourceARN: arn("crash-in"), RoleARN: roleArn },
            InputSchema: { RecordFormat: { RecordFormatType: "JSON", MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } } }, RecordColumns: [{ Name: "V", Mapping: "$.v", SqlType: "BIGINT" }] },
          },
        ],
        Outputs: [{ Name: "DESTINATION_SQL_STREAM", KinesisStreamsOutput: { ResourceARN: arn("crash-out"), RoleARN: roleArn }, DestinationSchema: { RecordFormatType: "JSON" } }],
        ApplicationCode: code,
      }),
    );
    await life.analytics.send(new StartApplicationCommand({ ApplicationName: "crash-app", InputConfigurations: [{ Id: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: "TRIM_HORIZON" } }] }));
    await waitFor("RUNNING", async () => (await life.analytics.send(new DescribeApplicationCommand({ ApplicationName: "crash-app" }))).ApplicationDetail?.ApplicationStatus === "RUNNING");
    const writers = [new Writer(() => life), new Writer(() => life)];
    const writing = writers.map((writer) => writer.run());
    const outputCount = async () => (await readAll(life.kinesis, "crash-out")).length;

    for (const kill of [1, 2]) {
      // Past a checkpoint of this life, then a random moment within the next interval.
      const windowsBefore = await outputCount();
      await waitFor(`windows written in life ${kill}`, async () => (await outputCount()) >= windowsBefore + 2, 60_000, 100);
      await sleep(checkpointIntervalMs + random(checkpointIntervalMs));
      t.diagnostic(`kill ${kill}: ${writers.reduce((sum, writer) => sum + writer.acked, 0)} acknowledged, ${await outputCount()} windows written`);
      killGroup(life.pgid);
      await life.exited;
      life = await start();
    }
    await sleep(2000);
    for (const writer of writers) writer.stopped = true;
    await Promise.all(writing);

    const input = await readAll(life.kinesis, "crash-in");
    const expectedSum = input.reduce((sum, record) => sum + (JSON.parse(record.data) as { v: number }).v, 0);
    const lastArrivalMs = input.reduce((max, record) => Math.max(max, record.arrivalMs), 0);
    const windows = () => readAll(life.kinesis, "crash-out").then((records) => records.map((record) => JSON.parse(record.data) as { WINDOW_START: string; N: number; TOTAL: number }));
    // The last window closes once the watermark passes its end (the input is idle).
    await waitFor("the last window", async () => (await windows()).reduce((sum, row) => sum + row.N, 0) >= input.length, 60_000, 200).catch(() => undefined);
    const rows = await windows();
    const starts = rows.map((row) => row.WINDOW_START);
    const repeated = starts.filter((start, index) => starts.indexOf(start) !== index);
    t.diagnostic(`${input.length} input records (last arrival ${new Date(lastArrivalMs).toISOString()}), ${rows.length} windows`);
    if (repeated.length > 0 || rows.reduce((sum, row) => sum + row.N, 0) !== input.length) t.diagnostic(`last server's output: ${life.output().slice(-3000)}`);
    assert.deepEqual(repeated, [], "windows written twice");
    assert.equal(rows.reduce((sum, row) => sum + row.N, 0), input.length, "records counted");
    assert.equal(rows.reduce((sum, row) => sum + row.TOTAL, 0), expectedSum, "values summed");
  });
});
