/**
 * The scheduler: one per worker process. It joins the lease coordinator (which shards this worker
 * holds) to one ShardConsumer per held shard (which reads and hands records to a processor), in
 * the KCL's manner:
 *
 * - leases for the stream's shards are created by a shard sync at start and every
 *   shardSyncIntervalMs, and for the children of a shard when it ends;
 * - a held shard starts only once its parents are finished (SHARD_END checkpointed, or no lease),
 *   so each partition key's records are processed in order across resharding;
 * - a shard that ended, a graceful shutdown and a failed processor release their lease, so the
 *   next owner need not wait for it to expire; a lost lease stops its shard at once.
 */
import { DescribeStreamSummaryCommand } from "@aws-sdk/client-kinesis";
import { systemClock, type Clock, type Timer } from "../../util/clock.js";
import { systemRandom, type Random } from "../../util/random.js";
import { DynamoDbLeaseTable, LeaseCoordinator, isFinished, syncShardLeases, parentsFinished } from "./lease/index.js";
import { PollingFetcher } from "./retrieval/polling-fetcher.js";
import { FanOutFetcher, ensureStreamConsumer } from "./retrieval/fanout-fetcher.js";
import { ShardConsumer } from "./shard-consumer.js";
import type { ConsumerOptions, FetcherStart, InitialPosition, Lease, LeaseTable, RecordsFetcher, ShardRecordProcessorFactory } from "./types.js";

/** What the consumer reports about itself; every member optional. */
export interface ConsumerLogger {
  debug?(fields: object, message: string): void;
  info?(fields: object, message: string): void;
  warn?(fields: object, message: string): void;
  error?(fields: object, message: string): void;
}

export interface ConsumerRuntimeOptions {
  logger?: ConsumerLogger;
  /** How often held leases are checked for shards ready to start (default 500 ms). */
  schedulingIntervalMs?: number;
}

type Phase = "new" | "starting" | "running" | "stopping" | "stopped";

interface RunningShard {
  lease: Lease;
  consumer: ShardConsumer;
  done: Promise<void>;
}

export class Consumer {
  readonly workerId: string;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly logger: ConsumerLogger;
  private readonly table: LeaseTable;
  private readonly initialPosition: InitialPosition;
  private readonly processorFactory: ShardRecordProcessorFactory;
  private readonly schedulingIntervalMs: number;
  private coordinator: LeaseCoordinator | undefined;
  private streamARN: string | undefined;
  private consumerARN: string | undefined;
  private phase: Phase = "new";
  private readonly running = new Map<string, RunningShard>();
  private schedulingTimer: Timer | undefined;
  private syncTimer: Timer | undefined;
  private scheduling = false;

  constructor(
    private readonly options: ConsumerOptions & ConsumerRuntimeOptions,
  ) {
    if (options.StreamName === undefined && options.StreamARN === undefined) throw new TypeError("Consumer needs a StreamName or a StreamARN");
    if (!options.applicationName) throw new TypeError("Consumer needs an applicationName");
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? systemRandom;
    this.logger = options.logger ?? {};
    this.workerId = options.workerId ?? uuidFrom(this.random);
    this.initialPosition = options.initialPosition ?? { type: "LATEST" };
    this.processorFactory = options.processorFactory;
    this.schedulingIntervalMs = options.schedulingIntervalMs ?? 500;
    this.table = new DynamoDbLeaseTable({
      client: options.dynamodb,
      tableName: options.leaseTableName ?? options.applicationName,
      random: this.random,
      clock: this.clock,
    });
  }

  /** Shards whose records this worker is processing now. */
  processingShards(): string[] {
    return [...this.running.keys()].sort();
  }

  /** Joins the application's workers; resolves once the first leases have been looked at. */
  async start(): Promise<void> {
    if (this.phase !== "new") throw new Error("Consumer.start() may be called once");
    this.phase = "starting";
    await this.table.ensureTable();
    const retrieval = this.options.retrieval ?? { mode: "polling" };
    if (retrieval.mode === "fanout") {
      this.streamARN = this.options.StreamARN ?? (await this.describeStreamARN());
      this.consumerARN =
        retrieval.consumerARN ??
        (await ensureStreamConsumer({
          kinesis: this.options.kinesis,
          streamARN: this.streamARN,
          consumerName: retrieval.consumerName ?? this.options.applicationName,
        }));
    }
    await this.syncShards();
    this.coordinator = new LeaseCoordinator({
      table: this.table,
      workerId: this.workerId,
      failoverTimeMs: this.options.failoverTimeMs ?? 10_000,
      ...(this.options.maxLeasesForWorker !== undefined && { maxLeasesForWorker: this.options.maxLeasesForWorker }),
      clock: this.clock,
      random: this.random,
      onAcquired: () => this.scheduleSoon(),
      onLost: (leaseKey: string) => this.onLeaseLost(leaseKey),
    });
    await this.coordinator.start();
    this.phase = "running";
    this.armScheduling(0);
    this.armShardSync();
  }

