/**
 * The S3 destination (S3DestinationConfiguration, ExtendedS3DestinationConfiguration) as a
 * buffered destination: records are compressed into the buffer as they arrive (the output
 * helper's incremental codecs), so a 128 MiB GZIP buffer holds compressed bytes, and a flush is
 * one putObject of the finished body through deps.objectClient under the evaluated key. The key
 * (with its UUID) is fixed when the buffer is sealed, so every retry writes the same object.
 *
 * Firehose retries S3 every 5 seconds for up to 24 hours and then discards the batch; so does
 * this destination (`retryDurationMs`), and nothing of a compressed buffer goes to the error output.
 */
import { codecInfo, compressorFor, type CompressionFormat, type Compressor } from "../../output/index.js";
import type { ObjectClient } from "../../../storage/object-client/object-client.js";
import type { Random } from "../../../util/random.js";
import type { DeliveryOutcome, PipelineRecord } from "../../delivery/contracts.js";
import type { BufferedDestination, DestinationBuffer, SealedBatch } from "../../delivery/engine/buffered-destination.js";
import { bucketOfArn, uuidFrom } from "../common/s3-keys.js";
import { objectKey } from "./object-key.js";

export interface S3DestinationInput {
  configuration: Record<string, unknown>;
  deliveryStreamName: string;
  accountId: string;
  objectClient: ObjectClient;
  random: Random;
}

/** Firehose's S3 retry: every 5 s for up to 24 h. */
export const s3RetryDurationMs = 24 * 60 * 60 * 1000;
export const s3RetryIntervalMs = 5000;

const randomStringAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

export function createS3Destination(input: S3DestinationInput): BufferedDestination {
  const { configuration } = input;
  const format = (configuration.CompressionFormat as CompressionFormat | undefined) ?? "UNCOMPRESSED";
  const bucket = bucketOfArn(String(configuration.BucketARN));
  const extension = typeof configuration.FileExtension === "string" && configuration.FileExtension !== "" ? configuration.FileExtension : codecInfo(format).extension;
  const randomString = () => [...input.random.bytes(11)].map((byte) => randomStringAlphabet[byte % randomStringAlphabet.length]).join("");
  let bucketEnsured = false;
  return {
    retryDurationMs: s3RetryDurationMs,
    retryIntervalMs: s3RetryIntervalMs,
    open(): DestinationBuffer {
      const compressor: Compressor = compressorFor(format, { random: input.random });
      let body: Buffer | undefined;
      return {
        async append(records: readonly PipelineRecord[]) {
          for (const record of records) compressor.write(record.data);
          await compressor.drain();
        },
        async deliver(batch: SealedBatch): Promise<DeliveryOutcome> {
          body ??= await compressor.finish();
          const key = objectKey(configuration.Prefix as string | undefined, batch.deliveryStreamName, batch.deliveryStreamVersion, batch.batchId, extension, {
            atMs: batch.firstArrivalMs,
            ...(batch.partitionKeys !== undefined && { partitionKeys: batch.partitionKeys }),
            randomString,
          });
          if (!bucketEnsured) {
            const ensured = await input.objectClient.ensureBucket({ Bucket: bucket, accountId: input.accountId });
            if (!ensured.ok && ensured.code !== "BucketAlreadyOwnedByYou") return { ok: false, retriable: true, errorCode: `S3.${ensured.code}`, errorMessage: ensured.message };
            bucketEnsured = true;
          }
          const contentEncoding = codecInfo(format).contentEncoding;
          const put = await input.objectClient.putObject({ Bucket: bucket, Key: key, Body: body, ...(contentEncoding !== undefined && { ContentEncoding: contentEncoding }) });
          return put.ok ? { ok: true } : { ok: false, retriable: true, errorCode: `S3.${put.code}`, errorMessage: put.message };
        },
        discard() {
          if (body === undefined) compressor.discard();
          body = undefined;
        },
      };
    },
  };
}

export { uuidFrom };
