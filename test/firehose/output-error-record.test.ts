import { it } from "node:test";
import assert from "node:assert/strict";
import type { FailedRecord } from "../../src/firehose/delivery/contracts.js";
import { errorRecordLine } from "../../src/firehose/output/index.js";

function failed(overrides: Partial<FailedRecord> = {}): FailedRecord {
  return {
    recordId: "49577193928114147339600778471082492393164139877200035842",
    rawData: Buffer.from("sample raw data"),
    approximateArrivalTimestampMs: 1510254469629,
    errorCode: "Lambda.FunctionError",
    errorMessage: "The Lambda function was successfully invoked but it returned an error result.",
    lambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:transform:$LATEST",
    errorOutputType: "processing-failed",
    ...overrides,
  };
}

it("firehose > output > error record > processing-failed: the documented fields in order, lambdaARN as the service writes it", () => {
  const line = errorRecordLine(failed(), 4, 1510254905850);
  assert.ok(line.endsWith("}\n"));
  assert.equal(line.indexOf("\n"), line.length - 1, "one line");
  assert.equal(
    line,
    '{"attemptsMade":4,"arrivalTimestamp":1510254469629,"errorCode":"Lambda.FunctionError","errorMessage":"The Lambda function was successfully invoked but it returned an error result.","attemptEndingTimestamp":1510254905850,"rawData":"c2FtcGxlIHJhdyBkYXRh","lambdaARN":"arn:aws:lambda:us-east-1:123456789012:function:transform:$LATEST"}\n',
  );
  const parsed = JSON.parse(line);
  assert.equal(Buffer.from(parsed.rawData, "base64").toString(), "sample raw data");
});

it("firehose > output > error record > partitioning-failed has no lambdaARN", () => {
  const record = JSON.parse(errorRecordLine(failed({ errorOutputType: "partitioning-failed", errorCode: "DynamicPartitioning.MetadataExtractionFailed", errorMessage: "Non JSON record provided" }), 1, 1));
  assert.deepEqual(Object.keys(record), ["attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp", "rawData"]);
});

it("firehose > output > error record > format-conversion-failed uses lastErrorCode and the Glue table", () => {
  const record = JSON.parse(
    errorRecordLine(failed({ errorOutputType: "format-conversion-failed", errorCode: "DataFormatConversion.MalformedData", errorMessage: "Malformed JSON" }), 1, 5, {
      sequenceNumber: "4957",
      subsequenceNumber: 0,
      dataCatalogTable: { catalogId: "123456789012", databaseName: "db", tableName: "t", region: "us-east-1", versionId: "LATEST", catalogArn: "arn:aws:glue:us-east-1:123456789012:catalog" },
    }),
  );
  assert.deepEqual(Object.keys(record), ["attemptsMade", "arrivalTimestamp", "lastErrorCode", "lastErrorMessage", "attemptEndingTimestamp", "rawData", "sequenceNumber", "subSequenceNumber", "dataCatalogTable"]);
  assert.equal(record.lastErrorCode, "DataFormatConversion.MalformedData");
  assert.deepEqual(Object.keys(record.dataCatalogTable), ["catalogId", "databaseName", "tableName", "region", "versionId", "catalogArn"]);
});

it("firehose > output > error record > destination failures carry their own fields", () => {
  const es = JSON.parse(errorRecordLine(failed({ errorOutputType: "elasticsearch-failed", errorCode: "400", errorMessage: "mapper_parsing_exception" }), 3, 9, { esDocumentId: "d1", esIndexName: "idx-2024-05-17", esTypeName: "" }));
  assert.deepEqual(Object.keys(es), ["attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp", "rawData", "esDocumentId", "esIndexName", "esTypeName"]);
  const splunk = JSON.parse(errorRecordLine(failed({ errorOutputType: "splunk-failed", errorCode: "Splunk.AckTimeout", errorMessage: "…" }), 0, 9, { eventId: "4957.0" }));
  assert.deepEqual(Object.keys(splunk).slice(-2), ["rawData", "EventId"]);
  assert.equal(splunk.lambdaARN, undefined);
  const http = JSON.parse(errorRecordLine(failed({ errorOutputType: "http-endpoint-failed", errorCode: "HttpEndpoint.DestinationException", errorMessage: "…" }), 5, 9, { subsequenceNumber: 0, dataId: "4960.0" }));
  assert.deepEqual(Object.keys(http).slice(-3), ["rawData", "subsequenceNumber", "dataId"]);
});
