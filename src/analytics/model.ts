/**
 * What the Analytics service stores of an application (store/applications.ts): its configuration
 * in AWS's wire names (v1's shapes: Input, Output, ReferenceDataSource, CloudWatchLoggingOption,
 * each with the id the service gave it), its code, version and status, and the service's own
 * bookkeeping. One JSON item of the `applications` table under `analytics@<account>`; every change
 * writes the whole item with a compare-and-set on its revision.
 */

export type ApplicationStatus = "DELETING" | "STARTING" | "STOPPING" | "READY" | "RUNNING" | "UPDATING";
export type StartingPosition = "NOW" | "TRIM_HORIZON" | "LAST_STOPPED_POINT";
export type RecordFormatType = "JSON" | "CSV";

export interface RecordColumn {
  Name: string;
  Mapping?: string;
  SqlType: string;
}

export interface RecordFormat {
  RecordFormatType: RecordFormatType;
  MappingParameters?: {
    JSONMappingParameters?: { RecordRowPath: string };
    CSVMappingParameters?: { RecordRowDelimiter: string; RecordColumnDelimiter: string };
  };
}

export interface SourceSchema {
  RecordFormat: RecordFormat;
  RecordEncoding?: string;
  RecordColumns: RecordColumn[];
}

export interface ResourceRole {
  ResourceARN: string;
  /** v1 requires a role; v2 applications have one service execution role instead. */
  RoleARN?: string;
}

export interface StoredInput {
  InputId: string;
  NamePrefix: string;
  InputProcessingConfiguration?: { InputLambdaProcessor: ResourceRole };
  KinesisStreamsInput?: ResourceRole;
  KinesisFirehoseInput?: ResourceRole;
  InputParallelism: { Count: number };
  InputSchema: SourceSchema;
  /** The position the application was last started with (DescribeApplication shows it). */
  InputStartingPositionConfiguration?: { InputStartingPosition?: StartingPosition };
}

export interface StoredOutput {
  OutputId: string;
  Name: string;
  KinesisStreamsOutput?: ResourceRole;
  KinesisFirehoseOutput?: ResourceRole;
  LambdaOutput?: ResourceRole;
  DestinationSchema: { RecordFormatType: RecordFormatType };
}

export interface StoredReference {
  ReferenceId: string;
  TableName: string;
  S3ReferenceDataSource: { BucketARN: string; FileKey: string; ReferenceRoleARN?: string };
  ReferenceSchema: SourceSchema;
}

export interface StoredLoggingOption {
  CloudWatchLoggingOptionId: string;
  LogStreamARN: string;
  RoleARN?: string;
}

export interface Tag {
  Key: string;
  Value?: string;
}

export interface StoredApplication {
  ApplicationName: string;
  ApplicationARN: string;
  ApplicationDescription?: string;
  ApplicationCode: string;
  ApplicationVersionId: number;
  createdAtMs: number;
  lastUpdatedAtMs?: number;
  /**
   * The status as last written; while `statusDueAtMs` lies ahead it is a transitional one
   * (STARTING, STOPPING, UPDATING, DELETING) that becomes `statusNext` then — read lazily, so no
   * timer has to persist the change (a DELETING application is removed by the first reader after it).
   */
  status: ApplicationStatus;
  statusDueAtMs?: number;
  statusNext?: ApplicationStatus | "GONE";
  /** Whether the runtime processes the application: set by StartApplication, cleared by StopApplication. */
  running: boolean;
  /** Counts starts: the runtime tells one run from the next (a restart reads from its start's positions). */
  runNumber: number;
  /** When the current run was started (StartApplication): NOW reads from this instant. */
  runStartedAtMs?: number;
  inputs: StoredInput[];
  outputs: StoredOutput[];
  references: StoredReference[];
  loggingOptions: StoredLoggingOption[];
  tags: Tag[];
  /** Unique to this incarnation of the name (lowercase hex): keys its checkpoints. */
  incarnationId: string;
  /** Which API created it: v1 actions refuse an application of the v2 API, as the service does. */
  api: "v1" | "v2";
  /** v2 only. */
  ServiceExecutionRole?: string;
  RuntimeEnvironment?: "SQL-1_0";
  /** v2: ApplicationConfigurationDescription.ApplicationSnapshotConfigurationDescription etc. are not kept (SQL applications have none). */
  conditionalToken?: string;
}

/** A running application's checkpoint (runtime/checkpoints.ts describes what it promises). */
export interface StoredCheckpoint {
  /** Format version of `state`. */
  version: 1;
  state: unknown;
}
