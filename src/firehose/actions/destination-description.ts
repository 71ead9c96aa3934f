/**
 * DescribeDeliveryStream's view of a stored destination: the configuration with Firehose's
 * defaults filled in (BufferingHints 5 MiB / 300 s, UNCOMPRESSED, NoEncryption, logging off,
 * S3BackupMode Disabled), the nested S3 configuration as an S3DestinationDescription, and
 * secrets (passwords, access keys, tokens) left out, as Firehose never returns them.
 */
import type { StoredDestination } from "../model.js";

const secretMembers = new Set(["Password", "AccessKey", "HECToken", "PrivateKey", "KeyPassphrase"]);

export function s3Description(configuration: Record<string, unknown>): Record<string, unknown> {
  return {
    RoleARN: configuration.RoleARN,
    BucketARN: configuration.BucketARN,
    ...(configuration.Prefix !== undefined && { Prefix: configuration.Prefix }),
    ...(configuration.ErrorOutputPrefix !== undefined && { ErrorOutputPrefix: configuration.ErrorOutputPrefix }),
    BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300, ...(configuration.BufferingHints as object | undefined) },
    CompressionFormat: configuration.CompressionFormat ?? "UNCOMPRESSED",
    EncryptionConfiguration: configuration.EncryptionConfiguration ?? { NoEncryptionConfig: "NoEncryption" },
    CloudWatchLoggingOptions: configuration.CloudWatchLoggingOptions ?? { Enabled: false },
  };
}

function extendedS3Description(configuration: Record<string, unknown>): Record<string, unknown> {
  const { S3BackupConfiguration, ...rest } = configuration;
  return {
    ...rest,
    ...s3Description(configuration),
    S3BackupMode: configuration.S3BackupMode ?? "Disabled",
    ...(S3BackupConfiguration !== undefined && { S3BackupDescription: s3Description(S3BackupConfiguration as Record<string, unknown>) }),
  };
}

/** Other destinations: their configuration as given, the nested S3 configuration described, secrets left out. */
function genericDescription(configuration: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(configuration)) {
    if (secretMembers.has(name)) continue;
    if (name === "S3Configuration") out.S3DestinationDescription = s3Description(value as Record<string, unknown>);
    else if (name === "S3BackupConfiguration") out.S3BackupDescription = s3Description(value as Record<string, unknown>);
    else out[name] = value;
  }
  return out;
}

export function destinationDescription(destination: StoredDestination): Record<string, unknown> {
  const { DestinationId, kind, configuration } = destination;
  switch (kind) {
    case "S3":
      return { DestinationId, S3DestinationDescription: s3Description(configuration) };
    case "ExtendedS3":
      // Firehose shows an extended S3 destination under both names.
      return { DestinationId, S3DestinationDescription: s3Description(configuration), ExtendedS3DestinationDescription: extendedS3Description(configuration) };
    default:
      return { DestinationId, [`${kind}DestinationDescription`]: genericDescription(configuration) };
  }
}
