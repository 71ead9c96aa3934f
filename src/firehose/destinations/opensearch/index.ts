/**
 * The OpenSearch destinations — AmazonopensearchService, Elasticsearch and
 * AmazonOpenSearchServerless — over the `_bulk` API. Each record is one document in the index
 * IndexName rotated by the record's arrival time (IndexRotationPeriod, default OneDay; serverless
 * collections do not rotate), with `_type` TypeName (Elasticsearch and OpenSearch Service, when
 * given) and `_id` the record's Firehose id (DocumentIdOptions FIREHOSE_DEFAULT, the default: the
 * same id on every retry, so a retried document overwrites itself) or none (NO_DOCUMENT_ID;
 * serverless collections never get one).
 *
 * Where: ClusterEndpoint / CollectionEndpoint (an http or https URL), or a DomainARN resolved by
 * `deps.resolveDomainEndpoint` (no AWS domains exist here). Requests are not SigV4-signed.
 *
 * Failures: documents the `_bulk` answer reports failed are retried — only those — until
 * RetryOptions.DurationInSeconds (default 300) has passed since the first attempt (an answer that
 * is not a `_bulk` answer, or none, fails every pending document); then they are written to the
 * S3Configuration bucket as error records with esDocumentId, esIndexName and esTypeName under
 * `<Prefix>elasticsearch-failed/` (Elasticsearch), `AmazonOpenSearchService-failed/` or
 * `AmazonOpenSearchServerless-failed/`. S3BackupMode AllDocuments also backs every batch up.
 */
import type { DeliveryBatch, DeliveryOutcome } from "../../delivery/contracts.js";
import type { S3Configuration } from "../common/backup.js";
import { closableDestination, deliverWithRetryAndBackup } from "../common/deliver.js";
import type { ConfigurationProblem, DestinationDeps } from "../common/deps.js";
import type { FirehoseDestination } from "../common/destination.js";
import { createAgents, httpPost } from "../common/http-post.js";
import { bulkBody, bulkResults, type BulkItem } from "./bulk.js";
import { rotatedIndexName, type IndexRotationPeriod } from "./index-name.js";

export const openSearchRetryDurationSecondsDefault = 300;

export type OpenSearchVariant = "AmazonopensearchService" | "Elasticsearch" | "AmazonOpenSearchServerless";

/** The members the three configurations share (Serverless has CollectionEndpoint and no DomainARN/TypeName/rotation). */
export interface OpenSearchDestinationConfiguration {
  readonly RoleARN?: string;
  readonly DomainARN?: string;
  readonly ClusterEndpoint?: string;
  readonly CollectionEndpoint?: string;
  readonly IndexName: string;
  readonly TypeName?: string;
  readonly IndexRotationPeriod?: IndexRotationPeriod;
  readonly BufferingHints?: { readonly SizeInMBs?: number; readonly IntervalInSeconds?: number };
  readonly RetryOptions?: { readonly DurationInSeconds?: number };
  readonly S3BackupMode?: "FailedDocumentsOnly" | "AllDocuments";
  readonly S3Configuration: S3Configuration;
  readonly ProcessingConfiguration?: unknown;
  readonly DocumentIdOptions?: { readonly DefaultDocumentIdFormat: "FIREHOSE_DEFAULT" | "NO_DOCUMENT_ID" };
}

const errorOutputTypes: Record<OpenSearchVariant, string> = {
  Elasticsearch: "elasticsearch-failed",
  AmazonopensearchService: "AmazonOpenSearchService-failed",
  AmazonOpenSearchServerless: "AmazonOpenSearchServerless-failed",
};

export function validateOpenSearchConfiguration(variant: OpenSearchVariant, config: OpenSearchDestinationConfiguration): ConfigurationProblem | undefined {
  if (variant === "AmazonOpenSearchServerless") {
    if (config.CollectionEndpoint === undefined) return { message: "CollectionEndpoint is required for the AmazonOpenSearchServerless destination." };
    return undefined;
  }
  if ((config.DomainARN === undefined) === (config.ClusterEndpoint === undefined)) {
    return { message: "Exactly one of DomainARN or ClusterEndpoint must be specified." };
  }
  return undefined;
}

