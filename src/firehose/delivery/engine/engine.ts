/**
 * The delivery engine (docs/firehose.md, "The delivery pipeline"): runs inside the server process
 * as I/O orchestration — reading sources, calling processors and destinations, writing objects and
 * checkpoints — with no CPU-heavy work of its own on the event loop (compression runs on the
 * threadpool through the output codecs). One StreamDelivery per delivery stream, started at the
 * service's start for every stored stream and restarted by the actions that change one (a new
 * VersionId restarts it with the new configuration from the durable checkpoint).
 *
 * Backpressure: each DirectPut stream counts its undelivered bytes (acknowledged appends minus
 * settled chunks); PutRecord/PutRecordBatch answer ServiceUnavailableException past the bound.
 * On an engine other processes share, every node counts from storage instead, so that writes
 * through any node see the whole backlog (shared-backlog.ts).
 */
import type { Clock } from "../../../util/clock.js";
import type { Random } from "../../../util/random.js";
import type { Logger } from "../../../util/logger.js";
import type { ObjectClient } from "../../../storage/object-client/object-client.js";
import type { StreamAccess } from "../../../storage/stream-access.js";
import type { FunctionInvoker } from "../../../storage/function-invoker.js";
import type { SchemaCatalog } from "../../../storage/schema-catalog.js";
import type { DeliveryControl, FirehoseOptions } from "../../context.js";
import type { DeliveryStreamStore } from "../../store/delivery-streams.js";
import type { DirectPutLogs } from "../../sources/direct-put-log.js";
import type { StoredDeliveryStream } from "../../model.js";
import type { SourceReader } from "../../sources/source-reader.js";
import { directPutReader, directPutLane } from "../../sources/direct-put-reader.js";
import { kinesisReader } from "../../sources/kinesis-reader.js";
import { uuidFrom } from "../../destinations/common/s3-keys.js";
import { bufferingOf, destinationFor } from "./destination-registry.js";
import { errorOutputFor } from "./error-output.js";
import { processorsFor } from "./processors.js";
import { StreamDelivery } from "./stream-delivery.js";
import { SharedBacklog } from "./shared-backlog.js";
import type { FirehoseMetrics } from "../../metrics.js";
import { WorkLeases, type HeldLease, type WorkLeaseTuning } from "../../../storage/work-leases.js";
import type { TableStore } from "../../../storage/types.js";

export interface DeliveryEngineDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  config: { accountId: string; region: string };
  objectClient: ObjectClient;
  streamAccess: StreamAccess;
  functionInvoker: FunctionInvoker;
  schemaCatalog: SchemaCatalog;
  store: DeliveryStreamStore;
  ingest: DirectPutLogs;
  options: FirehoseOptions;
  /** The service's metrics (src/firehose/metrics.ts): delivery and transformation samples go there. */
  firehoseMetrics?: FirehoseMetrics;
  /** Where the work leases live (src/storage/work-leases.ts): a delivery stream is delivered by the one node holding its lease. */
  leases?: { tables: TableStore; processLocal: boolean; tuning?: Partial<WorkLeaseTuning> };
}

interface Running {
  readonly accountId: string;
  readonly incarnationId: string;
  readonly versionId: string;
  readonly delivery: StreamDelivery;
  readonly lease: HeldLease | undefined;
}

export class DeliveryEngine implements DeliveryControl {
  /** By `<account>/<name>`. */
  private readonly running = new Map<string, Running>();
  private readonly backlog = new Map<string, number>();
  /** The backlog as storage holds it, where other processes share the engine (else undefined: `backlog` is exact). */
  private readonly sharedBacklog: SharedBacklog | undefined;
  /** Per stream key, the tail of its queue of (re)starts, so changes apply in order. */
  private readonly changing = new Map<string, Promise<void>>();
  private stopped = false;
  private readonly leases: WorkLeases | undefined;

