/**
 * The HttpEndpoint destination: Firehose's HTTP endpoint delivery request and response
 * specification (protocol version 1.0). Each batch is one POST to EndpointConfiguration.Url:
 *
 *   Content-Type: application/json        Content-Encoding: gzip (RequestConfiguration GZIP only)
 *   X-Amz-Firehose-Protocol-Version: 1.0  X-Amz-Firehose-Request-Id: <batchId, the same on every retry>
 *   X-Amz-Firehose-Source-Arn: arn:aws:firehose:<region>:<account>:deliverystream/<name>
 *   X-Amz-Firehose-Access-Key: <AccessKey>  (when configured)
 *   X-Amz-Firehose-Common-Attributes: {"commonAttributes":{"<AttributeName>":"<AttributeValue>",…}}  (when any)
 *   body: {"requestId":"<batchId>","timestamp":<ms>,"records":[{"data":"<base64>"},…]}
 *
 * Success is status 200 with a JSON body whose `requestId` is the request's; anything else (other
 * 2xx included, a body that is not that JSON, a mismatched requestId, no answer within 3 minutes)
 * fails the whole batch, which is retried until RetryOptions.DurationInSeconds (default 300) has
 * passed, then written as error records under `http-endpoint-failed/`. S3BackupMode AllData also
 * backs every batch up to the S3Configuration bucket.
 */
import { gzipSync } from "node:zlib";
import type { DeliveryBatch, DeliveryOutcome, PipelineRecord } from "../../delivery/contracts.js";
import type { S3Configuration } from "../common/backup.js";
import { attemptOutcome, closableDestination, deliverWholeBatch, type Sent } from "../common/deliver.js";
import type { ConfigurationProblem, DestinationDeps } from "../common/deps.js";
import type { FirehoseDestination } from "../common/destination.js";
import { createAgents, httpPost } from "../common/http-post.js";

export const httpEndpointRetryDurationSecondsDefault = 300;
export const userAgent = "Amazon Kinesis Data Firehose Agent/1.0";

export interface HttpEndpointDestinationConfiguration {
  readonly EndpointConfiguration: { readonly Url: string; readonly Name?: string; readonly AccessKey?: string };
  readonly BufferingHints?: { readonly SizeInMBs?: number; readonly IntervalInSeconds?: number };
  readonly RequestConfiguration?: {
    readonly ContentEncoding?: "NONE" | "GZIP";
    readonly CommonAttributes?: readonly { readonly AttributeName: string; readonly AttributeValue: string }[];
  };
  readonly ProcessingConfiguration?: unknown;
  readonly RoleARN?: string;
  readonly RetryOptions?: { readonly DurationInSeconds?: number };
  readonly S3BackupMode?: "FailedDataOnly" | "AllData";
  readonly S3Configuration: S3Configuration;
  readonly SecretsManagerConfiguration?: { readonly Enabled?: boolean };
}

export function validateHttpEndpointConfiguration(config: HttpEndpointDestinationConfiguration): ConfigurationProblem | undefined {
  let url: URL;
  try {
    url = new URL(config.EndpointConfiguration.Url);
  } catch {
    return { message: `EndpointConfiguration.Url ${config.EndpointConfiguration.Url} is not a URL.` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { message: "EndpointConfiguration.Url must be an https URL." };
  const names = (config.RequestConfiguration?.CommonAttributes ?? []).map((attribute) => attribute.AttributeName);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) return { message: `Common attribute names must be unique: ${duplicate} is given twice.` };
  if (config.SecretsManagerConfiguration?.Enabled === true) return { message: "SecretsManagerConfiguration is not supported here: give EndpointConfiguration.AccessKey." };
  return undefined;
}

export function createHttpEndpointDestination(config: HttpEndpointDestinationConfiguration, deps: DestinationDeps): FirehoseDestination {
  const retryDurationSeconds = config.RetryOptions?.DurationInSeconds ?? httpEndpointRetryDurationSecondsDefault;
  const agents = createAgents(deps.tls);
  const closing = new AbortController();
  const url = new URL(config.EndpointConfiguration.Url);
  const gzip = config.RequestConfiguration?.ContentEncoding === "GZIP";
  const attributes = config.RequestConfiguration?.CommonAttributes ?? [];
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": userAgent,
    "X-Amz-Firehose-Protocol-Version": "1.0",
    "X-Amz-Firehose-Source-Arn": `arn:aws:firehose:${deps.region}:${deps.accountId}:deliverystream/${deps.deliveryStreamName}`,
    ...(gzip ? { "Content-Encoding": "gzip" } : {}),
    ...(config.EndpointConfiguration.AccessKey !== undefined ? { "X-Amz-Firehose-Access-Key": config.EndpointConfiguration.AccessKey } : {}),
    ...(attributes.length > 0
      ? { "X-Amz-Firehose-Common-Attributes": JSON.stringify({ commonAttributes: Object.fromEntries(attributes.map((attribute) => [attribute.AttributeName, attribute.AttributeValue])) }) }
      : {}),
  };

  async function post(batch: DeliveryBatch, records: readonly PipelineRecord[]): Promise<Sent> {
    const json = JSON.stringify({ requestId: batch.batchId, timestamp: deps.clock.nowMs(), records: records.map((record) => ({ data: record.data.toString("base64") })) });
    const body = gzip ? gzipSync(json) : Buffer.from(json);
    const answer = await httpPost(agents, url, { ...headers, "X-Amz-Firehose-Request-Id": batch.batchId }, body);
    if (!answer.ok) return { ok: false, errorCode: `HttpEndpoint.${answer.errorCode}`, errorMessage: answer.errorMessage };
    const text = answer.body.toString("utf8");
    if (answer.statusCode !== 200) {
      return { ok: false, errorCode: "HttpEndpoint.DestinationException", errorMessage: `The following response was received from the endpoint destination. ${answer.statusCode}: ${text.slice(0, 1024)}` };
    }
    let requestId: unknown;
    try {
      requestId = (JSON.parse(text) as { requestId?: unknown }).requestId;
    } catch {
      return { ok: false, errorCode: "HttpEndpoint.InvalidResponseFromDestination", errorMessage: `The response received from the endpoint is invalid. ${answer.statusCode}: ${text.slice(0, 1024)}` };
    }
    if (requestId !== batch.batchId) {
      return { ok: false, errorCode: "HttpEndpoint.InvalidResponseFromDestination", errorMessage: `The response received from the endpoint has requestId ${JSON.stringify(requestId)}, not the request's ${batch.batchId}.` };
    }
    return { ok: true };
  }

  async function attempt(batch: DeliveryBatch): Promise<DeliveryOutcome> {
    return attemptOutcome(await post(batch, batch.records));
  }

  async function deliver(batch: DeliveryBatch): Promise<DeliveryOutcome> {
    return deliverWholeBatch({
      deps,
      s3: config.S3Configuration,
      batch,
      backupAll: config.S3BackupMode === "AllData",
      retryDurationSeconds,
      signal: closing.signal,
      errorOutputType: "http-endpoint-failed",
      send: (sending) => post(sending, sending.records),
      onFailure: (sent) => deps.logger.warn({ deliveryStreamName: deps.deliveryStreamName, errorCode: sent.errorCode, errorMessage: sent.errorMessage }, "firehose http endpoint delivery failed"),
    });
  }

  return closableDestination({ retryDurationSeconds, attempt, deliver, closing, agents });
}
