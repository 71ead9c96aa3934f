/**
 * CloudWatch's three protocols on the wire, as raw requests an SDK would not send or does not
 * show: the JSON 1.0 error envelope with its awsQueryCompatible header, the query protocol's XML
 * answers and errors, RPC v2 CBOR built from the Smithy specification (tag 1 timestamps in
 * seconds, the smithy-protocol header, the path forms), which requests are CloudWatch's at all,
 * and SigV4 with IAM under `--auth sigv4`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decode, type TagDecoder } from "cborg";
import { GetMetricStatisticsCommand, ListMetricsCommand, type Statistic } from "@aws-sdk/client-cloudwatch";
import { protocolOf } from "../../src/cloudwatch/protocols/protocol.js";
import { systemClock } from "../../src/util/clock.js";
import { cloudWatchClient, ordersIncoming, protocols, raw, rawCbor, rawJson, rawQuery, startCloudWatchServer, startMs, type CloudWatchTestServer } from "./fixture.js";

const minuteMs = 60_000;
let server: CloudWatchTestServer;
before(async () => {
  server = await startCloudWatchServer();
  server.record(ordersIncoming, "Count", 2);
  server.record(ordersIncoming, "Count", 4);
  server.clock.advance(minuteMs);
});
after(() => server.stop());

const statisticsQuery = {
  Namespace: "AWS/Kinesis",
  MetricName: "IncomingRecords",
  Dimensions: [{ Name: "StreamName", Value: "orders" }],
  Period: 60,
  Statistics: ["Sum", "Maximum"] as Statistic[],
};

describe("cloudwatch > protocols > JSON 1.0", () => {
  it("answers timestamps as epoch seconds in application/x-amz-json-1.0", async () => {
    const answer = await rawJson(server, "GetMetricStatistics", { ...statisticsQuery, StartTime: startMs / 1000, EndTime: startMs / 1000 + 300 });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("content-type"), "application/x-amz-json-1.0");
    assert.match(answer.headers.get("x-amzn-requestid")!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(JSON.parse(answer.body.toString()), { Label: "IncomingRecords", Datapoints: [{ Timestamp: startMs / 1000, Sum: 6, Maximum: 4, Unit: "Count" }] });
  });

  it("answers errors with the model's __type and x-amzn-query-error Code;Sender", async () => {
    const answer = await rawJson(server, "GetMetricStatistics", { ...statisticsQuery, StartTime: startMs / 1000, EndTime: startMs / 1000, Period: 60 });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers.get("x-amzn-query-error"), "InvalidParameterValue;Sender");
    assert.deepEqual(JSON.parse(answer.body.toString()), {
      __type: "com.amazonaws.cloudwatch#InvalidParameterValueException",
      message: "The parameter StartTime must not equal parameter EndTime.",
    });
  });

  it("answers a value of the wrong type, a malformed body and an operation it does not serve", async () => {
    const wrongType = await rawJson(server, "GetMetricStatistics", { ...statisticsQuery, Period: "60", StartTime: 0, EndTime: 60 });
    assert.equal(wrongType.status, 400);
    assert.deepEqual(JSON.parse(wrongType.body.toString()), { __type: "com.amazon.coral.service#SerializationException", message: "Value of Period must be an integer, not a string." });
    const malformed = await raw(server, "/", { "content-type": "application/x-amz-json-1.0", "x-amz-target": "GraniteServiceVersion20100801.ListMetrics" }, "{");
    assert.equal(JSON.parse(malformed.body.toString()).__type, "com.amazon.coral.service#SerializationException");
    const unknown = await rawJson(server, "PutMetricData", {});
    assert.equal(unknown.status, 400);
    assert.equal(JSON.parse(unknown.body.toString()).__type, "com.amazon.coral.service#UnknownOperationException");
  });
});

describe("cloudwatch > protocols > request bodies", () => {
  const query = (index: number) => ({ Id: `q${index}`, MetricStat: { Metric: { Namespace: "AWS/Kinesis", MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: "orders" }] }, Period: 60, Stat: "Sum" } });

  it("reads a body larger than the server reads whole (500 queries), and refuses a 501st", async () => {
    const queries = Array.from({ length: 500 }, (_, index) => query(index));
    const answer = await rawJson(server, "GetMetricData", { StartTime: startMs / 1000, EndTime: startMs / 1000 + 300, MetricDataQueries: queries });
    assert.equal(answer.status, 200);
    const results = JSON.parse(answer.body.toString()).MetricDataResults;
    assert.equal(results.length, 500);
    assert.deepEqual(results[499].Values, [6]);
    const tooMany = await rawJson(server, "GetMetricData", { StartTime: startMs / 1000, EndTime: startMs / 1000 + 300, MetricDataQueries: [...queries, query(500)] });
    assert.equal(JSON.parse(tooMany.body.toString()).message, "The collection MetricDataQueries must not have a size greater than 500.\n");
  });

  it("refuses a body over 1 MiB with 413 and closes the connection", async () => {
    const answer = await rawJson(server, "ListMetrics", { Namespace: "x".repeat(1024 * 1024 + 1) });
    assert.equal(answer.status, 413);
    assert.equal(answer.headers.get("connection"), "close");
    assert.equal(answer.headers.get("x-amzn-query-error"), "RequestEntityTooLarge;Sender");
  });
});

describe("cloudwatch > protocols > query", () => {
  it("answers ListMetrics and GetMetricStatistics in CloudWatch's XML", async () => {
    const list = await rawQuery(server, { Action: "ListMetrics", Version: "2010-08-01", Namespace: "AWS/Kinesis" });
    assert.equal(list.status, 200);
    assert.equal(list.headers.get("content-type"), "text/xml");
    const requestId = list.headers.get("x-amzn-requestid");
    assert.equal(
      list.body.toString(),
      '<ListMetricsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ListMetricsResult><Metrics><member><Namespace>AWS/Kinesis</Namespace>' +
        "<MetricName>IncomingRecords</MetricName><Dimensions><member><Name>StreamName</Name><Value>orders</Value></member></Dimensions></member></Metrics>" +
        `</ListMetricsResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></ListMetricsResponse>\n`,
    );
    const statistics = await rawQuery(server, {
      Action: "GetMetricStatistics",
      Version: "2010-08-01",
      Namespace: "AWS/Kinesis",
      MetricName: "IncomingRecords",
      "Dimensions.member.1.Name": "StreamName",
      "Dimensions.member.1.Value": "orders",
      StartTime: "2026-03-01T00:00:00Z",
      EndTime: "2026-03-01T00:05:00.000000Z",
      Period: "60",
      "Statistics.member.1": "Sum",
      "Statistics.member.2": "Average",
    });
    assert.match(
      statistics.body.toString(),
      /<GetMetricStatisticsResult><Label>IncomingRecords<\/Label><Datapoints><member><Timestamp>2026-03-01T00:00:00Z<\/Timestamp><Average>3.0<\/Average><Sum>6.0<\/Sum><Unit>Count<\/Unit><\/member><\/Datapoints><\/GetMetricStatisticsResult>/,
    );
  });

  it("answers errors as ErrorResponse XML with Type, Code and Message", async () => {
    const answer = await rawQuery(server, { Action: "GetMetricStatistics", Version: "2010-08-01", Namespace: "AWS/Kinesis", StartTime: "2026-03-01T00:00:00Z" });
    assert.equal(answer.status, 400);
    const requestId = answer.headers.get("x-amzn-requestid");
    assert.equal(
      answer.body.toString(),
      '<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>Sender</Type><Code>MissingParameter</Code>' +
        "<Message>The parameter MetricName is required.\nThe parameter EndTime is required.\nThe parameter Period is required.</Message></Error>" +
        `<RequestId>${requestId}</RequestId></ErrorResponse>\n`,
    );
  });

  it("answers an unknown or missing Action and a parameter that does not read as its type", async () => {
    assert.match((await rawQuery(server, { Action: "PutMetricData", Version: "2010-08-01" })).body.toString(), /<Code>InvalidAction<\/Code><Message>The action PutMetricData is not valid for this web service.<\/Message>/);
    assert.match((await rawQuery(server, { Version: "2010-08-01" })).body.toString(), /<Code>MissingAction<\/Code>/);
    const period = await rawQuery(server, { Action: "GetMetricStatistics", Namespace: "n", MetricName: "m", StartTime: "2026-03-01T00:00:00Z", EndTime: "2026-03-01T00:05:00Z", Period: "sixty" });
    assert.match(period.body.toString(), /<Code>InvalidParameterValue<\/Code><Message>The value sixty for parameter Period is invalid.<\/Message>/);
  });
});

const cborTags: TagDecoder[] = [];
cborTags[1] = (inner) => ({ epochSeconds: inner() });
const cbor = (body: Buffer) => decode(body, { tags: cborTags, useMaps: false }) as Record<string, any>;

describe("cloudwatch > protocols > RPC v2 CBOR", () => {
  it("reads tag 1 timestamps in seconds and answers with the smithy-protocol header and tag 1 timestamps", async () => {
    const answer = await rawCbor(server, "GetMetricStatistics", { ...statisticsQuery, StartTime: new Date(startMs), EndTime: new Date(startMs + 300_500) });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("smithy-protocol"), "rpc-v2-cbor");
    assert.equal(answer.headers.get("content-type"), "application/cbor");
    assert.deepEqual(cbor(answer.body), { Label: "IncomingRecords", Datapoints: [{ Timestamp: { epochSeconds: startMs / 1000 }, Sum: 6, Maximum: 4, Unit: "Count" }] });
  });

  it("answers errors as a map with the absolute __type, its message and x-amzn-query-error", async () => {
    const answer = await rawCbor(server, "GetMetricStatistics", { ...statisticsQuery, Period: 7, StartTime: new Date(startMs), EndTime: new Date(startMs + 300_000) });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers.get("smithy-protocol"), "rpc-v2-cbor");
    assert.equal(answer.headers.get("x-amzn-query-error"), "InvalidParameterValue;Sender");
    assert.deepEqual(cbor(answer.body), { __type: "com.amazonaws.cloudwatch#InvalidParameterValueException", message: "The parameter Period must be a multiple of 60." });
  });

  it("takes the service's absolute name and a path prefix, and an empty body as empty input", async () => {
    const absolute = await raw(server, "/service/com.amazonaws.cloudwatch.GraniteServiceVersion20100801/operation/ListMetrics", { "smithy-protocol": "rpc-v2-cbor" }, "");
    assert.equal(absolute.status, 200);
    assert.equal(cbor(absolute.body).Metrics.length, 1);
    const prefixed = await raw(server, "/v1/service/GraniteServiceVersion20100801/operation/ListMetrics", { "smithy-protocol": "rpc-v2-cbor" }, "");
    assert.equal(prefixed.status, 200);
  });

  it("refuses a request without smithy-protocol, with a target header, or with a body not in CBOR", async () => {
    const refused: Record<string, string>[] = [{ "smithy-protocol": "" }, { "x-amz-target": "GraniteServiceVersion20100801.ListMetrics" }, { "content-type": "application/json" }];
    for (const headers of refused) {
      const answer = await rawCbor(server, "ListMetrics", {}, headers);
      assert.equal(answer.status, 400, JSON.stringify(headers));
      assert.equal(cbor(answer.body).__type, "com.amazon.coral.service#SerializationException");
    }
  });
});

describe("cloudwatch > protocols > which requests are CloudWatch's", () => {
  const head = (method: string, path: string, headers: Record<string, string>) => ({ method, path, query: "", headers });
  it("claims its target, its RPC v2 paths and form posts to / signed for monitoring or unsigned", () => {
    assert.equal(protocolOf(head("POST", "/", { "x-amz-target": "GraniteServiceVersion20100801.ListMetrics" })), "json");
    assert.equal(protocolOf(head("POST", "/service/GraniteServiceVersion20100801/operation/ListMetrics", {})), "cbor");
    assert.equal(protocolOf(head("POST", "/", { "content-type": "application/x-www-form-urlencoded; charset=utf-8" })), "query");
    const signed = (service: string) => ({ "content-type": "application/x-www-form-urlencoded", authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00` });
    assert.equal(protocolOf(head("POST", "/", signed("monitoring"))), "query");
  });

  it("leaves everything else to the other services: other targets, other query services, S3 keys that look like its paths", () => {
    assert.equal(protocolOf(head("POST", "/", { "x-amz-target": "Kinesis_20131202.ListStreams" })), undefined);
    assert.equal(protocolOf(head("POST", "/", { "content-type": "application/x-www-form-urlencoded", authorization: "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00" })), undefined);
    assert.equal(protocolOf(head("POST", "/bucket/service/GraniteServiceVersion20100801/operation/ListMetrics", {})), undefined);
    assert.equal(protocolOf(head("GET", "/service/GraniteServiceVersion20100801/operation/ListMetrics", {})), undefined);
    assert.equal(protocolOf(head("POST", "/upload", { "content-type": "application/x-www-form-urlencoded" })), undefined);
  });
});

describe("cloudwatch > protocols > --auth sigv4", () => {
  const directory = mkdtempSync(join(tmpdir(), "cloudwatch-auth-"));
  const reader = { accessKeyId: "AKIACLOUDWATCHREADER", secretAccessKey: "reader/secret/key/EXAMPLEKEY" };
  const streamsOnly = { accessKeyId: "AKIASTREAMSONLYUSER0", secretAccessKey: "streams/secret/key/EXAMPLEKEY" };
  let signed: CloudWatchTestServer;
  before(async () => {
    const file = join(directory, "credentials.json");
    const entry = (key: typeof reader, name: string, actions: string[]) => ({
      ...key,
      accountId: "111122223333",
      principalArn: `arn:aws:iam::111122223333:user/${name}`,
      policies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] }],
    });
    writeFileSync(file, JSON.stringify({ credentials: [entry(reader, "reader", ["cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics"]), entry(streamsOnly, "streams", ["kinesis:*"])] }));
    // SigV4 checks the signature's time against the server's clock: the real one here.
    signed = await startCloudWatchServer({ credentialsFile: join(directory, "credentials.json"), clock: systemClock });
  });
  after(async () => {
    await signed?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  for (const protocol of protocols) {
    it(`${protocol}: serves a caller its policies allow, refuses others as AccessDenied and bad signatures as SignatureDoesNotMatch`, async () => {
      const listed = await cloudWatchClient(signed, protocol, reader).send(new ListMetricsCommand({}));
      assert.deepEqual(listed.Metrics, []);
      await assert.rejects(cloudWatchClient(signed, protocol, streamsOnly).send(new ListMetricsCommand({})), (error: Error & { Error?: { Code?: string }; $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.Error?.Code, "AccessDenied");
        assert.equal(error.$metadata?.httpStatusCode, 403);
        assert.equal(error.message, "User: arn:aws:iam::111122223333:user/streams is not authorized to perform: cloudwatch:ListMetrics because no identity-based policy allows the cloudwatch:ListMetrics action");
        return true;
      });
      await assert.rejects(
        cloudWatchClient(signed, protocol, { ...reader, secretAccessKey: "wrong" }).send(new GetMetricStatisticsCommand({ ...statisticsQuery, StartTime: new Date(0), EndTime: new Date(60_000) })),
        (error: Error & { Error?: { Code?: string } }) => error.Error?.Code === "SignatureDoesNotMatch",
      );
    });
  }
});
