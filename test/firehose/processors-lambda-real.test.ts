/**
 * firehose > processors > Lambda against a real function: Firehose's transformation event reaches a
 * Node handler in its sandbox through the app's FunctionInvoker, and its Ok / Dropped /
 * ProcessingFailed answers shape what goes on.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { zipOf } from "../helpers/zip.js";
import { createActive, role } from "../lambda/api-fixtures.js";
import { createProcessors } from "../../src/firehose/processors/index.js";
import type { LambdaInstance } from "../../src/lambda/index.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { systemClock } from "../../src/util/clock.js";

// AWS's guide shape: decode, decide, answer each record with its recordId.
const transform = `
export const handler = async (event) => ({
  records: event.records.map((record) => {
    const text = Buffer.from(record.data, "base64").toString();
    if (text === "drop") return { recordId: record.recordId, result: "Dropped", data: record.data };
    if (text === "fail") return { recordId: record.recordId, result: "ProcessingFailed", data: record.data };
    return { recordId: record.recordId, result: "Ok", data: Buffer.from(text.toUpperCase() + "|" + event.deliveryStreamArn).toString("base64") };
  }),
});
`;

describe("firehose > processors > Lambda, a real function", () => {
  let server: TestServer;
  let client: LambdaClient;
  before(async () => {
    server = await startTestServer();
    client = new LambdaClient({ endpoint: server.url, region: server.region, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } });
    await createActive(client, { FunctionName: "transform", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: zipOf({ "index.mjs": transform }) } });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  it("transforms, drops and fails records as the function answers", async () => {
    const deliveryStreamArn = `arn:aws:firehose:${server.region}:${server.accountId}:deliverystream/real`;
    const functionInvoker = server.app!.service<LambdaInstance>("lambda")!.functionInvoker;
    const [processor] = createProcessors(
      { Enabled: true, Processors: [{ Type: "Lambda", Parameters: [{ ParameterName: "LambdaArn", ParameterValue: `arn:aws:lambda:${server.region}:${server.accountId}:function:transform` }] }] },
      { accountId: server.accountId, region: server.region, deliveryStreamArn, functionInvoker, clock: systemClock, random: new SeededRandom(3), logger: silentLogger },
    );
    const input = ["keep", "drop", "fail", "also"].map((text, i) => ({ recordId: `r${i}`, data: Buffer.from(text), approximateArrivalTimestampMs: 1_700_000_000_000 + i }));
    const outcome = await processor!.process(input);
    assert.deepEqual(outcome.ok.map((record) => [record.recordId, record.data.toString()]), [
      ["r0", `KEEP|${deliveryStreamArn}`],
      ["r3", `ALSO|${deliveryStreamArn}`],
    ]);
    assert.equal(outcome.droppedCount, 1);
    assert.deepEqual(outcome.failed.map((record) => [record.recordId, record.errorCode, record.rawData.toString()]), [["r2", "Lambda.ProcessingFailedStatus", "fail"]]);
  });
});
