/**
 * SubscribeToShard's machinery (enhanced fan-out): the stream-change notifier stream stores and
 * reshards wake subscriptions through (appends wake them through the shard log's watch), the per-consumer-and-shard claims with AWS's 5-second and 5-minute
 * rules (held across the nodes of a shared engine by a catalog record each: shared-claims.ts), and
 * the pump that sends a shard's records as SubscribeToShardEvent messages.
 */
export { ShardNotifier, Waker } from "./shard-notifier.js";
export { ClockAlarms, type Alarm } from "./clock-alarms.js";
export { Subscriptions, SubscriptionClaim, subscriptionMs, takeoverAfterMs, claimsMax, type StopReason, type SharedSubscriptionsDeps } from "./subscriptions.js";
export {
  SharedClaims, subscriptionNamespace, subscriptionAccountOf, subscriptionRecordName, recordLapseMs, sweepIntervalMs, sweepRemovalsMax,
  type SubscriptionRecord, type SharedHold,
} from "./shared-claims.js";
export { runSubscription, continuationBefore, heartbeatMs, eventRecordsMax, eventBytesMax, type SubscriptionStart } from "./subscription.js";
