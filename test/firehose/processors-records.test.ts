import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import type { PipelineRecord } from "../../src/firehose/delivery/contracts.js";
import { createProcessors, validateProcessingConfiguration, type ProcessingConfiguration } from "../../src/firehose/processors/index.js";
import { processorDeps as deps } from "./processor-deps.js";

const p = (Type: string, ...parameters: [string, string][]) => ({ Type, Parameters: parameters.map(([ParameterName, ParameterValue]) => ({ ParameterName, ParameterValue })) });
const record = (data: Buffer | string, recordId = "r"): PipelineRecord => ({ recordId, data: Buffer.from(data), approximateArrivalTimestampMs: 1 });

async function run(config: ProcessingConfiguration, records: PipelineRecord[]) {
  let current: readonly PipelineRecord[] = records;
  const failed = [];
  for (const processor of createProcessors(config, deps)) {
    const outcome = await processor.process(current);
    current = outcome.ok;
    failed.push(...outcome.failed);
  }
  return { ok: current, failed };
}

describe("firehose > processors > record processors", () => {
  it("deaggregates the docs' JSON examples and refuses an array", async () => {
    const config = { Enabled: true, Processors: [p("RecordDeAggregation", ["SubRecordType", "JSON"])] };
    for (const input of ['{"a":1}{"a":2}', '{"a":1}\n{"a":2}']) {
      const { ok } = await run(config, [record(input)]);
      assert.deepEqual(ok.map((r) => [r.recordId, r.data.toString()]), [["r:0", '{"a":1}'], ["r:1", '{"a":2}']]);
    }
    const { ok, failed } = await run(config, [record('[{"a":1}, {"a":2}]')]);
    assert.equal(ok.length, 0);
    assert.equal(failed[0]!.errorOutputType, "processing-failed");
    const nested = await run(config, [record('{"s":"}{","o":{"x":[1]}}{"b":2}')]);
    assert.deepEqual(nested.ok.map((r) => r.data.toString()), ['{"s":"}{","o":{"x":[1]}}', '{"b":2}']);
  });

  it("deaggregates on the docs' base64 delimiter IyMjIw== (####) and caps at 500 sub-records", async () => {
    const config = { Enabled: true, Processors: [p("RecordDeAggregation", ["SubRecordType", "DELIMITED"], ["Delimiter", "IyMjIw=="])] };
    const { ok } = await run(config, [record("one####two####three")]);
    assert.deepEqual(ok.map((r) => r.data.toString()), ["one", "two", "three"]);
    const many = await run(config, [record(Array.from({ length: 501 }, (_, i) => `r${i}`).join("####"))]);
    assert.equal(many.ok.length, 0);
    assert.match(many.failed[0]!.errorMessage, /500/);
  });

  it("decompresses GZIP and extracts CloudWatch Logs messages; a CONTROL_MESSAGE becomes an empty record", async () => {
    const config = { Enabled: true, Processors: [p("CloudWatchLogProcessing", ["DataMessageExtraction", "true"]), p("Decompression", ["CompressionFormat", "GZIP"])] };
    // The subscription payload from CloudWatch Logs' docs.
    const data = { messageType: "DATA_MESSAGE", owner: "123456789012", logGroup: "log_group_name", logStream: "log_stream_name", subscriptionFilters: ["subscription_filter_name"], logEvents: [{ id: "01234567890123456789012345678901234567890123456789012345", timestamp: 1510109208016, message: "log message 1" }, { id: "01234567890123456789012345678901234567890123456789012345", timestamp: 1510109208017, message: "log message 2" }] };
    const control = { messageType: "CONTROL_MESSAGE", owner: "CloudwatchLogs", logGroup: "", logStream: "", subscriptionFilters: [], logEvents: [{ id: "", timestamp: 1510109208016, message: "CWL CONTROL MESSAGE: Checking health of destination Firehose." }] };
    const { ok, failed } = await run(config, [record(gzipSync(JSON.stringify(data)), "d"), record(gzipSync(JSON.stringify(control)), "c"), record("not gzip", "x")]);
    assert.deepEqual(ok.map((r) => [r.recordId, r.data.toString()]), [["d", "log message 1\nlog message 2\n"], ["c", ""]]);
    assert.deepEqual(failed.map((f) => [f.recordId, f.errorOutputType, f.rawData.toString()]), [["x", "decompression-failed", "not gzip"]]);
  });

  it("appends a newline to each record", async () => {
    const { ok } = await run({ Enabled: true, Processors: [p("AppendDelimiterToRecord")] }, [record("a"), record("b")]);
    assert.deepEqual(ok.map((r) => r.data.toString()), ["a\n", "b\n"]);
  });

  it("runs in Firehose's order whatever the listed order, and not at all when disabled", async () => {
    const processors = [p("AppendDelimiterToRecord"), p("RecordDeAggregation", ["SubRecordType", "JSON"]), p("Decompression", ["CompressionFormat", "GZIP"])];
    const { ok } = await run({ Enabled: true, Processors: processors }, [record(gzipSync('{"a":1}{"a":2}'))]);
    assert.deepEqual(ok.map((r) => r.data.toString()), ['{"a":1}\n', '{"a":2}\n']);
    assert.deepEqual(createProcessors({ Enabled: false, Processors: processors }, deps), []);
    assert.deepEqual(createProcessors(undefined, deps), []);
  });

  it("validates types, parameters, required parameters and ranges", async () => {
    const check = async (...processors: ReturnType<typeof p>[]) => (await validateProcessingConfiguration({ Enabled: true, Processors: processors }))?.message;
    assert.match((await check(p("Transform")))!, /^Processor type Transform is not supported/);
    assert.equal(await check(p("Lambda", ["LambdaArn", "arn"], ["Delimiter", "x"])), "Parameter Delimiter is not valid for processor type Lambda.");
    assert.equal(await check(p("Lambda")), "Processor type Lambda requires parameter LambdaArn.");
    assert.equal(await check(p("Lambda", ["LambdaArn", "arn"], ["BufferSizeInMBs", "4"])), "BufferSizeInMBs must be between 0.2 and 3; got 4.");
    assert.equal(await check(p("Lambda", ["LambdaArn", "arn"], ["BufferIntervalInSeconds", "901"])), "BufferIntervalInSeconds must be an integer between 0 and 900; got 901.");
    assert.equal(await check(p("Lambda", ["LambdaArn", "arn"], ["BufferIntervalInSeconds", "0"])), undefined);
    assert.equal(await check(p("Lambda", ["LambdaArn", "arn"], ["NumberOfRetries", "-1"])), "NumberOfRetries must be an integer between 0 and 300; got -1.");
    assert.equal(await check(p("Lambda", ["LambdaArn", "a"]), p("Lambda", ["LambdaArn", "b"])), "Only one processor of type Lambda is allowed.");
    assert.equal(await check(p("RecordDeAggregation", ["SubRecordType", "DELIMITED"])), "RecordDeAggregation processor with SubRecordType DELIMITED requires parameter Delimiter.");
    assert.equal(await check(p("CloudWatchLogProcessing", ["DataMessageExtraction", "true"])), "CloudWatchLogProcessingProcessor can only be enabled with DecompressionProcessor");
    assert.equal(await check(p("Lambda", ["LambdaArn", "arn"], ["BufferSizeInMBs", "0.2"], ["BufferIntervalInSeconds", "60"], ["NumberOfRetries", "0"])), undefined);
  });
});
