/**
 * The KCL multilang protocol's messages: one JSON object per line on the child's stdin (ours to
 * write) and stdout (the child's), each with an "action". The shapes are those the Java daemon's
 * Jackson mapper writes (software.amazon.kinesis.multilang.messages), null members included:
 *
 *   to the child:   {"action":"initialize","shardId":s,"sequenceNumber":s,"subSequenceNumber":n}
 *                   {"action":"processRecords","records":[record…],"millisBehindLatest":n|null}
 *                     record = {"action":"record","data":base64,"partitionKey":s,"sequenceNumber":s,
 *                               "subSequenceNumber":n,"approximateArrivalTimestamp":epochMs|null}
 *                   {"action":"leaseLost"}  {"action":"shardEnded"}  {"action":"shutdownRequested"}
 *                   {"action":"checkpoint","sequenceNumber":s|null,"subSequenceNumber":n|null,"error":name|null}
 *   from the child: {"action":"status","responseFor":<action>}
 *                   {"action":"checkpoint","sequenceNumber":s|null,"subSequenceNumber":n|null}
 *
 * A line that is not such a message (a processor's own print, an empty line around a message) is
 * skipped, as the daemon's reader skips it.
 */
import type { ConsumerRecord, ExtendedSequenceNumber } from "../../client/consumer/types.js";

export type ParentAction = "initialize" | "processRecords" | "leaseLost" | "shardEnded" | "shutdownRequested";

/** Every action the daemon's mapper knows; a line with another action is not a message. */
const knownActions = new Set(["initialize", "processRecords", "leaseLost", "shardEnded", "shutdownRequested", "shutdown", "checkpoint", "status", "record"]);

export type ChildMessage =
  | { kind: "status"; responseFor: string | null }
  | { kind: "checkpoint"; sequenceNumber: string | null; subSequenceNumber: number | null }
  /** A known action that has no meaning from the child (the daemon reads it and moves on). */
  | { kind: "other"; action: string };

export function initializeMessage(shardId: string, position: ExtendedSequenceNumber): string {
  return JSON.stringify({ action: "initialize", shardId, sequenceNumber: position.sequenceNumber, subSequenceNumber: position.subSequenceNumber });
}

export function processRecordsMessage(records: readonly ConsumerRecord[], millisBehindLatest: number | undefined): string {
  return JSON.stringify({ action: "processRecords", records: records.map(jsonFriendlyRecord), millisBehindLatest: millisBehindLatest ?? null });
}

/** The KCL's JsonFriendlyRecord: it carries no explicit hash key, so neither does this. */
function jsonFriendlyRecord(record: ConsumerRecord) {
  return {
    action: "record",
    data: Buffer.from(record.Data.buffer, record.Data.byteOffset, record.Data.byteLength).toString("base64"),
    partitionKey: record.PartitionKey,
    sequenceNumber: record.SequenceNumber,
    subSequenceNumber: record.SubSequenceNumber,
    approximateArrivalTimestamp: record.ApproximateArrivalTimestamp?.getTime() ?? null,
  };
}

export function bareMessage(action: "leaseLost" | "shardEnded" | "shutdownRequested"): string {
  return JSON.stringify({ action });
}

export function checkpointAnswer(sequenceNumber: string | null, subSequenceNumber: number | null, error: string | null): string {
  return JSON.stringify({ action: "checkpoint", sequenceNumber, subSequenceNumber, error });
}

/** Decodes one line of the child's stdout; undefined when it is not a protocol message. */
export function parseChildMessage(line: string): ChildMessage | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const object = value as Record<string, unknown>;
  const action = object.action;
  if (typeof action !== "string" || !knownActions.has(action)) return undefined;
  if (action === "status") {
    const responseFor = object.responseFor ?? null;
    return typeof responseFor === "string" || responseFor === null ? { kind: "status", responseFor } : undefined;
  }
  if (action === "checkpoint") {
    const sequenceNumber = scalarString(object.sequenceNumber);
    const subSequenceNumber = wholeNumber(object.subSequenceNumber);
    if (sequenceNumber === undefined || subSequenceNumber === undefined) return undefined;
    return { kind: "checkpoint", sequenceNumber, subSequenceNumber };
  }
  return { kind: "other", action };
}

/** Jackson reads a JSON number into a String member as its text; absent and null read as null. */
function scalarString(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

function wholeNumber(value: unknown): number | null | undefined {
  if (value === undefined || value === null) return null;
  const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === "number" && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}

/**
 * The name of the exception the KCL's checkpointer would have thrown, which the daemon reports
 * to the child (amazon_kclpy and aws-kcl samples test for these names):
 *   lease no longer held, or the consumer stopping (ConsumerError LeaseLost, ShutdownInProgress) → ShutdownException;
 *   a position out of range (InvalidCheckpoint) → IllegalArgumentException;
 *   throttled → ThrottlingException; no checkpointer in this call → InvalidStateException;
 *   anything else (the lease table unreachable) → KinesisClientLibDependencyException.
 */
export function checkpointErrorName(error: unknown): string {
  const { code, name } = (typeof error === "object" && error !== null ? error : {}) as { code?: unknown; name?: unknown };
  const kind = typeof code === "string" ? code : typeof name === "string" ? name : "";
  switch (kind) {
    case "LeaseLost":
    case "ShutdownInProgress":
    case "ShutdownException":
      return "ShutdownException";
    case "InvalidCheckpoint":
    case "IllegalArgumentException":
      return "IllegalArgumentException";
    case "InvalidStateException":
      return "InvalidStateException";
    case "ThrottlingException":
    case "ProvisionedThroughputExceededException":
    case "LimitExceededException":
      return "ThrottlingException";
    default:
      return "KinesisClientLibDependencyException";
  }
}
