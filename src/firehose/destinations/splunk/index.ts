/**
 * The Splunk destination: HTTP Event Collector with indexer acknowledgement, as Firehose requires
 * of HEC. Each batch is one POST of its records, concatenated, to `<HECEndpoint>/services/collector/event`
 * (HECEndpointType Event: records are HEC event JSON) or `/services/collector/raw` (Raw), with
 * `Authorization: Splunk <HECToken>` and this destination's `X-Splunk-Request-Channel`. HEC answers
 * `{"text":"Success","code":0,"ackId":N}`; Firehose then polls `/services/collector/ack` with
 * `{"acks":[N]}` until `{"acks":{"N":true}}` or HECAcknowledgmentTimeoutInSeconds (default 180)
 * passes (Splunk.AckTimeout). A failed batch is retried until RetryOptions.DurationInSeconds
 * (default 300 here) past the first failure, then written as error records (with EventId) under
 * `<Prefix>splunk-failed/`. S3BackupMode AllEvents also backs every batch up.
 */
import type { DeliveryBatch, DeliveryOutcome } from "../../delivery/contracts.js";
import type { S3Configuration } from "../common/backup.js";
import { attemptOutcome, closableDestination, deliverWholeBatch, type Sent } from "../common/deliver.js";
import type { ConfigurationProblem, DestinationDeps } from "../common/deps.js";
import type { FirehoseDestination } from "../common/destination.js";
import { createAgents, httpPost } from "../common/http-post.js";
import { uuidFrom } from "../common/s3-keys.js";

export const splunkRetryDurationSecondsDefault = 300;
export const ackTimeoutSecondsDefault = 180;
/** Between two acknowledgement polls. */
export const ackPollMs = 1_000;

export interface SplunkDestinationConfiguration {
  readonly HECEndpoint: string;
  readonly HECEndpointType: "Raw" | "Event";
  readonly HECToken?: string;
  readonly HECAcknowledgmentTimeoutInSeconds?: number;
  readonly RetryOptions?: { readonly DurationInSeconds?: number };
  readonly S3BackupMode?: "FailedEventsOnly" | "AllEvents";
  readonly S3Configuration: S3Configuration;
  readonly ProcessingConfiguration?: unknown;
  readonly BufferingHints?: { readonly SizeInMBs?: number; readonly IntervalInSeconds?: number };
  readonly SecretsManagerConfiguration?: { readonly Enabled?: boolean };
}

export function validateSplunkConfiguration(config: SplunkDestinationConfiguration): ConfigurationProblem | undefined {
  try {
    const url = new URL(config.HECEndpoint);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("scheme");
  } catch {
    return { message: `HECEndpoint ${config.HECEndpoint} is not an http(s) URL.` };
  }
  if (config.SecretsManagerConfiguration?.Enabled === true) return { message: "SecretsManagerConfiguration is not supported here: give HECToken." };
  if (config.HECToken === undefined || config.HECToken === "") return { message: "HECToken is required when SecretsManagerConfiguration is not enabled." };
  return undefined;
}

/** HEC's answer codes (Splunk's "Format events for HTTP Event Collector" status table) → Firehose's error codes. */
function errorCodeOf(statusCode: number, hecCode: number | undefined): string {
  if (hecCode === 1) return "Splunk.DisabledToken";
  if (hecCode === 2 || hecCode === 3 || hecCode === 4) return "Splunk.InvalidToken";
  if (hecCode === 5 || hecCode === 6) return "Splunk.InvalidDataFormat";
  if (hecCode === 7) return "Splunk.InvalidIndex";
  if (hecCode === 14) return "Splunk.DisabledAck";
  if (statusCode === 401 || statusCode === 403) return "Splunk.InvalidToken";
  if (statusCode === 404) return "Splunk.URLNotFound";
  if (statusCode === 413) return "Splunk.PayloadTooLarge";
  return "Splunk.ServerError";
}

