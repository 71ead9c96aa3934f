/**
 * What Firehose stores of a delivery stream (store/delivery-streams.ts): the request's
 * configuration as validated (AWS wire names), plus the service's own bookkeeping. A stream is one
 * JSON item of the `delivery-streams` table under `firehose@<account>`; each update writes the
 * whole item with a compare-and-set on its revision.
 */

export type DeliveryStreamType = "DirectPut" | "KinesisStreamAsSource" | "MSKAsSource" | "DatabaseAsSource";

/** The destination configuration members of CreateDeliveryStream, each mapped to its kind. */
export const destinationKinds = {
  S3DestinationConfiguration: "S3",
  ExtendedS3DestinationConfiguration: "ExtendedS3",
  RedshiftDestinationConfiguration: "Redshift",
  ElasticsearchDestinationConfiguration: "Elasticsearch",
  AmazonopensearchserviceDestinationConfiguration: "Amazonopensearchservice",
  AmazonOpenSearchServerlessDestinationConfiguration: "AmazonOpenSearchServerless",
  SplunkDestinationConfiguration: "Splunk",
  HttpEndpointDestinationConfiguration: "HttpEndpoint",
  SnowflakeDestinationConfiguration: "Snowflake",
  IcebergDestinationConfiguration: "Iceberg",
} as const;

export type DestinationKind = (typeof destinationKinds)[keyof typeof destinationKinds];

export interface StoredDestination {
  DestinationId: string;
  kind: DestinationKind;
  /** The destination's configuration as CreateDeliveryStream took it, UpdateDestination merged into it. */
  configuration: Record<string, unknown>;
}

export interface StoredEncryption {
  KeyType: "AWS_OWNED_CMK" | "CUSTOMER_MANAGED_CMK";
  KeyARN?: string;
  Status: "ENABLED" | "ENABLING" | "DISABLED" | "DISABLING";
}

export interface StoredDeliveryStream {
  DeliveryStreamName: string;
  DeliveryStreamARN: string;
  DeliveryStreamType: DeliveryStreamType;
  /** Increments with each UpdateDestination (and encryption change), as a decimal string. */
  VersionId: string;
  createdAtMs: number;
  /** The stream reads ACTIVE from this time on (CREATING before). */
  activeAtMs: number;
  lastUpdatedAtMs?: number;
  destinations: StoredDestination[];
  /** KinesisStreamAsSource: the stream read and when delivery started (DescribeDeliveryStream's DeliveryStartTimestamp). */
  kinesisSource?: { KinesisStreamARN: string; RoleARN: string; deliveryStartMs: number };
  /**
   * Unique to this incarnation of the name (lowercase hex): keys its source checkpoints, and for
   * DirectPut is the LogStore stream id of its durable ingest log (named by a catalog entry).
   */
  incarnationId: string;
  encryption?: StoredEncryption;
  tags: { Key: string; Value?: string }[];
}

/** The checkpoint of one lane of a delivery stream's source (the DirectPut log, or one Kinesis shard). */
export interface StoredCheckpoint {
  /** DirectPut: the next log offset to deliver; Kinesis: the last sequence number delivered, or "SHARD_END". */
  position: string;
}
