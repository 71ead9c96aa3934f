/** Consumers as the API returns them: `Consumer` (Register, List) and `ConsumerDescription` (Describe). */
import type { ConsumerMeta } from "../model.js";

export interface ConsumerOutput {
  ConsumerName: string;
  ConsumerARN: string;
  ConsumerStatus: ConsumerMeta["ConsumerStatus"];
  ConsumerCreationTimestamp: Date;
}

export function consumerOutput(consumer: ConsumerMeta): ConsumerOutput {
  return {
    ConsumerName: consumer.ConsumerName,
    ConsumerARN: consumer.ConsumerARN,
    ConsumerStatus: consumer.ConsumerStatus,
    ConsumerCreationTimestamp: new Date(consumer.createdAtMs),
  };
}

export function consumerDescription(consumer: ConsumerMeta, streamArn: string): ConsumerOutput & { StreamARN: string } {
  return { ...consumerOutput(consumer), StreamARN: streamArn };
}
