import { defineAction } from "../context.js";
import { firehoseRequestShapes } from "../shapes/model.generated.js";
import { firehoseErrors } from "../errors.js";
import { destinationKinds, type DeliveryStreamType, type StoredDeliveryStream } from "../model.js";
import { deliveryStreamArn, firstDestinationId } from "./common.js";
import { checkDestination, checkProcessingConfiguration } from "./check-configuration.js";

type CreateInput = Record<string, unknown> & {
  DeliveryStreamName: string;
  DeliveryStreamType?: DeliveryStreamType;
  KinesisStreamSourceConfiguration?: { KinesisStreamARN: string; RoleARN: string };
  DeliveryStreamEncryptionConfigurationInput?: { KeyType: "AWS_OWNED_CMK" | "CUSTOMER_MANAGED_CMK"; KeyARN?: string };
  Tags?: { Key: string; Value?: string }[];
};

/** Destinations this server does not deliver to: refused at creation rather than accepted and never delivered. */
const unsupportedKinds = new Set(["Snowflake", "Iceberg"]);

export const createDeliveryStream = defineAction<CreateInput, { DeliveryStreamARN: string }>({
  iamAction: "firehose:CreateDeliveryStream",
  shape: firehoseRequestShapes.CreateDeliveryStream,
  async run(context, input) {
    const type = input.DeliveryStreamType ?? "DirectPut";
    if (type === "MSKAsSource" || type === "DatabaseAsSource") throw firehoseErrors.invalidArgument(`DeliveryStreamType ${type} is not supported by this server.`);
    if (type === "KinesisStreamAsSource" && input.KinesisStreamSourceConfiguration === undefined) {
      throw firehoseErrors.invalidArgument("KinesisStreamSourceConfiguration is required for KinesisStreamAsSource delivery stream type.");
    }
    if (type !== "KinesisStreamAsSource" && input.KinesisStreamSourceConfiguration !== undefined) {
      throw firehoseErrors.invalidArgument("KinesisSourceStreamConfig is only applicable for KinesisStreamAsSource stream type");
    }
    if (type === "KinesisStreamAsSource" && input.DeliveryStreamEncryptionConfigurationInput !== undefined) {
      throw firehoseErrors.invalidArgument("Server-side encryption is not supported for KinesisStreamAsSource delivery stream type.");
    }
    const given = Object.entries(destinationKinds).filter(([member]) => input[member] !== undefined);
    if (given.length !== 1) throw firehoseErrors.oneDestination();
    const [member, kind] = given[0]!;
    if (unsupportedKinds.has(kind)) throw firehoseErrors.invalidArgument(`${member} is not supported by this server.`);
    const configuration = input[member] as Record<string, unknown>;
    checkProcessingConfiguration(configuration);
    await checkDestination(kind, configuration);
    if (type === "KinesisStreamAsSource") {
      const view = await context.streamAccess.describeStream(input.KinesisStreamSourceConfiguration!.KinesisStreamARN);
      if (view === undefined) throw firehoseErrors.invalidArgument(`Stream ${input.KinesisStreamSourceConfiguration!.KinesisStreamARN} not found.`);
    }
    const nowMs = context.clock.nowMs();
    const name = input.DeliveryStreamName;
    const stream: StoredDeliveryStream = {
      DeliveryStreamName: name,
      DeliveryStreamARN: deliveryStreamArn(context.config.region, context.accountId, name),
      DeliveryStreamType: type,
      VersionId: "1",
      createdAtMs: nowMs,
      activeAtMs: nowMs + context.config.createDelayMs,
      destinations: [{ DestinationId: firstDestinationId, kind, configuration }],
      incarnationId: context.random.bytes(12).toString("hex"),
      tags: input.Tags ?? [],
      ...(input.KinesisStreamSourceConfiguration !== undefined && {
        kinesisSource: { ...input.KinesisStreamSourceConfiguration, deliveryStartMs: nowMs },
      }),
      ...(input.DeliveryStreamEncryptionConfigurationInput !== undefined && {
        encryption: { ...input.DeliveryStreamEncryptionConfigurationInput, Status: "ENABLED" as const },
      }),
    };
    if ((await context.store.get(context.accountId, name)) !== undefined) throw firehoseErrors.resourceInUse(name, context.accountId);
    // The ingest log is named in the catalog before the stream exists, so no acknowledged record
    // is ever in a log the engine could remove at its next open.
    if (type === "DirectPut") {
      const registered = await context.ingest.register(context.accountId, name, stream.incarnationId);
      if (!registered.ok) throw firehoseErrors.storageUnavailable(registered.failure);
    }
    if (!(await context.store.create(context.accountId, stream))) {
      if (type === "DirectPut") await context.ingest.unregister(context.accountId, name, stream.incarnationId);
      throw firehoseErrors.resourceInUse(name, context.accountId);
    }
    context.delivery.streamChanged(context.accountId, name);
    return { DeliveryStreamARN: stream.DeliveryStreamARN };
  },
});