  /**
   * Graceful: every running processor gets shutdownRequested (its chance to checkpoint), then every
   * held lease is released so other workers take the shards at once.
   */
  async shutdown(): Promise<void> {
    if (this.phase === "stopped" || this.phase === "stopping") return;
    this.phase = "stopping";
    this.disarmTimers();
    const shards = [...this.running.values()];
    await Promise.all(shards.map((shard) => shard.consumer.requestShutdown().catch((error: unknown) => this.log("warn", { error, shardId: shard.lease.leaseKey }, "shutdownRequested failed"))));
    await Promise.all(shards.map((shard) => shard.done));
    const coordinator = this.coordinator;
    if (coordinator !== undefined) {
      await Promise.all(coordinator.held().map((lease) => coordinator.release(lease.leaseKey).catch(() => undefined)));
      await coordinator.stop();
    }
    this.phase = "stopped";
  }

  /** Without hand-off (a crash, in effect): processing stops, leases expire for others to take. */
  async stop(): Promise<void> {
    if (this.phase === "stopped") return;
    this.phase = "stopping";
    this.disarmTimers();
    await this.coordinator?.stop();
    const shards = [...this.running.values()];
    for (const shard of shards) shard.consumer.leaseLost();
    await Promise.all(shards.map((shard) => shard.done));
    this.phase = "stopped";
  }

  // -------------------------------------------------------------------------------------------

