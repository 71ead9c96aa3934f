/**
 * An Analytics application on two Tributary nodes over one engine (two apps, one memory engine
 * seen as a shared one): it runs on one node only; when that node stops, the other takes its
 * lease and resumes from the final checkpoint, and the output holds every row once.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateApplicationCommand, DescribeApplicationCommand, StartApplicationCommand } from "@aws-sdk/client-kinesis-analytics";
import { createMemoryEngine } from "../../src/storage/index.js";
import type { AnalyticsService } from "../../src/analytics/service.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { kinesisClient, type TestServer } from "../helpers/server.js";
import { createActiveStream } from "../helpers/streams.js";
import { waitFor } from "../helpers/wait.js";
import { analyticsClient, kinesisInput, readStreamText, roleArn, startAnalyticsServer, streamArnOf } from "../analytics/api/fixtures.js";
import { nodeEngine } from "./cluster-helpers.js";

const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(8), PRICE DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TICKER, PRICE FROM "SOURCE_SQL_STREAM_001" WHERE PRICE > 10;`;

function runnerOn(server: TestServer) {
  return server.app!.service<AnalyticsService>("analytics")!.runtime.runner(server.accountId, "clustered");
}

describe("cluster > analytics applications over two nodes", () => {
  const shared = createMemoryEngine(systemRandom);
  let a: TestServer;
  let b: TestServer;
  let kinesis: KinesisClient;
  before(async () => {
    a = await startAnalyticsServer({ storage: nodeEngine(shared).engine, random: new SeededRandom(1), analytics: { checkpointIntervalMs: 200 } });
    b = await startAnalyticsServer({ storage: nodeEngine(shared).engine, random: new SeededRandom(2), analytics: { checkpointIntervalMs: 200 } });
    kinesis = kinesisClient(b);
  });
  after(async () => {
    await a.stop();
    await b.stop();
  });

  const put = (records: { ticker: string; price: number }[]) =>
    kinesis.send(new PutRecordsCommand({ StreamName: "cluster-in", Records: records.map((record, index) => ({ PartitionKey: `k${index}`, Data: Buffer.from(JSON.stringify(record)) })) }));
  const tickers = async () => (await readStreamText(kinesis, "cluster-out")).map((text) => (JSON.parse(text) as { TICKER: string }).TICKER).sort();

  it("runs on one node, and on the other from its checkpoint once that node stops", async () => {
    const client = analyticsClient(a);
    await createActiveStream(kinesis, "cluster-in", 2);
    await createActiveStream(kinesis, "cluster-out", 1);
    await client.send(
      new CreateApplicationCommand({
        ApplicationName: "clustered",
        Inputs: [kinesisInput(streamArnOf(a, "cluster-in"))],
        Outputs: [{ Name: "DESTINATION_SQL_STREAM", KinesisStreamsOutput: { ResourceARN: streamArnOf(a, "cluster-out"), RoleARN: roleArn }, DestinationSchema: { RecordFormatType: "JSON" } }],
        ApplicationCode: code,
      }),
    );
    await client.send(new StartApplicationCommand({ ApplicationName: "clustered", InputConfigurations: [{ Id: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: "TRIM_HORIZON" } }] }));
    await waitFor("RUNNING", async () => (await client.send(new DescribeApplicationCommand({ ApplicationName: "clustered" }))).ApplicationDetail!.ApplicationStatus === "RUNNING");
    await put([{ ticker: "AAA", price: 20 }, { ticker: "LOW", price: 1 }, { ticker: "BBB", price: 30 }]);
    await waitFor("the first rows", async () => (await tickers()).length >= 2);
    await waitFor("a runner on one node", () => runnerOn(a) !== undefined || runnerOn(b) !== undefined);
    // Both runtimes look at every application each second: still one runner after a few looks.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const [holder, other] = runnerOn(a) !== undefined ? [a, b] : [b, a];
    assert.ok(runnerOn(holder));
    assert.equal(runnerOn(other), undefined, "the application runs on one node only");

    await holder.stop();
    await put([{ ticker: "CCC", price: 40 }, { ticker: "DDD", price: 50 }]);
    await waitFor("the other node runs the application", () => runnerOn(other) !== undefined, 20_000);
    await waitFor("the later rows", async () => (await tickers()).includes("DDD"), 20_000);
    assert.deepEqual(await tickers(), ["AAA", "BBB", "CCC", "DDD"], "every row once");
  });
});
