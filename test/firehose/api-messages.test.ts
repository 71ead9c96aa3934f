/**
 * firehose > api > messages: the InvalidArgumentException texts taken from the service (as
 * recorded by others: docs/firehose.md, "Messages", names the sources), each through
 * @aws-sdk/client-firehose, so a wording change fails here.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, StartDeliveryStreamEncryptionCommand, UpdateDestinationCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import type { TestServer } from "../helpers/server.js";
import { errorOf, firehoseClient, roleArn, startFirehoseServer, waitActive } from "./fixtures.js";

const bucket = "arn:aws:s3:::messages";
let server: TestServer;
let client: FirehoseClient;

before(async () => {
  server = await startFirehoseServer({ firehose: { deliveryEnabled: false } });
  client = firehoseClient(server);
});

after(async () => {
  client.destroy();
  await server.stop();
});

async function invalidArgument(promise: Promise<unknown>): Promise<string> {
  const error = await errorOf(promise);
  assert.equal(error.name, "InvalidArgumentException", error.message);
  return error.message;
}

function withProcessors(name: string, processors: { Type: string; Parameters: { ParameterName: string; ParameterValue: string }[] }[], extra: Record<string, unknown> = {}) {
  return new CreateDeliveryStreamCommand({
    DeliveryStreamName: name,
    ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: bucket, ProcessingConfiguration: { Enabled: true, Processors: processors as never }, ...extra },
  });
}

async function currentVersion(name: string): Promise<{ CurrentDeliveryStreamVersionId: string; DestinationId: string }> {
  await waitActive(client, name);
  const described = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
  return { CurrentDeliveryStreamVersionId: described.DeliveryStreamDescription!.VersionId!, DestinationId: described.DeliveryStreamDescription!.Destinations![0]!.DestinationId! };
}

describe("firehose > api > messages", () => {
  it("firehose > api > messages > a Kinesis source configuration on a DirectPut stream", async () => {
    const message = await invalidArgument(
      client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: "direct-with-source",
          KinesisStreamSourceConfiguration: { KinesisStreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/s", RoleARN: roleArn },
          ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: bucket },
        }),
      ),
    );
    assert.equal(message, "KinesisSourceStreamConfig is only applicable for KinesisStreamAsSource stream type");
  });

  it("firehose > api > messages > processors: CloudWatchLogProcessing without Decompression, MetadataExtraction without dynamic partitioning, a JQ engine other than JQ-1.6, a SubRecordType other than JSON or DELIMITED", async () => {
    assert.equal(
      await invalidArgument(client.send(withProcessors("cwl", [{ Type: "CloudWatchLogProcessing", Parameters: [{ ParameterName: "DataMessageExtraction", ParameterValue: "true" }] }]))),
      "CloudWatchLogProcessingProcessor can only be enabled with DecompressionProcessor",
    );
    const metadata = [{ Type: "MetadataExtraction", Parameters: [{ ParameterName: "MetadataExtractionQuery", ParameterValue: "{k: .k}" }, { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6" }] }];
    assert.equal(
      await invalidArgument(client.send(withProcessors("metadata", metadata))),
      "class com.amazonaws.services.firehose.internal.model.MetadataExtractionProcessor can only be present when Dynamic Partitioning is enabled.",
    );
    const oldJq = [{ Type: "MetadataExtraction", Parameters: [{ ParameterName: "MetadataExtractionQuery", ParameterValue: "{k: .k}" }, { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.5" }] }];
    assert.equal(await invalidArgument(client.send(withProcessors("jq", oldJq))), "MetaDataExtraction JSON Parsing Engine has to be one of JQ-1.6");
    assert.equal(
      await invalidArgument(client.send(withProcessors("deaggregation", [{ Type: "RecordDeAggregation", Parameters: [{ ParameterName: "SubRecordType", ParameterValue: "XML" }] }]))),
      "SubRecordType has to be one of JSON, DELIMITED",
    );
  });

  it("firehose > api > messages > an AWS-owned key with a KeyARN", async () => {
    await client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "encrypt-me", ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: bucket } }));
    await waitActive(client, "encrypt-me");
    const message = await invalidArgument(
      client.send(
        new StartDeliveryStreamEncryptionCommand({
          DeliveryStreamName: "encrypt-me",
          DeliveryStreamEncryptionConfigurationInput: { KeyType: "AWS_OWNED_CMK", KeyARN: "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
        }),
      ),
    );
    assert.equal(message, "KeyARN cannot be specified when KeyType is AWS_OWNED_CMK");
  });

  it("firehose > api > messages > a Redshift destination without a password", async () => {
    const message = await invalidArgument(
      client.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: "redshift-no-password",
          RedshiftDestinationConfiguration: {
            RoleARN: roleArn,
            ClusterJDBCURL: "jdbc:redshift://warehouse.redshift.localhost:5439/dev",
            CopyCommand: { DataTableName: "events" },
            Username: "loader",
            S3Configuration: { RoleARN: roleArn, BucketARN: bucket },
          },
        }),
      ),
    );
    assert.equal(message, "Redshift Database Password is required for Redshift Destination");
  });

  it("firehose > api > messages > UpdateDestination will not switch to or from an HTTP endpoint or OpenSearch", async () => {
    await client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "s3-stream", ExtendedS3DestinationConfiguration: { RoleARN: roleArn, BucketARN: bucket } }));
    const toHttp = await invalidArgument(
      client.send(new UpdateDestinationCommand({ DeliveryStreamName: "s3-stream", ...(await currentVersion("s3-stream")), HttpEndpointDestinationUpdate: { EndpointConfiguration: { Url: "https://sink.example/in" } } })),
    );
    assert.equal(toHttp, "Changing the destination type to or from HttpEndpoint is not supported at this time.");

    await client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "es-stream",
        ElasticsearchDestinationConfiguration: { RoleARN: roleArn, ClusterEndpoint: "https://search.example", IndexName: "i", S3Configuration: { RoleARN: roleArn, BucketARN: bucket } },
      }),
    );
    const fromEs = await invalidArgument(
      client.send(new UpdateDestinationCommand({ DeliveryStreamName: "es-stream", ...(await currentVersion("es-stream")), ExtendedS3DestinationUpdate: { RoleARN: roleArn, BucketARN: bucket } })),
    );
    assert.equal(fromEs, "Changing the destination type to or from Elasticsearch is not supported at this time.");
    // Within OpenSearch the switch is allowed.
    await client.send(
      new UpdateDestinationCommand({
        DeliveryStreamName: "es-stream",
        ...(await currentVersion("es-stream")),
        AmazonopensearchserviceDestinationUpdate: { ClusterEndpoint: "https://search.example", IndexName: "i" },
      }),
    );
  });
});
