import { defineAction } from "../action.js";
import { DryRun, HashKey, PartitionKey, SequenceNumber, streamReference } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import { checkRecordSize, parseOrderingSequence, recordSequenceNumber, requireWritableStream, resolveHashKey, shardRouter, shardSequence } from "../records/index.js";
import { enterWhenOpen } from "../records/write-gate.js";
import { sealRecord } from "../encryption/index.js";
import type { AppendOutcome, ShardMeta } from "../../storage/types.js";
import type { StreamReference } from "../stream-registry.js";

interface PutRecordInput extends StreamReference {
  SequenceNumberForOrdering?: string;
  PartitionKey: string;
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
  shape: {
    type: "structure",
    members: {
      SequenceNumberForOrdering: SequenceNumber,
      PartitionKey: { ...PartitionKey, required: true },
      ExplicitHashKey: HashKey,
      Data: { type: "blob", required: true, lengthMax: limits.recordDataBytesMax },
      ...streamReference,
      DryRun,
    },
  },
  async run(context, input) {
    let meta = requireWritableStream(context, input);
    checkRecordSize("data", input, meta);
    const hashKey = resolveHashKey(input.PartitionKey, input.ExplicitHashKey);
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
    try {
      const nowMs = context.clock.nowMs();
      // Checked, and then kept by the layout itself: the same key's next record is on this shard or a child (records/ordering.ts).
      if (input.SequenceNumberForOrdering !== undefined) parseOrderingSequence(input.SequenceNumberForOrdering, meta.StreamName, context.accountId, nowMs);
      shard = shardRouter(meta)(hashKey);
      // The shard's 1,000 records and 1 MiB a second (streams/limits); a refused record is not written.
      if (context.throughput !== undefined && !context.throughput.writes(meta, nowMs).admit(shard.shardIndex, input.PartitionKey, input.Data)) {
        throw streamsErrors.shardRateExceeded(shard.ShardId, meta.StreamName, context.accountId);
      }
      const log = context.logs.shard(meta.streamId, shard.shardIndex);
      const record = { partitionKey: input.PartitionKey, data: input.Data, ...(input.ExplicitHashKey !== undefined && { explicitHashKey: input.ExplicitHashKey }) };
      // An encrypted stream's record is stored sealed (streams/encryption).
      outcome = await log.append([meta.EncryptionType === "KMS" ? await sealRecord(context, meta, shard.shardIndex, record) : record], nowMs);
    } finally {
      gate.leave();
    }
    if (!outcome.ok) throw streamsErrors.storageUnavailable(outcome.failure);
    // Durable now: subscribers of the shard may send it (streams/subscriptions).
    context.streams.shardNotifier.notify(meta.streamId, shard.shardIndex);
    return {
      ShardId: shard.ShardId,
      SequenceNumber: recordSequenceNumber(shardSequence(meta.shards, shard), outcome.firstOffset, outcome.arrivalMs),
      EncryptionType: meta.EncryptionType,
    };
  },
});
