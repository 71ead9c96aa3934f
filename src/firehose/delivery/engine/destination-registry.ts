/**
 * Picks the destination module by the stored destination's kind: S3 and ExtendedS3 are ours
 * (destinations/s3, buffered compressed); the others are the DESTINATIONS helper's factories
 * (destinations/<name>/index.ts), adapted as record lists. A kind without a module yet answers
 * undefined: the engine then leaves the stream's records in its source, undelivered and unsettled.
 */
import type { StoredDestination } from "../../model.js";
import type { DestinationDeps } from "../../destinations/common/deps.js";
import { createS3Destination } from "../../destinations/s3/s3-destination.js";
import { createRedshiftDestination, type RedshiftDestinationConfiguration } from "../../destinations/redshift/index.js";
import { recordListDestination, type BufferedDestination } from "./buffered-destination.js";

export function destinationFor(destination: StoredDestination, deps: DestinationDeps): BufferedDestination | undefined {
  const configuration = destination.configuration;
  switch (destination.kind) {
    case "S3":
    case "ExtendedS3":
      return createS3Destination({ configuration, deliveryStreamName: deps.deliveryStreamName, accountId: deps.accountId, objectClient: deps.objectClient, random: deps.random });
    case "Redshift": {
      const redshift = createRedshiftDestination(configuration as unknown as RedshiftDestinationConfiguration, deps);
      return recordListDestination(redshift, redshift.retryDurationSeconds * 1000);
    }
    default:
      return undefined;
  }
}

/** BufferingHints of the destination (Firehose's defaults: 5 MiB, 300 s). */
export function bufferingOf(destination: StoredDestination): { sizeBytes: number; intervalMs: number } {
  // Redshift has no BufferingHints of its own: its intermediate S3Configuration's hints batch the COPYs.
  const s3Configuration = destination.kind === "Redshift" ? (destination.configuration.S3Configuration as { BufferingHints?: unknown } | undefined) : undefined;
  const hints = (destination.configuration.BufferingHints ?? s3Configuration?.BufferingHints ?? {}) as { SizeInMBs?: number; IntervalInSeconds?: number };
  return { sizeBytes: (hints.SizeInMBs ?? 5) * 1024 * 1024, intervalMs: (hints.IntervalInSeconds ?? 300) * 1000 };
}
