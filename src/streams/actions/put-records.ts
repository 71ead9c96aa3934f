import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { DryRun, HashKey, PartitionKey, streamReference } from "../shapes/common.js";
import { internalFailureEntryMessage, shardRateExceededMessage, streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import { checkPutRecordsSize, recordPosition, requireWritableStream, resolveHashKey, shardRouter, shardSequence, type ShardRouter } from "../records/index.js";
import { enterWhenOpen } from "../records/write-gate.js";
import { metClosedShard, rerouteAttemptsMax, streamAfterClose } from "../records/closed-shards.js";
import type { StreamsContext } from "../context.js";
import { AutoPlacement, checkPartitionKeysPresent, isServiceDistributed } from "../records/distribution.js";
import { sealGroups } from "../encryption/index.js";
import type { StreamMeters } from "../limits/index.js";
import { encodeSequenceNumberRun } from "../../core/sequence-number.js";
import { hashKeyHex } from "../../core/hash-key.js";
import type { AppendOutcome, AppendRecord } from "../../storage/types.js";
import type { ShardMeta, StreamMeta } from "../model.js";
import type { Random } from "../../util/random.js";
import type { StreamReference } from "../stream-registry.js";

interface PutRecordsEntry {
  /** Required unless the stream's record distribution strategy is AUTO (records/distribution.ts). */
  PartitionKey?: string;
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
  /** The stream as routed, when not the request's first look (a group sent again after a reshard sealed its shard). */
  meta?: StreamMeta;
}

export const putRecords = defineAction<PutRecordsInput, PutRecordsOutput>({
  iamAction: "kinesis:PutRecords",
  resources: streamResource,
  plane: "data",
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
            PartitionKey,
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
    // Latency is on the injected clock; read only when metrics are kept.
    const startMs = context.metrics.enabled ? context.clock.nowMs() : 0;
    let meta = requireWritableStream(context, input);
    // AUTO: the service places each record, ignoring PartitionKey and ExplicitHashKey (records/distribution.ts).
    const auto = isServiceDistributed(meta);
    if (!auto) checkPartitionKeysPresent(missingPartitionKeys(input.Records));
    const requestBytes = checkPutRecordsSize(input.Records, meta);
    // Every hash key is checked before anything is written: one bad key fails the whole request.
    const hashKeys = auto ? undefined : input.Records.map((entry) => resolveHashKey(entry.PartitionKey!, entry.ExplicitHashKey));
    if (input.DryRun === true) throw streamsErrors.dryRunSucceeded();
    // Fault injection (streams/faults): the entries a rule picked fail unwritten, the rest go through here again.
    if (context.putRecordsFaults) {
      const faults = context.putRecordsFaults;
      const answer = await faults.answer(meta, input, hashKeys ?? autoHashKeys(meta, input.Records.length, context.random));
      // The kept entries were written (and counted) by a call of their own; the failed ones are counted here.
      context.metrics.stream(meta)?.putRecordsFaulted(faults.failedCount, faults.errorCode === "InternalFailure", faults.failedCount === input.Records.length, context.clock.nowMs() - startMs);
      return answer;
    }
    // Held from routing until the appends settle, so a reshard never closes a shard under them.
    let gate = context.streams.writeGates.of(meta.streamId);
    if (!gate.enter()) ({ meta, gate } = await enterWhenOpen(context, input, gate));
    const streamId = meta.streamId;
    const metrics = context.metrics.stream(meta);
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
        metrics?.shardThrottled(meta, shard);
        results[entryIndex] = { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: shardRateExceededMessage(shard.ShardId, meta.StreamName, accountId) };
      };
      const writes = context.throughput?.writes(meta, nowMs);
      const place: Placement = hashKeys === undefined ? autoPlacement(new AutoPlacement(meta, context.random), writes) : keyPlacement(hashKeys, shardRouter(meta), writes);
      groups = groupByShard(input.Records, place, auto, throttled);
      // An encrypted stream's records are stored sealed (streams/encryption); one check per request otherwise.
      if (meta.EncryptionType === "KMS") await sealGroups(context, meta, groups);
      outcomes = await Promise.all(groups.map((group) => context.logs.shard(streamId, group.shard.shardIndex).append(group.records, nowMs)));
    } finally {
      gate.leave();
    }
    if (outcomes.some(metClosedShard)) ({ groups, outcomes } = await rerouteClosed(context, input, meta, groups, outcomes, hashKeys));

    groups.forEach((group, groupIndex) => {
      const outcome = outcomes[groupIndex]!;
      const indexes = group.entryIndexes;
      if (!outcome.ok) {
        context.logger.error({ err: outcome.failure, stream: meta.StreamName, shard: group.shard.ShardId }, "append failed");
        failed += indexes.length;
        for (const entryIndex of indexes) results[entryIndex] = { ErrorCode: "InternalFailure", ErrorMessage: internalFailureEntryMessage };
        return;
      }
      // The group was appended as one contiguous run of offsets.
      const sequenceNumbers = encodeSequenceNumberRun(
        recordPosition(shardSequence((group.meta ?? meta).shards, group.shard), outcome.firstOffset, outcome.arrivalMs),
        indexes.length,
      );
      const shardId = group.shard.ShardId;
      for (let position = 0; position < indexes.length; position++) {
        results[indexes[position]!] = { SequenceNumber: sequenceNumbers[position]!, ShardId: shardId };
      }
    });
    metrics?.putRecords(meta, input.Records, results, failed, requestBytes, groups, outcomes, context.clock.nowMs() - startMs);
    return { FailedRecordCount: failed, Records: results, EncryptionType: meta.EncryptionType };
  },
});

