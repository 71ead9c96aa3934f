/**
 * Enhanced fan-out consumers (RegisterStreamConsumer and friends): stored with their stream in the
 * catalog (`StreamMeta.consumers`, docs/formats/catalog.md), ARNs as AWS writes them, status read
 * lazily. SubscribeToShard finds its consumer with `findConsumer`.
 */
export type { ConsumerMeta, ConsumerStatus } from "../model.js";
export { findConsumer, consumerStreamName, pickConsumer, requireConsumer, type ConsumerReference, type FoundConsumer } from "./lookup.js";
export { consumerArn, parseConsumerArn, createdSeconds, type ParsedConsumerArn } from "./consumer-arn.js";
export { consumerAsOf, consumersOf, isRegistered, withConsumers } from "./status.js";
export { changeConsumers, creatingCount, deregisterAll, type ConsumersChange } from "./change.js";
export { consumerDescription, consumerOutput, type ConsumerOutput } from "./describe.js";
export { consumerLimits } from "./limits.js";
export { ConsumerARN, ConsumerName, consumerReference } from "./shapes.js";
