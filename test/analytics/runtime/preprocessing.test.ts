/**
 * The preprocessing contract (developer guide, "Preprocessing Data Using a Lambda Function"): Ok,
 * Dropped and ProcessingFailed per record; an answer that leaves a record out, or gives one no
 * valid result, is "a data preprocessing failure" — the invocation fails (retriable) and the
 * caller sends the same records again, instead of sending the records to error_stream.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { preprocess, type PreprocessRecord } from "../../../src/analytics/runtime/preprocessing.js";
import type { FunctionInvoker } from "../../../src/storage/function-invoker.js";

const target = { accountId: "000000000000", functionArn: "pre", applicationArn: "arn:aws:kinesisanalytics:us-east-1:000000000000:application/a", streamArn: "arn:aws:kinesis:us-east-1:000000000000:stream/s", invocationId: "i-1" };
const records: PreprocessRecord[] = ["a", "b", "c"].map((text, i) => ({ recordId: `r${i}`, data: Buffer.from(text), approximateArrivalMs: 1520280173000, kinesis: { sequenceNumber: String(i), partitionKey: "k", shardId: "shardId-000000000000" } }));

function answering(answer: (event: { records: { recordId: string; data: string }[] }) => unknown): FunctionInvoker & { events: unknown[] } {
  const events: unknown[] = [];
  return {
    events,
    invoke: async (_account, _fn, payload) => {
      const event = JSON.parse(payload.toString()) as { records: { recordId: string; data: string }[] };
      events.push(event);
      const out = answer(event);
      return { ok: true, payload: Buffer.from(typeof out === "string" ? out : JSON.stringify(out)), executedVersion: "$LATEST" };
    },
  };
}

describe("analytics > runtime > Lambda preprocessing", () => {
  it("sends the guide's event and reads Ok (new data), Dropped and ProcessingFailed", async () => {
    const invoker = answering((event) => ({
      records: event.records.map((record, i) =>
        i === 0 ? { recordId: record.recordId, result: "Ok", data: Buffer.from("A").toString("base64") } : i === 1 ? { recordId: record.recordId, result: "Dropped" } : { recordId: record.recordId, result: "ProcessingFailed" },
      ),
    }));
    const outcome = await preprocess(invoker, target, records);
    assert.ok(outcome.ok);
    assert.deepEqual(
      outcome.results.map((result) => [result.recordId, result.result, result.result === "Ok" ? result.data.toString() : undefined]),
      [
        ["r0", "Ok", "A"],
        ["r1", "Dropped", undefined],
        ["r2", "ProcessingFailed", undefined],
      ],
    );
    assert.deepEqual(invoker.events[0], {
      invocationId: "i-1",
      applicationArn: target.applicationArn,
      streamArn: target.streamArn,
      records: records.map((record) => ({
        recordId: record.recordId,
        kinesisStreamRecordMetadata: { sequenceNumber: record.kinesis!.sequenceNumber, partitionKey: "k", shardId: "shardId-000000000000", approximateArrivalTimestamp: 1520280173000 },
        data: record.data.toString("base64"),
      })),
    });
  });

  it("an answer missing a record, with an Ok record without data, or not JSON is a retriable failure of the whole invocation", async () => {
    const missing = await preprocess(answering((event) => ({ records: event.records.slice(1).map((record) => ({ recordId: record.recordId, result: "Dropped" })) })), target, records);
    assert.deepEqual(missing, { ok: false, message: "The preprocessing function's response does not contain record r0.", retriable: true });
    const noData = await preprocess(answering((event) => ({ records: event.records.map((record) => ({ recordId: record.recordId, result: "Ok" })) })), target, records);
    assert.deepEqual(noData, { ok: false, message: "The preprocessing function's answer for record r0 has no valid result and data.", retriable: true });
    const notJson = await preprocess(answering(() => "not json"), target, records);
    assert.deepEqual(notJson, { ok: false, message: "The preprocessing function's response is not JSON.", retriable: true });
  });
});