  private async describeStreamARN(): Promise<string> {
    const out = await this.options.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: this.options.StreamName }));
    const arn = out.StreamDescriptionSummary?.StreamARN;
    if (arn === undefined) throw new Error("DescribeStreamSummary returned no StreamARN");
    return arn;
  }

  private streamRef(): { StreamName?: string; StreamARN?: string } {
    return this.options.StreamARN !== undefined ? { StreamARN: this.options.StreamARN } : { StreamName: this.options.StreamName! };
  }

  private async syncShards(): Promise<void> {
    await syncShardLeases({ kinesis: this.options.kinesis, stream: this.streamRef(), table: this.table, initialPosition: this.initialPosition });
  }

  private armShardSync(): void {
    const intervalMs = this.options.shardSyncIntervalMs ?? 60_000;
    this.syncTimer = this.clock.setTimeout(() => {
      if (this.phase !== "running") return;
      this.syncShards()
        .catch((error: unknown) => this.log("warn", { error }, "shard sync failed; trying again at the next interval"))
        .finally(() => {
          if (this.phase === "running") this.armShardSync();
        });
    }, intervalMs);
  }

  private armScheduling(delayMs: number): void {
    if (this.schedulingTimer !== undefined) this.clock.clearTimer(this.schedulingTimer);
    this.schedulingTimer = this.clock.setTimeout(() => {
      this.schedulingTimer = undefined;
      void this.schedule().finally(() => {
        if (this.phase === "running" && this.schedulingTimer === undefined) this.armScheduling(this.schedulingIntervalMs);
      });
    }, delayMs);
  }

  private scheduleSoon(): void {
    if (this.phase === "running") this.armScheduling(0);
  }

  private disarmTimers(): void {
    if (this.schedulingTimer !== undefined) this.clock.clearTimer(this.schedulingTimer);
    if (this.syncTimer !== undefined) this.clock.clearTimer(this.syncTimer);
    this.schedulingTimer = undefined;
    this.syncTimer = undefined;
  }

  /** Starts a ShardConsumer for every held lease that is not running, not finished, and whose parents are finished. */
  private async schedule(): Promise<void> {
    const coordinator = this.coordinator;
    if (this.scheduling || this.phase !== "running" || coordinator === undefined) return;
    this.scheduling = true;
    try {
      for (const lease of coordinator.held()) {
        if (this.phase !== "running") return;
        if (this.running.has(lease.leaseKey)) continue;
        if (isFinished(lease)) {
          // Finished (perhaps by an earlier owner that died before handing it back): make sure its
          // children exist, then let it go.
          await this.finishEndedLease(lease);
          continue;
        }
        if (!(await this.parentsAreFinished(lease))) continue;
        this.startShard(lease);
      }
    } catch (error) {
      this.log("warn", { error }, "scheduling failed; trying again");
    } finally {
      this.scheduling = false;
    }
  }

  private async parentsAreFinished(lease: Lease): Promise<boolean> {
    if (lease.parentShardIds.length === 0) return true;
    const parents = new Map<string, Lease>();
    for (const parentId of lease.parentShardIds) {
      const parent = await this.table.get(parentId);
      if (parent !== undefined) parents.set(parentId, parent);
    }
    return parentsFinished(lease, parents);
  }

  private startShard(lease: Lease): void {
    const coordinator = this.coordinator!;
    const shardId = lease.leaseKey;
    const hashKeyRange =
      lease.startingHashKey !== undefined && lease.endingHashKey !== undefined
        ? { startingHashKey: lease.startingHashKey, endingHashKey: lease.endingHashKey }
        : undefined;
    const fetcher = this.fetcherFor({ shardId, checkpoint: lease.checkpoint, initialPosition: this.initialPosition, ...(hashKeyRange && { hashKeyRange }) });
    const consumer = new ShardConsumer({
      shardId,
      checkpoint: lease.checkpoint,
      ...(lease.pendingCheckpoint !== undefined && { pendingCheckpoint: lease.pendingCheckpoint }),
      processor: this.processorFactory(shardId),
      fetcher,
      saveCheckpoint: (position) => coordinator.checkpoint(shardId, position),
      clock: this.clock,
      // As the KCL: a processor that throws is reported and processing goes on with the next batch.
      onProcessorError: (error, call) => this.log("warn", { error, shardId, call }, "record processor threw"),
    });
    const done = consumer
      .run()
      .then(
        (outcome) => this.onShardDone(shardId, outcome, consumer),
        (error: unknown) => {
          this.log("error", { error, shardId }, "shard consumer failed");
          return this.releaseQuietly(shardId);
        },
      )
      .finally(() => {
        this.running.delete(shardId);
        void fetcher.close().catch(() => undefined);
        this.scheduleSoon();
      });
    this.running.set(shardId, { lease, consumer, done });
    this.log("info", { shardId, checkpoint: lease.checkpoint }, "processing shard");
  }

  private fetcherFor(start: FetcherStart): RecordsFetcher {
    const retrieval = this.options.retrieval ?? { mode: "polling" };
    const common = { kinesis: this.options.kinesis, clock: this.clock, random: this.random };
    if (retrieval.mode === "fanout") {
      return new FanOutFetcher({ ...common, ...start, streamARN: this.streamARN!, consumerARN: this.consumerARN! });
    }
    return new PollingFetcher({
      ...common,
      ...start,
      stream: this.streamRef(),
      ...(retrieval.maxRecords !== undefined && { maxRecords: retrieval.maxRecords }),
      ...(retrieval.idleTimeBetweenReadsMs !== undefined && { idleTimeBetweenReadsMs: retrieval.idleTimeBetweenReadsMs }),
    });
  }

  private async onShardDone(shardId: string, outcome: string, consumer: ShardConsumer): Promise<void> {
    switch (outcome) {
      case "shard-ended": {
        // The checkpoint at SHARD_END went through the coordinator, so its held lease says so (isFinished).
        const lease = this.coordinator?.heldLease(shardId);
        if (lease !== undefined) await this.finishEndedLease(lease, consumer.childShardIds());
        return;
      }
      case "shutdown":
        // shutdown() releases every held lease once all shards are done.
        return;
      case "lease-lost":
        return;
      default:
        // The processor never finished the shard (or failed): give the lease back so it is retried.
        this.log("warn", { shardId, outcome }, "shard stopped without finishing; releasing its lease");
        await this.releaseQuietly(shardId);
    }
  }

  /**
   * Makes sure the children of an ended shard have leases, records them on its lease, and releases
   * it. The children come from a shard sync (ListShards), not from the ids the read reported: a
   * merged child has two parents, and its lease must name both so it waits for both.
   */
  private async finishEndedLease(lease: Lease, childShardIds?: string[]): Promise<void> {
    const coordinator = this.coordinator;
    if (coordinator === undefined) return;
    try {
      await this.syncShards();
      const children = childShardIds ?? lease.childShardIds;
      if (children.length > 0 && lease.childShardIds.length === 0) await coordinator.setChildShardIds(lease.leaseKey, children);
    } catch (error) {
      // Kept, not released: the next scheduling round tries again.
      this.log("warn", { error, shardId: lease.leaseKey }, "could not create the children of an ended shard; trying again");
      return;
    }
    await this.releaseQuietly(lease.leaseKey);
  }

  private async releaseQuietly(shardId: string): Promise<void> {
    await this.coordinator?.release(shardId).catch((error: unknown) => this.log("debug", { error, shardId }, "release failed"));
  }

  private onLeaseLost(leaseKey: string): void {
    const shard = this.running.get(leaseKey);
    if (shard === undefined) return;
    this.log("info", { shardId: leaseKey }, "lease lost");
    shard.consumer.leaseLost();
  }

  private log(level: keyof ConsumerLogger, fields: object, message: string): void {
    this.logger[level]?.({ workerId: this.workerId, ...fields }, message);
  }
}

function uuidFrom(random: Random): string {
  const bytes = random.bytes(16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