export function createSplunkDestination(config: SplunkDestinationConfiguration, deps: DestinationDeps): FirehoseDestination {
  const retryDurationSeconds = config.RetryOptions?.DurationInSeconds ?? splunkRetryDurationSecondsDefault;
  const ackTimeoutMs = (config.HECAcknowledgmentTimeoutInSeconds ?? ackTimeoutSecondsDefault) * 1000;
  const agents = createAgents(deps.tls);
  const closing = new AbortController();
  const channel = uuidFrom(deps.random);
  const base = config.HECEndpoint.replace(/\/+$/, "");
  const eventUrl = new URL(`${base}/services/collector/${config.HECEndpointType === "Raw" ? "raw" : "event"}`);
  const ackUrl = new URL(`${base}/services/collector/ack`);
  const headers = { Authorization: `Splunk ${config.HECToken ?? ""}`, "X-Splunk-Request-Channel": channel, "Content-Type": "application/json" };

  function failureOf(statusCode: number, body: string): Sent {
    let hecCode: number | undefined;
    try {
      const code = (JSON.parse(body) as { code?: unknown }).code;
      hecCode = typeof code === "number" ? code : undefined;
    } catch {
      hecCode = undefined;
    }
    return { ok: false, errorCode: errorCodeOf(statusCode, hecCode), errorMessage: `The HEC endpoint answered ${statusCode}: ${body.slice(0, 1024)}` };
  }

  async function waitForAck(ackId: number): Promise<Sent> {
    const deadlineMs = deps.clock.nowMs() + ackTimeoutMs;
    for (;;) {
      const answer = await httpPost(agents, ackUrl, headers, Buffer.from(JSON.stringify({ acks: [ackId] })));
      if (!answer.ok) return { ok: false, errorCode: answer.errorCode === "RequestTimeout" ? "Splunk.ConnectionTimeout" : "Splunk.ConnectionFailed", errorMessage: answer.errorMessage };
      const text = answer.body.toString("utf8");
      if (answer.statusCode !== 200) return failureOf(answer.statusCode, text);
      let acked = false;
      try {
        acked = (JSON.parse(text) as { acks?: Record<string, unknown> }).acks?.[String(ackId)] === true;
      } catch {
        return { ok: false, errorCode: "Splunk.ServerError", errorMessage: `The HEC acknowledgement answer is not JSON: ${text.slice(0, 1024)}` };
      }
      if (acked) return { ok: true };
      const leftMs = deadlineMs - deps.clock.nowMs();
      if (leftMs <= 0 || closing.signal.aborted) {
        return { ok: false, errorCode: "Splunk.AckTimeout", errorMessage: "Did not receive an acknowledgement from HEC before the HEC acknowledgement timeout expired. Despite the acknowledgement timeout, it's possible the data was indexed successfully in Splunk. Kinesis Firehose backs up in Amazon S3 data for which the acknowledgement timeout expired." };
      }
      try {
        await deps.clock.sleep(Math.min(ackPollMs, leftMs), { signal: closing.signal });
      } catch {
        // Closing: the next round reports the timeout.
      }
    }
  }

  async function send(batch: DeliveryBatch): Promise<Sent> {
    const answer = await httpPost(agents, eventUrl, headers, Buffer.concat(batch.records.map((record) => record.data)));
    if (!answer.ok) return { ok: false, errorCode: answer.errorCode === "RequestTimeout" ? "Splunk.ConnectionTimeout" : "Splunk.ConnectionFailed", errorMessage: answer.errorMessage };
    const text = answer.body.toString("utf8");
    if (answer.statusCode !== 200) return failureOf(answer.statusCode, text);
    let ackId: unknown;
    try {
      ackId = (JSON.parse(text) as { ackId?: unknown }).ackId;
    } catch {
      return { ok: false, errorCode: "Splunk.ServerError", errorMessage: `The HEC answer is not JSON: ${text.slice(0, 1024)}` };
    }
    if (typeof ackId !== "number") return { ok: false, errorCode: "Splunk.DisabledAck", errorMessage: "The HEC answer has no ackId: indexer acknowledgement must be enabled on the HEC token." };
    return waitForAck(ackId);
  }

  async function attempt(batch: DeliveryBatch): Promise<DeliveryOutcome> {
    return attemptOutcome(await send(batch));
  }

  async function deliver(batch: DeliveryBatch): Promise<DeliveryOutcome> {
    return deliverWholeBatch({
      deps,
      s3: config.S3Configuration,
      batch,
      backupAll: config.S3BackupMode === "AllEvents",
      retryDurationSeconds,
      durationFrom: "first-failure",
      signal: closing.signal,
      errorOutputType: "splunk-failed",
      send,
      onFailure: (sent) => deps.logger.warn({ deliveryStreamName: deps.deliveryStreamName, errorCode: sent.errorCode }, "firehose splunk delivery failed"),
      extraOf: (record) => ({ EventId: record.recordId }),
    });
  }

  return closableDestination({ retryDurationSeconds, attempt, deliver, closing, agents });
}
