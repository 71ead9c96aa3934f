/**
 * A running application end to end: records put into a Kinesis stream go through the SQL and come
 * out of the output stream — a filter and project, a one-minute tumbling aggregate that closes on
 * the watermark without further records, rows that fail to parse in error_stream, a code update
 * while running, and a stop and restart from LAST_STOPPED_POINT that neither loses nor repeats rows.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import {
  CreateApplicationCommand,
  DescribeApplicationCommand,
  StartApplicationCommand,
  StopApplicationCommand,
  UpdateApplicationCommand,
  type KinesisAnalyticsClient,
} from "@aws-sdk/client-kinesis-analytics";
import { kinesisClient, type TestServer } from "../../helpers/server.js";
import { createActiveStream } from "../../helpers/streams.js";
import { waitFor } from "../../helpers/wait.js";
import { analyticsClient, kinesisInput, readStreamText, roleArn, startAnalyticsServer, streamArnOf } from "./fixtures.js";

let server: TestServer;
let client: KinesisAnalyticsClient;
let kinesis: KinesisClient;
before(async () => {
  server = await startAnalyticsServer({ analytics: { checkpointIntervalMs: 200 } });
  client = analyticsClient(server);
  kinesis = kinesisClient(server);
});
after(() => server.stop());

const output = (name: string, stream: string, format: "JSON" | "CSV" = "JSON") => ({
  Name: name,
  KinesisStreamsOutput: { ResourceARN: streamArnOf(server, stream), RoleARN: roleArn },
  DestinationSchema: { RecordFormatType: format },
});

async function put(stream: string, records: unknown[]): Promise<void> {
  await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: records.map((record, index) => ({ PartitionKey: `k${index}`, Data: Buffer.from(typeof record === "string" ? record : JSON.stringify(record)) })) }));
}

async function startFrom(name: string, position: "NOW" | "TRIM_HORIZON" | "LAST_STOPPED_POINT"): Promise<void> {
  await client.send(new StartApplicationCommand({ ApplicationName: name, InputConfigurations: [{ Id: "1.1", InputStartingPositionConfiguration: { InputStartingPosition: position } }] }));
}

const filterCode = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(8), PRICE DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TICKER, PRICE FROM "SOURCE_SQL_STREAM_001" WHERE PRICE > 10;`;

describe("a running application", () => {
  it("filters and projects records from its input stream to its output stream, bad records to error_stream", async () => {
    await createActiveStream(kinesis, "filter-in", 2);
    await createActiveStream(kinesis, "filter-out", 1);
    await createActiveStream(kinesis, "filter-errors", 1);
    await client.send(
      new CreateApplicationCommand({
        ApplicationName: "filter",
        Inputs: [kinesisInput(streamArnOf(server, "filter-in"))],
        Outputs: [output("DESTINATION_SQL_STREAM", "filter-out"), output("error_stream", "filter-errors")],
        ApplicationCode: filterCode,
      }),
    );
    await put("filter-in", [{ ticker: "EARLY", price: 50 }]);
    await startFrom("filter", "TRIM_HORIZON");
    await put("filter-in", [{ ticker: "AAA", price: 5 }, { ticker: "BBB", price: 15.5 }, "not json", { ticker: "CCC", price: 11 }]);
    await waitFor("three rows in the output", async () => (await readStreamText(kinesis, "filter-out")).length >= 3);
    const rows = (await readStreamText(kinesis, "filter-out")).map((text) => JSON.parse(text) as { TICKER: string; PRICE: number });
    assert.deepEqual(rows.map((row) => row.TICKER).sort(), ["BBB", "CCC", "EARLY"]);
    assert.deepEqual(rows.find((row) => row.TICKER === "BBB"), { TICKER: "BBB", PRICE: 15.5 });
    await waitFor("the bad record in error_stream", async () => (await readStreamText(kinesis, "filter-errors")).length >= 1);
    const [error] = (await readStreamText(kinesis, "filter-errors")).map((text) => JSON.parse(text) as Record<string, unknown>);
    assert.equal(error!.ERROR_LEVEL, "WARNING");
    assert.equal(error!.DATA_ROW, Buffer.from("not json").toString("hex").toUpperCase());
  });

  it("closes a tumbling window on time, without a later record", async () => {
    await createActiveStream(kinesis, "agg-in", 1);
    await createActiveStream(kinesis, "agg-out", 1);
    const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(8), N INTEGER, TOTAL DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TICKER, COUNT(*), SUM(PRICE) FROM "SOURCE_SQL_STREAM_001"
  GROUP BY TICKER, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);`;
    await client.send(new CreateApplicationCommand({ ApplicationName: "agg", Inputs: [kinesisInput(streamArnOf(server, "agg-in"))], Outputs: [output("DESTINATION_SQL_STREAM", "agg-out", "CSV")], ApplicationCode: code }));
    await startFrom("agg", "NOW");
    await waitFor("agg RUNNING", async () => (await client.send(new DescribeApplicationCommand({ ApplicationName: "agg" }))).ApplicationDetail!.ApplicationStatus === "RUNNING");
    await put("agg-in", [{ ticker: "X", price: 1 }, { ticker: "X", price: 2 }, { ticker: "Y", price: 3 }]);
    // Records put in one call share an arrival second; their window closes within a second or two.
    await waitFor("the window's rows", async () => (await readStreamText(kinesis, "agg-out")).length >= 2, 10_000);
    const rows = (await readStreamText(kinesis, "agg-out")).sort();
    assert.deepEqual(rows, ["X,2,3.0", "Y,1,3.0"]);
  });

  it("runs new code after UpdateApplication, and resumes from LAST_STOPPED_POINT without losing or repeating rows", async () => {
    await put("filter-in", [{ ticker: "DDD", price: 20 }]);
    await waitFor("DDD out", async () => (await readStreamText(kinesis, "filter-out")).some((text) => text.includes("DDD")));
    const { ApplicationDetail } = await client.send(new DescribeApplicationCommand({ ApplicationName: "filter" }));
    await client.send(
      new UpdateApplicationCommand({ ApplicationName: "filter", CurrentApplicationVersionId: ApplicationDetail!.ApplicationVersionId!, ApplicationUpdate: { ApplicationCodeUpdate: filterCode.replace("> 10", "> 100") } }),
    );
    await waitFor("filter RUNNING", async () => (await client.send(new DescribeApplicationCommand({ ApplicationName: "filter" }))).ApplicationDetail!.ApplicationStatus === "RUNNING");
    await put("filter-in", [{ ticker: "SMALL", price: 50 }, { ticker: "BIG", price: 500 }]);
    await waitFor("BIG out", async () => (await readStreamText(kinesis, "filter-out")).some((text) => text.includes("BIG")));
    await client.send(new StopApplicationCommand({ ApplicationName: "filter" }));
    await waitFor("filter READY", async () => (await client.send(new DescribeApplicationCommand({ ApplicationName: "filter" }))).ApplicationDetail!.ApplicationStatus === "READY");
    await put("filter-in", [{ ticker: "STOPPED", price: 700 }]);
    await startFrom("filter", "LAST_STOPPED_POINT");
    await put("filter-in", [{ ticker: "AFTER", price: 900 }]);
    await waitFor("AFTER out", async () => (await readStreamText(kinesis, "filter-out")).some((text) => text.includes("AFTER")));
    const tickers = (await readStreamText(kinesis, "filter-out")).map((text) => (JSON.parse(text) as { TICKER: string }).TICKER).sort();
    assert.deepEqual(tickers, ["AFTER", "BBB", "BIG", "CCC", "DDD", "EARLY", "STOPPED"]);
  });
});
