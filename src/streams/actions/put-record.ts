import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { DryRun, HashKey, PartitionKey, SequenceNumber, streamReference } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import { checkRecordSize, parseOrderingSequence, recordSequenceNumber, requireWritableStream, resolveHashKey, shardRouter, shardSequence } from "../records/index.js";
import { enterWhenOpen } from "../records/write-gate.js";
import { metClosedShard, rerouteAttemptsMax, streamAfterClose } from "../records/closed-shards.js";
import { AutoPlacement, checkPartitionKeysPresent, isServiceDistributed } from "../records/distribution.js";
import { sealRecord } from "../encryption/index.js";
import type { AppendOutcome } from "../../storage/types.js";
import type { ShardMeta } from "../model.js";
import type { StreamReference } from "../stream-registry.js";

interface PutRecordInput extends StreamReference {
  SequenceNumberForOrdering?: string;
  /** Required unless the stream's record distribution strategy is AUTO (records/distribution.ts). */
  PartitionKey?: string;
  ExplicitHashKey?: string;
  Data: Buffer;
  DryRun?: boolean;
}

interface PutRecordOutput {
  ShardId: string;
  SequenceNumber: string;
  EncryptionType: "NONE" | "KMS";
}

export const putRecord = defineAction<PutRecordInput, PutRecordOutput>({
  iamAction: "kinesis:PutRecord",
  resources: streamResource,
  plane: "data",
  shape: {
    type: "structure",
    members: {
      SequenceNumberForOrdering: SequenceNumber,
      PartitionKey,
      ExplicitHashKey: HashKey,
      Data: { type: "blob", required: true, lengthMax: limits.recordDataBytesMax },
      ...streamReference,
      DryRun,
    },
  },
  async run(context, input) {
    // Latency is on the injected clock; read only when metrics are kept.
    const startMs = context.metrics.enabled ? context.clock.nowMs() : 0;
    let meta = requireWritableStream(context, input);
    const metrics = context.metrics.stream(meta);
    // AUTO: the service places the record, ignoring PartitionKey and ExplicitHashKey, and refuses ordering.
    const auto = isServiceDistributed(meta);
    if (auto && input.SequenceNumberForOrdering !== undefined) throw streamsErrors.orderingOnAutoDistribution(meta.StreamName, context.accountId);
    if (!auto && input.PartitionKey === undefined) checkPartitionKeysPresent(["partitionKey"]);
    const partitionKey = input.PartitionKey ?? "";
    checkRecordSize("data", input, meta);
    const hashKey = auto ? undefined : resolveHashKey(partitionKey, input.ExplicitHashKey);
    if (input.DryRun === true) {
      if (input.SequenceNumberForOrdering !== undefined) {
        parseOrderingSequence(input.SequenceNumberForOrdering, meta.StreamName, context.accountId, context.clock.nowMs());
      }
      throw streamsErrors.dryRunSucceeded();
    }
    // Held from routing until the append settles, so a reshard never closes the shard under it.
    let gate = context.streams.writeGates.of(meta.streamId);
    if (!gate.enter()) ({ meta, gate } = await enterWhenOpen(context, input, gate));
    let shard: ShardMeta;
    let outcome: AppendOutcome;
    // An empty partition key stores "written without one"; an AUTO stream keeps no ExplicitHashKey.
    const record = { partitionKey, data: input.Data, ...(!auto && input.ExplicitHashKey !== undefined && { explicitHashKey: input.ExplicitHashKey }) };
    try {
      const nowMs = context.clock.nowMs();
      // Checked, and then kept by the layout itself: the same key's next record is on this shard or a child (records/ordering.ts).
      if (input.SequenceNumberForOrdering !== undefined) parseOrderingSequence(input.SequenceNumberForOrdering, meta.StreamName, context.accountId, nowMs);
      const writes = context.throughput?.writes(meta, nowMs);
      if (hashKey === undefined) {
        // An AUTO stream's record goes to another open shard before it is throttled.
        const placement = new AutoPlacement(meta, context.random);
        const first = placement.next();
        const admitted = placement.admit(first, writes, partitionKey, input.Data);
        if (admitted === undefined) {
          metrics?.putRecordThrottled(meta, first, context.clock.nowMs() - startMs);
          throw streamsErrors.shardRateExceeded(first.ShardId, meta.StreamName, context.accountId);
        }
        shard = admitted;
      } else {
        shard = shardRouter(meta)(hashKey);
        // The shard's 1,000 records and 1 MiB a second (streams/limits); a refused record is not written.
        if (writes !== undefined && !writes.admit(shard.shardIndex, partitionKey, input.Data)) {
          metrics?.putRecordThrottled(meta, shard, context.clock.nowMs() - startMs);
          throw streamsErrors.shardRateExceeded(shard.ShardId, meta.StreamName, context.accountId);
        }
      }
      const log = context.logs.shard(meta.streamId, shard.shardIndex);
      // An encrypted stream's record is stored sealed (streams/encryption).
      outcome = await log.append([meta.EncryptionType === "KMS" ? await sealRecord(context, meta, shard.shardIndex, record) : record], nowMs);
    } finally {
      gate.leave();
    }
    // The shard was sealed by another node's reshard after this node routed the record: to its child (records/closed-shards.ts).
    for (let attempt = 0; metClosedShard(outcome) && attempt < rerouteAttemptsMax; attempt++) {
      const next = await streamAfterClose(context, input, meta.streamId, [shard.shardIndex]);
      if (next === undefined) break;
      meta = next;
      gate = context.streams.writeGates.of(meta.streamId);
      if (!gate.enter()) ({ meta, gate } = await enterWhenOpen(context, input, gate));
      try {
        shard = hashKey === undefined ? new AutoPlacement(meta, context.random).next() : shardRouter(meta)(hashKey);
        outcome = await context.logs.shard(meta.streamId, shard.shardIndex).append([meta.EncryptionType === "KMS" ? await sealRecord(context, meta, shard.shardIndex, record) : record], context.clock.nowMs());
      } finally {
        gate.leave();
      }
    }
    if (!outcome.ok) {
      metrics?.putRecordFailed(context.clock.nowMs() - startMs);
      throw streamsErrors.storageUnavailable(outcome.failure);
    }
    metrics?.putRecord(meta, shard, partitionKey, input.Data, context.clock.nowMs() - startMs);
    return {
      ShardId: shard.ShardId,
      SequenceNumber: recordSequenceNumber(shardSequence(meta.shards, shard), outcome.firstOffset, outcome.arrivalMs),
      EncryptionType: meta.EncryptionType,
    };
  },
});
