/**
 * The S3 destination (S3DestinationConfiguration, ExtendedS3DestinationConfiguration) as a
 * buffered destination. Records are compressed into the buffer as they arrive (the output
 * module's incremental codecs), so a 128 MiB GZIP buffer holds compressed bytes, and a flush is
 * one putObject of the finished body through the object client under output's objectKey (Prefix
 * evaluated, CustomTimeZone, FileExtension). The key is fixed at the first attempt, so every
 * retry writes the same object.
 *
 * The buffer keeps the records themselves instead when it needs them at flush time:
 * - DataFormatConversionConfiguration enabled: the batch becomes one Parquet object (conversion.ts);
 *   records that do not convert go to the error output as format-conversion-failed;
 * - S3BackupMode Enabled: the records (the source records: backup is refused at Create together
 *   with processing, see actions/check-configuration.ts) are also written to S3BackupConfiguration;
 * - dynamic partitioning, when the batch lacks a key the Prefix names: the whole batch (one
 *   partition shares its keys) goes to the error output as partitioning-failed.
 *
 * Firehose retries S3 every 5 seconds for up to 24 hours and then discards the batch; so does
 * this destination (`retryDurationMs`).
 */
import { codecInfo, compressAll, compressorFor, objectExtension, objectKey, parsePrefix, type CompressionFormat, type Compressor } from "../../output/index.js";
import type { SchemaCatalog } from "../../../storage/schema-catalog.js";
import type { DeliveryOutcome, FailedRecord, PipelineRecord } from "../../delivery/contracts.js";
import type { BufferedDestination, DestinationBuffer, SealedBatch } from "../../delivery/engine/buffered-destination.js";
import type { DestinationDeps } from "../common/deps.js";
import { bucketOfArn, uuidFrom } from "../common/s3-keys.js";
import { byErrorOutputType, writeErrorObject, type ErrorOutputLocation } from "./error-objects.js";
import { conversionOf, convertBatch, parquetExtension } from "./conversion.js";
import { offsetMinutesOf } from "./time-zone.js";

/**
 * GZIP and ZIP deflate at level 1: on this 2-core machine level 6 (zlib's default) costs 52 ms of
 * CPU per MB against level 1's 13 ms, for objects about 19 % smaller (bench/firehose/output-codecs.ts;
 * docs/performance.md, Firehose). Even split over both cores (the codecs deflate 1 MiB pieces in
 * parallel), level 6 would need more CPU than the machine has beside a 50 MB/s ingest.
 */
const deliveryDeflateLevel = 1;

export interface S3DestinationInput {
  configuration: Record<string, unknown>;
  deps: DestinationDeps;
  /** The Glue tables format conversion reads its schema from. */
  schemaCatalog?: SchemaCatalog;
}

/** Firehose's S3 retry: every 5 s for up to 24 h. */
export const s3RetryDurationMs = 24 * 60 * 60 * 1000;
export const s3RetryIntervalMs = 5000;

type Outcome = DeliveryOutcome;
const retriable = (errorCode: string, errorMessage: string): Outcome => ({ ok: false, retriable: true, errorCode, errorMessage });