/**
 * Sends the groups whose shard another node's reshard sealed (after this node routed them) again,
 * routed by the new shard map, until none meets a sealed shard or the attempts run out
 * (records/closed-shards.ts). Their entries were admitted once; they are not charged again.
 */
async function rerouteClosed(
  context: StreamsContext,
  input: PutRecordsInput,
  first: StreamMeta,
  groups: ShardGroup[],
  outcomes: AppendOutcome[],
  hashKeys: readonly string[] | undefined,
): Promise<{ groups: ShardGroup[]; outcomes: AppendOutcome[] }> {
  for (let attempt = 0; attempt < rerouteAttemptsMax; attempt++) {
    const closed = groups.filter((_, index) => metClosedShard(outcomes[index]!));
    if (closed.length === 0) break;
    let meta = await streamAfterClose(context, input, first.streamId, closed.map((group) => group.shard.shardIndex));
    if (meta === undefined) break;
    let gate = context.streams.writeGates.of(meta.streamId);
    if (!gate.enter()) ({ meta, gate } = await enterWhenOpen(context, input, gate));
    try {
      const routed = meta;
      const auto = isServiceDistributed(routed) || hashKeys === undefined;
      const placement = auto ? new AutoPlacement(routed, context.random) : undefined;
      const route = shardRouter(routed);
      const byShard = new Map<number, ShardGroup>();
      for (const entryIndex of closed.flatMap((group) => group.entryIndexes)) {
        const entry = input.Records[entryIndex]!;
        const shard = placement !== undefined ? placement.next() : route(hashKeys![entryIndex]!);
        let group = byShard.get(shard.shardIndex);
        if (group === undefined) byShard.set(shard.shardIndex, (group = { shard, entryIndexes: [], records: [], meta: routed }));
        group.entryIndexes.push(entryIndex);
        const record: AppendRecord = { partitionKey: entry.PartitionKey ?? "", data: entry.Data };
        if (!auto && entry.ExplicitHashKey !== undefined) record.explicitHashKey = entry.ExplicitHashKey;
        group.records.push(record);
      }
      const fresh = [...byShard.values()];
      if (routed.EncryptionType === "KMS") await sealGroups(context, routed, fresh);
      const nowMs = context.clock.nowMs();
      const freshOutcomes = await Promise.all(fresh.map((group) => context.logs.shard(routed.streamId, group.shard.shardIndex).append(group.records, nowMs)));
      const kept = groups.map((group, index) => ({ group, outcome: outcomes[index]! })).filter(({ outcome }) => !metClosedShard(outcome));
      groups = [...kept.map(({ group }) => group), ...fresh];
      outcomes = [...kept.map(({ outcome }) => outcome), ...freshOutcomes];
    } finally {
      gate.leave();
    }
  }
  return { groups, outcomes };
}

/** Where entry `index` goes: its admitted shard, or `{throttled}` naming the shard that refused it. */
type Placement = (entry: PutRecordsEntry, index: number) => ShardMeta | { throttled: ShardMeta };

/** By hash key (USER_PARTITION_KEY): the key's shard, if its throughput admits the record. */
function keyPlacement(hashKeys: readonly string[], route: ShardRouter, writes: StreamMeters | undefined): Placement {
  return (entry, index) => {
    const shard = route(hashKeys[index]!);
    return writes !== undefined && !writes.admit(shard.shardIndex, entry.PartitionKey!, entry.Data) ? { throttled: shard } : shard;
  };
}

/** AUTO: the open shards in turn, another open shard before a throttle. */
function autoPlacement(placement: AutoPlacement, writes: StreamMeters | undefined): Placement {
  return (entry) => {
    const first = placement.next();
    return placement.admit(first, writes, entry.PartitionKey ?? "", entry.Data) ?? { throttled: first };
  };
}

/** Hash keys that route an AUTO stream's entries as AutoPlacement would, for fault injection's answer (it names shards). */
function autoHashKeys(meta: StreamMeta, count: number, random: Random): string[] {
  const placement = new AutoPlacement(meta, random);
  return Array.from({ length: count }, () => hashKeyHex(BigInt(placement.next().HashKeyRange.StartingHashKey)));
}

/** The member paths of entries without a PartitionKey, as the shape checker names them. */
function missingPartitionKeys(entries: readonly PutRecordsEntry[]): string[] {
  const paths: string[] = [];
  entries.forEach((entry, index) => {
    if (entry.PartitionKey === undefined) paths.push(`records.${index + 1}.member.partitionKey`);
  });
  return paths;
}

function groupByShard(
  entries: readonly PutRecordsEntry[],
  place: Placement,
  auto: boolean,
  throttled: (entryIndex: number, shard: ShardMeta) => void,
): ShardGroup[] {
  const byShard = new Map<number, ShardGroup>();
  entries.forEach((entry, index) => {
    const placed = place(entry, index);
    if ("throttled" in placed) return throttled(index, placed.throttled);
    const shard = placed;
    let group = byShard.get(shard.shardIndex);
    if (!group) {
      group = { shard, entryIndexes: [], records: [] };
      byShard.set(shard.shardIndex, group);
    }
    group.entryIndexes.push(index);
    // An empty partition key stores "written without one"; an AUTO stream keeps no ExplicitHashKey.
    const record: AppendRecord = { partitionKey: entry.PartitionKey ?? "", data: entry.Data };
    if (!auto && entry.ExplicitHashKey !== undefined) record.explicitHashKey = entry.ExplicitHashKey;
    group.records.push(record);
  });
  return [...byShard.values()];
}
