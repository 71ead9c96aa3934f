import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { PipelineRecord } from "../../src/firehose/delivery/contracts.js";
import { createProcessors, validateProcessingConfiguration } from "../../src/firehose/processors/index.js";
import { processorDeps as deps } from "./processor-deps.js";

function extraction(query: string) {
  const [processor] = createProcessors({ Enabled: true, Processors: [{ Type: "MetadataExtraction", Parameters: [{ ParameterName: "MetadataExtractionQuery", ParameterValue: query }, { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6" }] }] }, deps);
  return processor!;
}

function records(...texts: string[]): PipelineRecord[] {
  return texts.map((text, i) => ({ recordId: `id-${i}`, data: Buffer.from(text), approximateArrivalTimestampMs: 0 }));
}

describe("firehose > processors > MetadataExtraction", () => {
  it("sets partition keys from the docs' example query", async () => {
    // Firehose's dynamic partitioning docs: customer_id and a year from an epoch-seconds event time.
    const processor = extraction('{customer_id: .customer_id, year: .event_timestamp | strftime("%Y")}');
    const outcome = await processor.process(records('{"type":{"device":"mobile","event":"user_clicked_submit_button"},"customer_id":"1234567890","event_timestamp":1630442383,"region":"sample_value"}'));
    assert.deepEqual(outcome.failed, []);
    assert.deepEqual(outcome.ok[0]!.partitionKeys, { customer_id: "1234567890", year: "2021" });
    assert.equal(outcome.ok[0]!.data.toString().startsWith('{"type"'), true, "the data is unchanged");
  });

  it("writes numbers and booleans as JSON does; keeps keys the Lambda processor set", async () => {
    const processor = extraction("{n: .n, f: .f, b: .b}");
    const [record] = records('{"n":7,"f":1.5,"b":true}');
    const outcome = await processor.process([{ ...record!, partitionKeys: { fromLambda: "x" } }]);
    assert.deepEqual(outcome.ok[0]!.partitionKeys, { fromLambda: "x", n: "7", f: "1.5", b: "true" });
  });

  it("fails a record that is not JSON, a missing or null key, a non-scalar key and a query error, alone", async () => {
    const processor = extraction("{k: .k, y: (.t | strftime(\"%Y\"))}");
    const outcome = await processor.process(records('{"k":"a","t":0}', "not json", '{"t":0}', '{"k":{"o":1},"t":0}', '{"k":"b","t":"x"}', '{"k":"c","t":0}'));
    assert.deepEqual(outcome.ok.map((r) => r.partitionKeys), [{ k: "a", y: "1970" }, { k: "c", y: "1970" }]);
    assert.deepEqual(
      outcome.failed.map((f) => [f.recordId, f.errorCode, f.errorOutputType]),
      [
        ["id-1", "DynamicPartitioning.MetadataExtractionFailed", "partitioning-failed"],
        ["id-2", "DynamicPartitioning.MetadataExtractionFailed", "partitioning-failed"],
        ["id-3", "DynamicPartitioning.MetadataExtractionFailed", "partitioning-failed"],
        ["id-4", "DynamicPartitioning.MetadataExtractionFailed", "partitioning-failed"],
      ],
    );
    assert.equal(outcome.failed[0]!.errorMessage, "Non JSON record provided");
    assert.equal(outcome.failed[1]!.errorMessage, "partitionKeys values must not be null or empty");
    assert.match(outcome.failed[3]!.errorMessage, /strftime/);
  });

  it("keeps records in order across many jq batches", async () => {
    const processor = extraction('{customerId: .customer_id, year: .event_time | strftime("%Y")}');
    const texts = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ customer_id: `c${i}`, event_time: 1_600_000_000 + i, pad: "x".repeat(900) }));
    const outcome = await processor.process(records(...texts));
    assert.equal(outcome.ok.length, 20_000);
    assert.deepEqual(outcome.ok[12_345]!.partitionKeys, { customerId: "c12345", year: "2020" });
    assert.deepEqual(outcome.ok.map((record) => record.partitionKeys!.customerId), texts.map((_, i) => `c${i}`));
  });

  it("refuses a query jq cannot compile and a JsonParsingEngine other than JQ-1.6", async () => {
    const bad = await validateProcessingConfiguration({ Enabled: true, Processors: [{ Type: "MetadataExtraction", Parameters: [{ ParameterName: "MetadataExtractionQuery", ParameterValue: "{a: .a" }, { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6" }] }] });
    assert.match(bad!.message, /^MetadataExtractionQuery is not a valid JQ query: jq: error: syntax error/);
    const engine = await validateProcessingConfiguration({ Enabled: true, Processors: [{ Type: "MetadataExtraction", Parameters: [{ ParameterName: "MetadataExtractionQuery", ParameterValue: "{a: .a}" }, { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.5" }] }] });
    assert.equal(engine!.message, "MetaDataExtraction JSON Parsing Engine has to be one of JQ-1.6");
    assert.equal(await validateProcessingConfiguration({ Enabled: true, Processors: [{ Type: "MetadataExtraction", Parameters: [{ ParameterName: "MetadataExtractionQuery", ParameterValue: "{a: .a}" }, { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6" }] }] }), undefined);
  });
});