/** The partition keys a Prefix names (`!{partitionKeyFromQuery:k}`, `!{partitionKeyFromLambda:k}`). */
function partitionKeysNamed(prefix: string | undefined): { namespace: string; key: string }[] {
  const parsed = parsePrefix(prefix ?? "");
  if (!parsed.ok) return [];
  const named = [];
  for (const segment of parsed.segments) if (segment.kind === "partitionKeyFromQuery" || segment.kind === "partitionKeyFromLambda") named.push({ namespace: segment.kind, key: segment.key });
  return named;
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

export function createS3Destination(input: S3DestinationInput): BufferedDestination {
  const { configuration, deps } = input;
  const format = (configuration.CompressionFormat as CompressionFormat | undefined) ?? "UNCOMPRESSED";
  const conversion = conversionOf(configuration);
  const prefix = text(configuration.Prefix);
  const zone = text(configuration.CustomTimeZone);
  const bucketArn = String(configuration.BucketARN);
  // Converted objects carry no compression wrapper (Parquet compresses its pages itself).
  const extension = objectExtension(text(configuration.FileExtension), conversion !== undefined ? parquetExtension : codecInfo(format).extension);
  const contentEncoding = conversion !== undefined ? undefined : codecInfo(format).contentEncoding;
  const dynamic = (configuration.DynamicPartitioningConfiguration as { Enabled?: boolean } | undefined)?.Enabled === true;
  const namedKeys = dynamic ? partitionKeysNamed(prefix) : [];
  const backup = configuration.S3BackupMode === "Enabled" ? (configuration.S3BackupConfiguration as Record<string, unknown> | undefined) : undefined;
  const location: ErrorOutputLocation = { BucketARN: bucketArn, Prefix: prefix, ErrorOutputPrefix: text(configuration.ErrorOutputPrefix), CustomTimeZone: zone };
  const ensured = new Set<string>();

  async function put(bucketArnOf: string, key: string, body: Buffer, encoding: string | undefined): Promise<Outcome> {
    const bucket = bucketOfArn(bucketArnOf);
    if (!ensured.has(bucket)) {
      const made = await deps.objectClient.ensureBucket({ Bucket: bucket, accountId: deps.accountId });
      if (!made.ok && made.code !== "BucketAlreadyOwnedByYou") return retriable(`S3.${made.code}`, made.message);
      ensured.add(bucket);
    }
    const written = await deps.objectClient.putObject({ Bucket: bucket, Key: key, Body: body, ...(encoding !== undefined && { ContentEncoding: encoding }) });
    return written.ok ? { ok: true } : retriable(`S3.${written.code}`, written.message);
  }

  async function writeErrors(records: readonly FailedRecord[], batch: SealedBatch, detailsOf?: Parameters<typeof writeErrorObject>[0]["detailsOf"]): Promise<Outcome> {
    for (const group of byErrorOutputType(records)) {
      const written = await writeErrorObject({
        objectClient: deps.objectClient,
        accountId: deps.accountId,
        random: deps.random,
        location,
        deliveryStreamName: batch.deliveryStreamName,
        version: batch.deliveryStreamVersion,
        records: group,
        attemptsMade: 1,
        attemptEndingMs: deps.clock.nowMs(),
        ...(detailsOf !== undefined && { detailsOf }),
      });
      if (!written.ok) return retriable(written.errorCode, written.errorMessage);
    }
    return { ok: true };
  }

  return {
    retryDurationMs: s3RetryDurationMs,
    retryIntervalMs: s3RetryIntervalMs,
    open(): DestinationBuffer {
      let compressor: Compressor | undefined;
      let records: PipelineRecord[] | undefined;
      let missing: { namespace: string; key: string } | undefined;
      let opened = false;
      // What is done already, so a retry does only the rest and writes the same object.
      let body: Buffer | undefined;
      let key: string | undefined;
      let errorsWritten = false;
      let backupWritten = false;
      let backupUuid: string | undefined;
      return {
        async append(more: readonly PipelineRecord[]) {
          if (!opened && more.length > 0) {
            opened = true;
            // One buffer is one partition: its records share their keys.
            const keys = more[0]!.partitionKeys;
            missing = namedKeys.find((named) => keys?.[named.key] === undefined);
            if (missing !== undefined || conversion !== undefined || backup !== undefined) records = [];
            if (missing === undefined && conversion === undefined) compressor = compressorFor(format, { random: deps.random, deflateLevel: deliveryDeflateLevel });
          }
          if (records !== undefined) for (const record of more) records.push(record);
          if (compressor !== undefined) {
            for (const record of more) compressor.write(record.data);
            await compressor.drain();
          }
        },
        async deliver(batch: SealedBatch): Promise<Outcome> {
          if (missing !== undefined) {
            if (errorsWritten) return { ok: true };
            const failed = (records ?? []).map((record) => partitioningFailure(record, missing!));
            const outcome = await writeErrors(failed, batch);
            errorsWritten = outcome.ok;
            return outcome;
          }
          if (backup !== undefined && !backupWritten) {
            // Its own UUID, drawn once: every retry writes the same backup object.
            backupUuid ??= uuidFrom(deps.random);
            const outcome = await writeBackup(records ?? [], batch, backupUuid);
            if (!outcome.ok) return outcome;
            backupWritten = true;
          }
          if (conversion !== undefined && body === undefined) {
            const converted = await convertBatch(conversion, records ?? [], { schemaCatalog: input.schemaCatalog, accountId: deps.accountId, region: deps.region });
            if (converted.failed.length > 0 && !errorsWritten) {
              const outcome = await writeErrors(converted.failed, batch, converted.detailsOf);
              if (!outcome.ok) return outcome;
            }
            errorsWritten = true;
            body = converted.file;
          }
          body ??= await compressor!.finish();
          // Nothing converted: no data object, as Firehose writes none for an all-failed batch.
          if (body.length === 0 && conversion !== undefined) return { ok: true };
          key ??= objectKey({
            prefix,
            deliveryStreamName: batch.deliveryStreamName,
            version: batch.deliveryStreamVersion,
            arrivalMs: batch.firstArrivalMs,
            offsetMinutes: offsetMinutesOf(zone, batch.firstArrivalMs),
            uuid: batch.batchId,
            extension,
            random: deps.random,
            ...(batch.partitionKeys !== undefined && { partitionKeys: batch.partitionKeys }),
          });
          return put(bucketArn, key, body, contentEncoding);
        },
        discard() {
          if (body === undefined) compressor?.discard();
          compressor = undefined;
          body = undefined;
          records = undefined;
        },
      };
    },
  };

  /** S3BackupMode Enabled: the records as they came, under S3BackupConfiguration in its own format. */
  async function writeBackup(records: readonly PipelineRecord[], batch: SealedBatch, uuid: string): Promise<Outcome> {
    const backupFormat = (backup!.CompressionFormat as CompressionFormat | undefined) ?? "UNCOMPRESSED";
    const backupKey = objectKey({
      prefix: text(backup!.Prefix),
      deliveryStreamName: batch.deliveryStreamName,
      version: batch.deliveryStreamVersion,
      arrivalMs: batch.firstArrivalMs,
      offsetMinutes: offsetMinutesOf(zone, batch.firstArrivalMs),
      uuid,
      extension: codecInfo(backupFormat).extension,
      random: deps.random,
    });
    const body = await compressAll(backupFormat, records.map((record) => record.data), { random: deps.random });
    return put(String(backup!.BucketARN), backupKey, body, codecInfo(backupFormat).contentEncoding);
  }
}

function partitioningFailure(record: PipelineRecord, missing: { namespace: string; key: string }): FailedRecord {
  return {
    recordId: record.recordId,
    rawData: record.data,
    approximateArrivalTimestampMs: record.approximateArrivalTimestampMs,
    errorCode: missing.namespace === "partitionKeyFromLambda" ? "DynamicPartitioning.LambdaPartitionKeyMissing" : "DynamicPartitioning.PartitionKeyMissing",
    errorMessage: `The record has no value for ${missing.key}, which the S3 prefix names as !{${missing.namespace}:${missing.key}}.`,
    errorOutputType: "partitioning-failed",
  };
}

export { uuidFrom };
