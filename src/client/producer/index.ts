/** The producer: batching, aggregation, retries, ordering, rate limiting and backpressure over PutRecords. */
export { Producer } from "./producer.js";
export type { Accepted } from "./producer.js";
export type { PutResult } from "./batch-select.js";
export type { ProducerOptions } from "./options.js";
export type { Clock, Timer } from "../../util/clock.js";
export type { ProducerRecord } from "./record-check.js";
export { ProducerError } from "./errors.js";
export { jitteredBackoffMs } from "../retry.js";
export { ShardMap, listOpenShards } from "./shard-map.js";
export type { ShardRange, StreamRef } from "./shard-map.js";
