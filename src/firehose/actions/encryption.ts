/**
 * StartDeliveryStreamEncryption / StopDeliveryStreamEncryption: server-side encryption of a
 * DirectPut stream's data at rest. The status is recorded and reported (ENABLED/DISABLED at once,
 * the ENABLING/DISABLING phase being instant here); PutRecord answers `Encrypted` by it.
 */
import { defineAction } from "../context.js";
import { firehoseRequestShapes } from "../shapes/model.generated.js";
import { firehoseErrors } from "../errors.js";
import { requireStream } from "./common.js";

type KeyInput = { KeyType: "AWS_OWNED_CMK" | "CUSTOMER_MANAGED_CMK"; KeyARN?: string };

function checkKey(key: KeyInput | undefined): void {
  if (key?.KeyType === "CUSTOMER_MANAGED_CMK" && key.KeyARN === undefined) throw firehoseErrors.invalidArgument("KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK.");
  if (key?.KeyType === "AWS_OWNED_CMK" && key.KeyARN !== undefined) throw firehoseErrors.invalidArgument("KeyARN cannot be specified when KeyType is AWS_OWNED_CMK");
}

export const startDeliveryStreamEncryption = defineAction<{ DeliveryStreamName: string; DeliveryStreamEncryptionConfigurationInput?: KeyInput }, Record<string, never>>({
  iamAction: "firehose:StartDeliveryStreamEncryption",
  shape: firehoseRequestShapes.StartDeliveryStreamEncryption,
  async run(context, input) {
    checkKey(input.DeliveryStreamEncryptionConfigurationInput);
    const stream = await requireStream(context, input.DeliveryStreamName);
    if (stream.DeliveryStreamType !== "DirectPut") throw firehoseErrors.invalidArgument(`This operation is not supported for ${stream.DeliveryStreamType} delivery stream type.`);
    const key = input.DeliveryStreamEncryptionConfigurationInput ?? { KeyType: "AWS_OWNED_CMK" as const };
    await context.store.update(context.accountId, stream.DeliveryStreamName, (current) => ({ ...current, encryption: { ...key, Status: "ENABLED" } }));
    return {};
  },
});

export const stopDeliveryStreamEncryption = defineAction<{ DeliveryStreamName: string }, Record<string, never>>({
  iamAction: "firehose:StopDeliveryStreamEncryption",
  shape: firehoseRequestShapes.StopDeliveryStreamEncryption,
  async run(context, input) {
    const stream = await requireStream(context, input.DeliveryStreamName);
    if (stream.DeliveryStreamType !== "DirectPut") throw firehoseErrors.invalidArgument(`This operation is not supported for ${stream.DeliveryStreamType} delivery stream type.`);
    await context.store.update(context.accountId, stream.DeliveryStreamName, (current) => {
      const { encryption: _, ...rest } = current;
      return { ...rest, encryption: { KeyType: current.encryption?.KeyType ?? "AWS_OWNED_CMK", Status: "DISABLED" } };
    });
    return {};
  },
});
