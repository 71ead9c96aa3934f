import { defineAction } from "../action.js";
import { DryRun, HashKey, PartitionKey, streamReference } from "../shapes/common.js";
import { internalFailureEntryMessage, shardRateExceededMessage, streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import { checkPutRecordsSize, recordPosition, requireWritableStream, resolveHashKey, shardRouter, shardSequence, type ShardRouter } from "../records/index.js";
import { enterWhenOpen } from "../records/write-gate.js";
import { sealGroups } from "../encryption/index.js";
import type { StreamMeters } from "../limits/index.js";
import { encodeSequenceNumberRun } from "../../core/sequence-number.js";
import type { AppendOutcome, AppendRecord, ShardMeta } from "../../storage/types.js";
import type { StreamReference } from "../stream-registry.js";

interface PutRecordsEntry {
  PartitionKey: string;
  ExplicitHashKey?: string;
  Data: Buffer;
}

interface PutRecordsInput extends StreamReference {
  Records: PutRecordsEntry[];
  DryRun?: boolean;
}

type PutRecordsResultEntry = { SequenceNumber: string; ShardId: string } | { ErrorCode: string; ErrorMessage: string };

interface PutRecordsOutput {
  FailedRecordCount: number;
  Records: PutRecordsResultEntry[];
  EncryptionType: "NONE" | "KMS";
}

/** One shard's share of the request, in request order: appended with one call so the engine commits it as a group. */
interface ShardGroup {
  shard: ShardMeta;
  entryIndexes: number[];
  records: AppendRecord[];
}

export const putRecords = defineAction<PutRecordsInput, PutRecordsOutput>({
  shape: {
    type: "structure",
    members: {
      Records: {
        type: "list",
        required: true,
        lengthMin: 1,
        lengthMax: limits.putRecordsEntriesMax,
        // AWS's Java model class for an entry: validation messages print each as `<class>@<hash>`.
        memberClass: "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry",
        member: {
          type: "structure",
          members: {
            PartitionKey: { ...PartitionKey, required: true },
            ExplicitHashKey: HashKey,
            Data: { type: "blob", required: true, lengthMax: limits.recordDataBytesMax },
          },
        },
      },
      ...streamReference,
      DryRun,
    },
  },
  async run(context, input) {
    let meta = requireWritableStream(context, input);
    checkPutRecordsSize(input.Records, meta);
    // Every hash key is checked before anything is written: one bad key fails the whole request.
    const hashKeys = input.Records.map((entry) => resolveHashKey(entry.PartitionKey, entry.ExplicitHashKey));
    if (input.DryRun === true) throw streamsErrors.dryRunSucceeded();
    // Fault injection (streams/faults): the entries a rule picked fail unwritten, the rest go through here again.
    if (context.putRecordsFaults) return context.putRecordsFaults.answer(meta, input, hashKeys);
    // Held from routing until the appends settle, so a reshard never closes a shard under them.
    let gate = context.streams.writeGates.of(meta.streamId);
    if (!gate.enter()) ({ meta, gate } = await enterWhenOpen(context, input, gate));
    const streamId = meta.streamId;
    const results: PutRecordsResultEntry[] = new Array(input.Records.length);
    let failed = 0;
    let groups: ShardGroup[];
    let outcomes: AppendOutcome[];
    try {
      const nowMs = context.clock.nowMs();
      // Entries over their shard's limit (streams/limits) fail unwritten; the others are written.
      const { accountId } = context;
      const throttled = (entryIndex: number, shard: ShardMeta) => {
        failed++;
        results[entryIndex] = { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: shardRateExceededMessage(shard.ShardId, meta.StreamName, accountId) };
      };
      groups = groupByShard(input.Records, hashKeys, shardRouter(meta), context.throughput?.writes(meta, nowMs), throttled);
      // An encrypted stream's records are stored sealed (streams/encryption); one check per request otherwise.
      if (meta.EncryptionType === "KMS") await sealGroups(context, meta, groups);
      outcomes = await Promise.all(groups.map((group) => context.logs.shard(streamId, group.shard.shardIndex).append(group.records, nowMs)));
    } finally {
      gate.leave();
    }

    groups.forEach((group, groupIndex) => {
      const outcome = outcomes[groupIndex]!;
      const indexes = group.entryIndexes;
      if (!outcome.ok) {
        context.logger.error({ err: outcome.failure, stream: meta.StreamName, shard: group.shard.ShardId }, "append failed");
        failed += indexes.length;
        for (const entryIndex of indexes) results[entryIndex] = { ErrorCode: "InternalFailure", ErrorMessage: internalFailureEntryMessage };
        return;
      }
      // Durable now: subscribers of the shard may send it (streams/subscriptions).
      context.streams.shardNotifier.notify(streamId, group.shard.shardIndex);
      // The group was appended as one contiguous run of offsets.
      const sequenceNumbers = encodeSequenceNumberRun(
        recordPosition(shardSequence(meta.shards, group.shard), outcome.firstOffset, outcome.arrivalMs),
        indexes.length,
      );
      const shardId = group.shard.ShardId;
      for (let position = 0; position < indexes.length; position++) {
        results[indexes[position]!] = { SequenceNumber: sequenceNumbers[position]!, ShardId: shardId };
      }
    });
    return { FailedRecordCount: failed, Records: results, EncryptionType: meta.EncryptionType };
  },
});

function groupByShard(
  entries: readonly PutRecordsEntry[],
  hashKeys: readonly string[],
  route: ShardRouter,
  writes: StreamMeters | undefined,
  throttled: (entryIndex: number, shard: ShardMeta) => void,
): ShardGroup[] {
  const byShard = new Map<number, ShardGroup>();
  entries.forEach((entry, index) => {
    const shard = route(hashKeys[index]!);
    if (writes !== undefined && !writes.admit(shard.shardIndex, entry.PartitionKey, entry.Data)) return throttled(index, shard);
    let group = byShard.get(shard.shardIndex);
    if (!group) {
      group = { shard, entryIndexes: [], records: [] };
      byShard.set(shard.shardIndex, group);
    }
    group.entryIndexes.push(index);
    const record: AppendRecord = { partitionKey: entry.PartitionKey, data: entry.Data };
    if (entry.ExplicitHashKey !== undefined) record.explicitHashKey = entry.ExplicitHashKey;
    group.records.push(record);
  });
  return [...byShard.values()];
}