function endpointOf(variant: OpenSearchVariant, config: OpenSearchDestinationConfiguration, deps: DestinationDeps): string | { errorMessage: string } {
  const endpoint = variant === "AmazonOpenSearchServerless" ? config.CollectionEndpoint : (config.ClusterEndpoint ?? (config.DomainARN !== undefined ? deps.resolveDomainEndpoint?.(config.DomainARN) : undefined));
  if (endpoint === undefined) return { errorMessage: `No endpoint is known for ${config.DomainARN ?? "the destination"}: set ClusterEndpoint to the cluster's URL.` };
  return endpoint;
}

export function createOpenSearchDestination(variant: OpenSearchVariant, config: OpenSearchDestinationConfiguration, deps: DestinationDeps): FirehoseDestination {
  const retryDurationSeconds = config.RetryOptions?.DurationInSeconds ?? openSearchRetryDurationSecondsDefault;
  const agents = createAgents(deps.tls);
  const closing = new AbortController();
  const serverless = variant === "AmazonOpenSearchServerless";
  const withIds = !serverless && config.DocumentIdOptions?.DefaultDocumentIdFormat !== "NO_DOCUMENT_ID";
  const type = !serverless && config.TypeName !== undefined && config.TypeName !== "" ? config.TypeName : undefined;
  const rotation = serverless ? "NoRotation" : config.IndexRotationPeriod;

  const itemsOf = (batch: DeliveryBatch): BulkItem[] =>
    batch.records.map((record) => ({
      record,
      index: rotatedIndexName(config.IndexName, rotation, record.approximateArrivalTimestampMs),
      ...(type !== undefined ? { type } : {}),
      ...(withIds ? { id: record.recordId } : {}),
    }));

  async function bulk(items: readonly BulkItem[]): Promise<{ item: BulkItem; errorCode: string; errorMessage: string }[]> {
    const endpoint = endpointOf(variant, config, deps);
    if (typeof endpoint !== "string") return items.map((item) => ({ item, errorCode: "OS.EndpointNotFound", errorMessage: endpoint.errorMessage }));
    const url = new URL(`${endpoint.replace(/\/+$/, "")}/_bulk`);
    const answer = await httpPost(agents, url, { "Content-Type": "application/x-ndjson" }, bulkBody(items));
    if (!answer.ok) return items.map((item) => ({ item, errorCode: `OS.${answer.errorCode}`, errorMessage: answer.errorMessage }));
    const text = answer.body.toString("utf8");
    const results = answer.statusCode === 200 ? bulkResults(text, items.length) : undefined;
    if (results === undefined) return items.map((item) => ({ item, errorCode: String(answer.statusCode), errorMessage: text.slice(0, 1024) }));
    return results.flatMap((result, at) => (result.ok ? [] : [{ item: items[at]!, errorCode: result.errorCode, errorMessage: result.errorMessage }]));
  }

  async function attempt(batch: DeliveryBatch): Promise<DeliveryOutcome> {
    const failed = await bulk(itemsOf(batch));
    if (failed.length === 0) return { ok: true };
    return { ok: false, retriable: true, errorCode: failed[0]!.errorCode, errorMessage: failed[0]!.errorMessage, failedRecordIds: failed.map((failure) => failure.item.record.recordId) };
  }

  async function deliver(batch: DeliveryBatch): Promise<DeliveryOutcome> {
    return deliverWithRetryAndBackup({
      deps,
      s3: config.S3Configuration,
      batch,
      backupAll: config.S3BackupMode === "AllDocuments",
      retryDurationSeconds,
      signal: closing.signal,
      items: itemsOf(batch),
      attempt: async (pending) => ({ failed: await bulk(pending) }),
      errorOutputType: errorOutputTypes[variant],
      failuresOf: (failed) =>
        failed.map((failure) => ({
          record: failure.item.record,
          errorCode: failure.errorCode,
          errorMessage: failure.errorMessage,
          extra: { esDocumentId: failure.item.id ?? null, esIndexName: failure.item.index, esTypeName: failure.item.type ?? null },
        })),
    });
  }

  return closableDestination({ retryDurationSeconds, attempt, deliver, closing, agents });
}
