/**
 * MetadataExtraction: dynamic partitioning's inline parsing. The MetadataExtractionQuery (JQ)
 * runs on each record's JSON and must give one object whose values are the partition keys
 * (`{customerId: .customer_id, year: .event_time | strftime("%Y")}`). A record that is not JSON,
 * or whose query fails, gives no object, or gives a key that is null, empty, an object or an array,
 * goes to the error output as DynamicPartitioning.MetadataExtractionFailed.
 */
import type { FailedRecord, PipelineRecord, ProcessingOutcome, RecordProcessor } from "../delivery/contracts.js";
import { JqQuery, loadJq } from "./jq-engine.js";

export const metadataExtractionFailed = "DynamicPartitioning.MetadataExtractionFailed";
export const metadataMessages = {
  notJson: "Non JSON record provided",
  nullOrEmpty: "partitionKeys values must not be null or empty",
  notObject: "The MetadataExtractionQuery must produce exactly one JSON object of partition keys.",
  notScalar: "partitionKeys values must be strings, numbers or booleans",
} as const;

export class MetadataExtractionProcessor implements RecordProcessor {
  private compiled: Promise<JqQuery> | undefined;
  constructor(private readonly query: string) {}

  async process(records: readonly PipelineRecord[]): Promise<ProcessingOutcome> {
    this.compiled ??= loadJq().then((jq) => new JqQuery(jq, this.query));
    const query = await this.compiled;
    const ok: PipelineRecord[] = [];
    const failed: FailedRecord[] = [];
    const fail = (record: PipelineRecord, errorMessage: string) =>
      failed.push({ recordId: record.recordId, rawData: record.data, approximateArrivalTimestampMs: record.approximateArrivalTimestampMs, errorCode: metadataExtractionFailed, errorMessage, errorOutputType: "partitioning-failed" });
    const json: PipelineRecord[] = [];
    const texts: string[] = [];
    for (const record of records) {
      const text = record.data.toString("utf8");
      // jq stops at the first input it cannot parse, so only JSON reaches it.
      if (!isJson(text)) fail(record, metadataMessages.notJson);
      else {
        json.push(record);
        texts.push(text);
      }
    }
    const outcomes = query.run(texts);
    json.forEach((record, index) => {
      const outcome = outcomes[index]!;
      if (!outcome.ok) return fail(record, outcome.error);
      const keys = partitionKeysOf(outcome.values);
      if (typeof keys === "string") return fail(record, keys);
      ok.push({ ...record, partitionKeys: { ...record.partitionKeys, ...keys } });
    });
    return { ok, failed, droppedCount: 0 };
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The keys, or the failure's message. */
function partitionKeysOf(values: readonly unknown[]): Record<string, string> | string {
  if (values.length !== 1) return metadataMessages.notObject;
  const value = values[0];
  if (value === null || typeof value !== "object" || Array.isArray(value)) return metadataMessages.notObject;
  const keys: Record<string, string> = {};
  for (const [name, key] of Object.entries(value as Record<string, unknown>)) {
    if (key === null || key === "") return metadataMessages.nullOrEmpty;
    if (typeof key === "string") keys[name] = key;
    else if (typeof key === "number" || typeof key === "boolean") keys[name] = JSON.stringify(key);
    else return metadataMessages.notScalar;
  }
  return keys;
}
