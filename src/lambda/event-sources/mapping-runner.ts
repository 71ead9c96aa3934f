/**
 * One enabled mapping at work: finds its stream's shards and runs a ShardPoller for each, a child
 * shard only once its parents are finished (checkpointed as ended, or past retention), so that
 * resharding neither loses nor reorders a key's records. Looks at the shards again when a shard
 * ends and every `shardScanMs`. LastProcessingResult is written to the mapping when it changes.
 * A mapping of a stream consumer reads only while the consumer is registered and ACTIVE: once it
 * is deregistered the pollers stop (their in-flight batches finish and are checkpointed).
 */
import type { StreamShardView, StreamView } from "../../storage/stream-access.js";
import type { Checkpoint } from "./checkpoint-store.js";
import type { EngineDeps } from "./engine-deps.js";
import { compileFilterCriteria, type RecordFilter } from "./filter-port.js";
import type { MappingRecord } from "./mapping.js";
import { ShardPoller } from "./shard-poller.js";
import { Wake } from "./wake.js";
import type { HeldLease } from "../../storage/work-leases.js";

export class MappingRunner {
  private readonly abort = new AbortController();
  /** The pollers' signal: aborted by stop(), or when a consumer source goes away (then renewed). */
  private pollersAbort = new AbortController();
  private readonly pollers = new Map<string, Promise<void>>();
  private readonly wake: Wake;
  private readonly filter: RecordFilter | undefined;
  private lastResult: string;
  private resultWrite: Promise<void> = Promise.resolve();
  private readonly done: Promise<void>;

  constructor(
    private readonly deps: EngineDeps,
    private readonly mapping: MappingRecord,
    /** The work lease this node runs the mapping under: its checkpoints are fenced by it, and its loss stops the pollers. */
    readonly lease?: HeldLease,
  ) {
    this.wake = new Wake(deps.clock);
    lease?.signal.addEventListener(
      "abort",
      () => {
        this.abort.abort();
        this.pollersAbort.abort();
        this.wake.notify();
      },
      { once: true },
    );
    this.lastResult = mapping.LastProcessingResult;
    this.filter = (mapping.FilterCriteria?.Filters ?? []).length > 0 ? compileFilterCriteria(mapping.FilterCriteria!) : undefined;
    this.done = this.run().catch((error: unknown) => {
      if (!this.abort.signal.aborted) deps.logger.error({ err: error }, `event source mapping ${mapping.UUID} stopped`);
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.pollersAbort.abort();
    this.wake.notify();
    await this.done;
    await Promise.all(this.pollers.values());
    await this.resultWrite;
  }

  private async run(): Promise<void> {
    const { deps, mapping } = this;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const streamArn = await this.streamArn();
      if (streamArn === undefined && this.pollers.size > 0) await this.stopPollers();
      const stream = streamArn === undefined ? undefined : await deps.streamAccess.describeStream(streamArn);
      if (stream !== undefined && stream.status !== "DELETING") {
        const checkpoints = await deps.checkpoints.all(mapping.accountId, mapping.UUID);
        for (const shard of stream.shards) this.maybeStart(stream, shard, checkpoints);
      }
      await this.wake.wait(deps.tuning.shardScanMs, signal);
    }
  }

  /** The stream the records come from: the mapping's, or its consumer's while the consumer is ACTIVE. */
  private async streamArn(): Promise<string | undefined> {
    const arn = this.mapping.EventSourceArn;
    if (!arn.includes("/consumer/")) return arn;
    const consumer = await this.deps.streamAccess.describeConsumer(arn);
    return consumer?.status === "ACTIVE" ? consumer.streamArn : undefined;
  }

  /** Stops every poller (each finishes its in-flight batches and checkpoints) and lets new ones start later. */
  private async stopPollers(): Promise<void> {
    this.pollersAbort.abort();
    await Promise.all(this.pollers.values());
    this.pollersAbort = new AbortController();
  }

  private maybeStart(stream: StreamView, shard: StreamShardView, checkpoints: Map<string, Checkpoint>): void {
    if (this.pollers.has(shard.shardId) || checkpoints.get(shard.shardId)?.ended) return;
    const retained = new Set(stream.shards.map((each) => each.shardId));
    const parents = [shard.parentShardId, shard.adjacentParentShardId].filter((id): id is string => id !== undefined && retained.has(id));
    if (!parents.every((id) => checkpoints.get(id)?.ended === true)) return;
    const signal = this.pollersAbort.signal;
    const poller = new ShardPoller(
      {
        deps: this.deps,
        mapping: this.mapping,
        streamArn: stream.streamArn,
        shardId: shard.shardId,
        filter: this.filter,
        signal: this.pollersAbort.signal,
        ...(this.lease !== undefined && { lease: this.lease }),
        report: (result) => this.report(result),
      },
      checkpoints.get(shard.shardId) ?? {},
    );
    const running = poller
      .run()
      .then((ended) => {
        this.pollers.delete(shard.shardId);
        // A finished shard lets its children start now rather than at the next scan.
        if (ended) this.wake.notify();
      })
      .catch((error: unknown) => {
        this.pollers.delete(shard.shardId);
        if (!signal.aborted) this.deps.logger.error({ err: error }, `event source mapping ${this.mapping.UUID}: poller of ${shard.shardId} failed`);
        this.wake.notify();
      });
    this.pollers.set(shard.shardId, running);
  }

  private report(result: string): void {
    if (result === this.lastResult) return;
    this.lastResult = result;
    const { mapping } = this;
    this.resultWrite = this.resultWrite
      .then(() =>
        this.deps.mappings.modify(mapping.accountId, mapping.UUID, (record) =>
          record.LastProcessingResult === this.lastResult ? undefined : { ...record, LastProcessingResult: this.lastResult },
        ),
      )
      .then(
        () => undefined,
        (error: unknown) => this.deps.logger.warn({ err: error }, `event source mapping ${mapping.UUID}: LastProcessingResult not written`),
      );
  }
}
