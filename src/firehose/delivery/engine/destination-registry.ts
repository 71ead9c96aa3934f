/**
 * Picks the destination module by the stored destination's kind: S3 and ExtendedS3 are ours
 * (destinations/s3, buffered compressed or converted); the others are the factories of
 * destinations/index.ts (Redshift, the three OpenSearch kinds, HttpEndpoint, Splunk), adapted as
 * record lists. A kind without a module (none today: Snowflake and Iceberg are refused at Create)
 * answers undefined: the engine then leaves the stream's records in its source, undelivered.
 *
 * The factories' deliver() carries out Firehose's whole rule for a batch (attempts until
 * RetryOptions.DurationInSeconds, then the failed records to the S3Configuration bucket) and
 * answers a retriable failure only when even that backup write failed. The engine then retries
 * the batch as it retries S3 (every 5 s for 24 h): what is left to do is an S3 write.
 */
import type { StoredDestination } from "../../model.js";
import type { DestinationDeps } from "../../destinations/common/deps.js";
import type { SchemaCatalog } from "../../../storage/schema-catalog.js";
import { createS3Destination, s3RetryDurationMs, s3RetryIntervalMs } from "../../destinations/s3/s3-destination.js";
import { destinationFactories, type DestinationKind as FactoryKind } from "../../destinations/index.js";
import { conversionOf } from "../../destinations/s3/conversion.js";
import { recordListDestination, type BufferedDestination } from "./buffered-destination.js";

/**
 * The stored kind (the API member's name without "DestinationConfiguration":
 * `AmazonopensearchserviceDestinationConfiguration` on the wire) → the factory's kind.
 */
export function factoryKindOf(kind: StoredDestination["kind"]): FactoryKind | undefined {
  switch (kind) {
    case "Redshift":
    case "Elasticsearch":
    case "AmazonOpenSearchServerless":
    case "HttpEndpoint":
    case "Splunk":
      return kind;
    case "Amazonopensearchservice":
      return "AmazonopensearchService";
    default:
      return undefined;
  }
}

export function destinationFor(destination: StoredDestination, deps: DestinationDeps & { schemaCatalog?: SchemaCatalog }): BufferedDestination | undefined {
  const configuration = destination.configuration;
  if (destination.kind === "S3" || destination.kind === "ExtendedS3") {
    return createS3Destination({ configuration, deps, ...(deps.schemaCatalog !== undefined && { schemaCatalog: deps.schemaCatalog }) });
  }
  const kind = factoryKindOf(destination.kind);
  if (kind === undefined) return undefined;
  const created = destinationFactories[kind].create(configuration, deps);
  const buffered = recordListDestination(created, s3RetryDurationMs);
  return { ...buffered, retryIntervalMs: s3RetryIntervalMs };
}

/** Firehose's default BufferingHints by kind: 5 MiB and 300 s, Splunk 60 s (128 MiB with dynamic partitioning or conversion). */
const intervalSecondsDefault: Partial<Record<StoredDestination["kind"], number>> = { Splunk: 60 };

/** BufferingHints of the destination. */
export function bufferingOf(destination: StoredDestination): { sizeBytes: number; intervalMs: number } {
  // Redshift has no BufferingHints of its own: its intermediate S3Configuration's hints batch the COPYs.
  const s3Configuration = destination.kind === "Redshift" ? (destination.configuration.S3Configuration as { BufferingHints?: unknown } | undefined) : undefined;
  const hints = (destination.configuration.BufferingHints ?? s3Configuration?.BufferingHints ?? {}) as { SizeInMBs?: number; IntervalInSeconds?: number };
  // Dynamic partitioning and format conversion need at least 64 MiB; their default is the most, 128.
  const large = destination.kind === "ExtendedS3" && ((destination.configuration.DynamicPartitioningConfiguration as { Enabled?: boolean } | undefined)?.Enabled === true || conversionOf(destination.configuration) !== undefined);
  return { sizeBytes: (hints.SizeInMBs ?? (large ? 128 : 5)) * 1024 * 1024, intervalMs: (hints.IntervalInSeconds ?? intervalSecondsDefault[destination.kind] ?? 300) * 1000 };
}