  constructor(private readonly deps: DeliveryEngineDeps) {
    const leases = deps.leases;
    this.sharedBacklog =
      leases?.processLocal === false ? new SharedBacklog({ clock: deps.clock, logger: deps.logger, store: deps.store, ingest: deps.ingest, backlogBytesMax: deps.options.backlogBytesMax }) : undefined;
    this.leases =
      leases === undefined
        ? undefined
        : new WorkLeases(
            { tables: leases.tables, clock: deps.clock, random: deps.random, logger: deps.logger, service: "firehose", processLocal: leases.processLocal, ...(leases.tuning !== undefined && { tuning: leases.tuning }) },
            {
              changed: (unitKey) => void this.reconcile(...splitKey(unitKey)),
              stop: (unitKey) => this.stopRunning(unitKey),
            },
          );
  }

  async start(): Promise<void> {
    await this.leases?.start();
    for (const accountId of await this.deps.store.accounts()) {
      for (const stream of await this.deps.store.list(accountId)) await this.reconcile(accountId, stream.DeliveryStreamName);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.changing.values()]);
    await Promise.allSettled([...this.running.values()].map((running) => running.delivery.stop()));
    this.running.clear();
    await this.leases?.stop();
  }

  health(): Record<string, unknown> {
    return { deliveryStreams: this.running.size };
  }

  /** The running delivery of a stream (tests read its counts). */
  deliveryOf(accountId: string, name: string): StreamDelivery | undefined {
    return this.running.get(`${accountId}/${name}`)?.delivery;
  }

  streamChanged(accountId: string, name: string): void {
    if (!this.deps.options.deliveryEnabled || this.stopped) return;
    void this.reconcile(accountId, name);
  }

  backlogBytes(incarnationId: string): number {
    if (this.sharedBacklog !== undefined) return this.sharedBacklog.bytes(incarnationId);
    return this.backlog.get(incarnationId) ?? 0;
  }

  /** Waits for a backlog count from storage in flight (tests of a shared engine). */
  async backlogCounted(incarnationId: string): Promise<void> {
    await this.sharedBacklog?.settled(incarnationId);
  }

  appended(incarnationId: string, bytes: number): void {
    if (this.sharedBacklog !== undefined) return this.sharedBacklog.appended(incarnationId, bytes);
    this.backlog.set(incarnationId, this.backlogBytes(incarnationId) + bytes);
  }

  async stopStream(incarnationId: string): Promise<void> {
    for (const [key, running] of this.running) {
      if (running.incarnationId !== incarnationId) continue;
      this.running.delete(key);
      await running.delivery.stop();
    }
    this.backlog.delete(incarnationId);
    this.sharedBacklog?.forget(incarnationId);
  }

  private reconcile(accountId: string, name: string): Promise<void> {
    const key = `${accountId}/${name}`;
    const next = (this.changing.get(key) ?? Promise.resolve())
      .then(() => this.apply(accountId, name, key))
      .catch((error) => this.deps.logger.error({ err: error, deliveryStream: name }, "firehose delivery could not start"));
    this.changing.set(key, next);
    return next;
  }

  private async apply(accountId: string, name: string, key: string): Promise<void> {
    if (this.stopped) return;
    const stream = await this.deps.store.get(accountId, name);
    if (stream !== undefined) this.sharedBacklog?.learnAccount(stream.incarnationId, accountId);
    // Delivered only by the node holding the stream's lease (taken at once on a single node).
    const lease = stream === undefined ? undefined : (this.leases?.held(key) ?? (await this.leases?.acquire(key)));
    const running = this.running.get(key);
    if (running !== undefined && stream !== undefined && running.incarnationId === stream.incarnationId && running.versionId === stream.VersionId && running.lease === lease) return;
    await this.stopRunning(key);
    if (stream === undefined) return void (await this.leases?.remove(key));
    if (this.leases !== undefined && lease === undefined) return;
    const delivery = await this.create(accountId, stream, lease);
    if (delivery === undefined) return;
    this.running.set(key, { accountId, incarnationId: stream.incarnationId, versionId: stream.VersionId, delivery, lease });
    delivery.start();
    // A lease lost (this node cut off from storage past its deadline) stops the delivery at once, even when storage cannot be read.
    lease?.signal.addEventListener(
      "abort",
      () => {
        if (this.running.get(key)?.lease !== lease) return;
        this.stopRunning(key).catch((error: unknown) => this.deps.logger.warn({ err: error, deliveryStream: name }, "firehose delivery did not stop cleanly"));
      },
      { once: true },
    );
  }

  private async stopRunning(key: string): Promise<void> {
    const running = this.running.get(key);
    if (running === undefined) return;
    this.running.delete(key);
    await running.delivery.stop();
  }

  private async create(accountId: string, stream: StoredDeliveryStream, lease: HeldLease | undefined): Promise<StreamDelivery | undefined> {
    const { deps } = this;
    const stored = stream.destinations[0]!;
    const destinationDeps = {
      objectClient: deps.objectClient,
      clock: deps.clock,
      random: deps.random,
      logger: deps.logger,
      accountId,
      region: deps.config.region,
      deliveryStreamName: stream.DeliveryStreamName,
      ...(deps.options.trustedCaPem !== undefined && { tls: { ca: deps.options.trustedCaPem } }),
    };
    const destination = destinationFor(stored, { ...destinationDeps, schemaCatalog: deps.schemaCatalog });
    if (destination === undefined) {
      deps.logger.warn({ deliveryStream: stream.DeliveryStreamName, kind: stored.kind }, "firehose destination not available: records stay undelivered");
      return undefined;
    }
    const source = await this.sourceOf(accountId, stream);
    const { sizeBytes, intervalMs } = bufferingOf(stored);
    const incarnationId = stream.incarnationId;
    const metrics = deps.firehoseMetrics?.stream(accountId, stream.DeliveryStreamName);
    return new StreamDelivery({
      clock: deps.clock,
      logger: deps.logger,
      deliveryStreamName: stream.DeliveryStreamName,
      version: Number(stream.VersionId),
      source,
      processors: processorsFor(stored, {
        functionInvoker: deps.functionInvoker,
        accountId,
        region: deps.config.region,
        deliveryStreamArn: stream.DeliveryStreamARN,
        ...(stream.kinesisSource !== undefined && { sourceKinesisStreamArn: stream.kinesisSource.KinesisStreamARN }),
        clock: deps.clock,
        random: deps.random,
        logger: deps.logger,
        ...(metrics !== undefined && { metrics }),
      }),
      destination,
      ...(metrics !== undefined && { metrics: metrics.delivery(stored.kind) }),
      errorOutput: errorOutputFor(stored, destinationDeps),
      sizeBytes,
      intervalMs,
      commit: async (lane, position, settledBytes) => {
        this.backlog.set(incarnationId, Math.max(0, this.backlogBytes(incarnationId) - settledBytes));
        if (!(await deps.store.putCheckpoint(accountId, incarnationId, lane, { position }, lease))) throw new Error(`checkpoint of ${stream.DeliveryStreamName} not stored`);
      },
      newBatchId: () => uuidFrom(deps.random),
    });
  }

  private async sourceOf(accountId: string, stream: StoredDeliveryStream): Promise<SourceReader> {
    if (stream.kinesisSource === undefined) {
      const checkpoint = await this.deps.store.checkpoint(accountId, stream.incarnationId, directPutLane);
      return directPutReader(this.deps.ingest, stream.incarnationId, checkpoint === undefined ? 0 : Number(checkpoint.position));
    }
    const view = await this.deps.streamAccess.describeStream(stream.kinesisSource.KinesisStreamARN);
    const checkpoints = new Map<string, string>();
    for (const shard of view?.shards ?? []) {
      const checkpoint = await this.deps.store.checkpoint(accountId, stream.incarnationId, shard.shardId);
      if (checkpoint !== undefined) checkpoints.set(shard.shardId, checkpoint.position);
    }
    const metrics = this.deps.firehoseMetrics?.stream(accountId, stream.DeliveryStreamName);
    return kinesisReader({ streamAccess: this.deps.streamAccess, clock: this.deps.clock, streamArn: stream.kinesisSource.KinesisStreamARN, deliveryStartMs: stream.kinesisSource.deliveryStartMs, checkpoints, ...(metrics !== undefined && { metrics }) });
  }
}

/** A unit key (`<accountId>/<name>`) back into its parts. */
function splitKey(unitKey: string): [string, string] {
  const at = unitKey.indexOf("/");
  return [unitKey.slice(0, at), unitKey.slice(at + 1)];
}
