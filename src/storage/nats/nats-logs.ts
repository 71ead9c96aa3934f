/**
 * The NATS JetStream engine's shard logs (docs/formats/nats.md, "Shard logs"): one JetStream
 * stream per Kinesis stream, one subject per shard, one message per append (a PutRecords' records
 * for one shard, or several appends queued behind a publish), ordered across nodes by
 * Nats-Expected-Last-Subject-Sequence. Each node follows every stream it uses (a headers-only
 * ordered consumer) to keep its shards' tails current — endOffset() is synchronous — and to
 * announce any node's appends to its watchers.
 *
 * A node's view of a tail may lag another node's appends by the time the follower takes to hear
 * of them (a round trip inside the NATS cluster, typically well under a millisecond on a LAN, more
 * under load): LATEST taken on this node then starts at the end this node knows. Appends never
 * depend on that view: a stale tail costs one conflict and one read of the tail.
 *
 * @example
 *   const logs = await openNatsLogs(ctx);
 *   const log = logs.shard(streamId, 0);
 *   await log.append([{ partitionKey: "k", data: Buffer.from("v") }], clock.nowMs());
 *   await log.seal?.();   // a reshard closed the shard: no append may follow, on any node
 */
import type { Subscription } from "nats";
import type { AppendOutcome, AppendRecord, LogStore, LogWatch, ReadLimits, ReadResult, ShardLog, WriteOutcome } from "../types.js";
import type { NatsContext, NatsPart } from "./nats-context.js";
import { LogCore, type NatsLogsOptions, type StreamLog } from "./nats-log-core.js";
import { isNotFound, logNames, streamExists } from "./nats-log-jetstream.js";
import { ShardReader } from "./nats-log-reader.js";
import type { ShardState } from "./nats-log-shard.js";
import { ShardWriter } from "./nats-log-writer.js";

export type { NatsLogsOptions } from "./nats-log-core.js";

const closedOutcome = { ok: false, failure: { kind: "closed", message: "the engine is closed" } } as const;

/** A shard state's writer and reader, made once per state and shared by every handle. */
interface ShardParts {
  writer: ShardWriter;
  reader: ShardReader;
}

class NatsShardLog implements ShardLog {
  private current: ShardState | undefined;

  constructor(
    private readonly store: NatsLogStoreImpl,
    private readonly streamId: string,
    private readonly shardIndex: number,
  ) {}

  /** The shard's state now: a dropped stream's shard is looked up again (and starts empty). */
  private state(): ShardState {
    if (this.current === undefined || this.current.dropped) this.current = this.store.core.shard(this.streamId, this.shardIndex);
    return this.current;
  }

  private parts(): ShardParts {
    return this.store.parts(this.streamId, this.state());
  }

  append(records: readonly AppendRecord[], arrivalMs: number): Promise<AppendOutcome> {
    if (this.store.core.closed) return Promise.resolve(closedOutcome);
    const writer = this.parts().writer;
    return new Promise((resolve) => writer.enqueue({ kind: "append", records, arrivalMs, resolve }));
  }

  seal(): Promise<WriteOutcome> {
    if (this.store.core.closed) return Promise.resolve(closedOutcome);
    const writer = this.parts().writer;
    return new Promise((resolve) => writer.enqueue({ kind: "seal", resolve }));
  }

  read(fromOffset: number, limits: ReadLimits): Promise<ReadResult> {
    return this.parts().reader.read(fromOffset, limits);
  }

  offsetAtTime(timestampMs: number): Promise<number> {
    return this.parts().reader.offsetAtTime(timestampMs);
  }

  startOffset(): number {
    return this.state().startOffset;
  }

  endOffset(): number {
    return this.state().endOffset;
  }

  async trimBefore(cutoffMs: number): Promise<void> {
    try {
      await this.parts().reader.trimBefore(cutoffMs);
    } catch (error) {
      // Retention is tried again on the next sweep; readers filter expired records meanwhile.
      this.store.core.ctx.logger.warn({ err: error, streamId: this.streamId, shard: this.shardIndex }, "could not trim a shard log");
    }
  }

  watch(listener: (endOffset: number) => void): LogWatch {
    return this.state().watchers.watch(listener);
  }
}

export interface NatsLogStore extends LogStore, NatsPart {
  /**
   * Another handle on this node's logs (as the embedded engine's secondHandle): its appends are
   * announced to watchers through either. Another node's handle is another openNatsLogs.
   */
  secondHandle(): NatsLogStore;
  /** Messages this node's appends and seals stored, and the conflicts they met (another node's append got there first). */
  counters(): { publishes: number; conflicts: number };
}

class NatsLogStoreImpl implements NatsLogStore {
  private readonly handles = new Map<string, NatsShardLog>();

  constructor(
    readonly core: LogCore,
    private readonly shared: SharedParts,
  ) {}

  shard(streamId: string, shardIndex: number): ShardLog {
    const key = `${streamId}/${shardIndex}`;
    let log = this.handles.get(key);
    if (log === undefined) {
      // Checks the names now, and starts loading the shard's tail.
      this.core.shard(streamId, shardIndex);
      log = new NatsShardLog(this, streamId, shardIndex);
      this.handles.set(key, log);
    }
    return log;
  }

  parts(streamId: string, state: ShardState): ShardParts {
    let parts = this.shared.parts.get(state);
    if (parts === undefined) {
      const stream = this.core.stream(streamId);
      parts = { writer: new ShardWriter(this.core, stream, state), reader: new ShardReader(this.core, stream, state) };
      this.shared.parts.set(state, parts);
    }
    return parts;
  }

  async dropStream(streamId: string): Promise<void> {
    const names = logNames(this.core.ctx.prefix, streamId);
    this.core.forget(streamId);
    // Our own delete's advisory must not forget the stream again: it can arrive after an append
    // here has begun the stream anew (before JetStream has it), which would then fail as dropped.
    const pending = this.shared.ownDeletes;
    pending.set(names.stream, (pending.get(names.stream) ?? 0) + 1);
    try {
      await this.core.ctx.jsm.streams.delete(names.stream);
    } catch (error) {
      // No advisory follows a delete that deleted nothing.
      takeOwnDelete(pending, names.stream);
      if (!isNotFound(error)) throw error;
    }
  }

  secondHandle(): NatsLogStore {
    return new NatsLogStoreImpl(this.core, this.shared);
  }

  counters(): { publishes: number; conflicts: number } {
    return { ...this.core.counters };
  }

  async close(): Promise<void> {
    const { core } = this;
    if (core.closed) return;
    core.closed = true;
    this.shared.advisories?.unsubscribe();
    this.shared.status?.();
    const writers: Promise<void>[] = [];
    for (const stream of core.streams.values()) {
      stream.follower.stop();
      for (const state of stream.shards.values()) {
        const writer = this.shared.parts.get(state)?.writer;
        if (writer !== undefined) writers.push(writer.settled());
      }
    }
    await Promise.all(writers);
  }
}

interface SharedParts {
  parts: WeakMap<ShardState, ShardParts>;
  /** JetStream streams this node deleted whose DELETED advisory has not come yet, with how many. */
  ownDeletes: Map<string, number>;
  advisories: Subscription | undefined;
  /** Stops listening to the connection's status. */
  status: (() => void) | undefined;
}

/**
 * After a reconnect every follower starts over at once, rather than after three missed
 * heartbeats: the consumers of the server the connection lost (one restarted, or gone) are gone.
 */
function restartFollowersOnReconnect(core: LogCore): () => void {
  const status = core.ctx.nc.status();
  void (async () => {
    for await (const event of status) {
      if (core.closed) return;
      if (event.type === "reconnect") for (const stream of core.streams.values()) stream.follower.restart();
    }
  })().catch(() => {});
  return () => (status as { stop?: () => void }).stop?.();
}

/**
 * Opens this node's shard logs: finds the Kinesis streams' JetStream streams there are, follows
 * each and reads every shard's tail before it resolves (so endOffset() is right from the start).
 */
export async function openNatsLogs(ctx: NatsContext, options: NatsLogsOptions = {}): Promise<NatsLogStore> {
  const core = new LogCore(ctx, options);
  const shared: SharedParts = { parts: new WeakMap(), ownDeletes: new Map(), advisories: undefined, status: undefined };
  shared.advisories = followAdvisories(core, shared.ownDeletes);
  shared.status = restartFollowersOnReconnect(core);
  const streamPrefix = `${ctx.prefix}-log-`;
  const loads: Promise<void>[] = [];
  for await (const name of ctx.jsm.streams.names()) {
    if (!name.startsWith(streamPrefix)) continue;
    const streamId = name.slice(streamPrefix.length);
    if (!/^[0-9a-f]+$/.test(streamId)) continue;
    loads.push(loadStream(core, core.stream(streamId)));
  }
  await Promise.all(loads);
  return new NatsLogStoreImpl(core, shared);
}

async function loadStream(core: LogCore, stream: StreamLog): Promise<void> {
  const info = await core.ctx.jsm.streams.info(stream.names.stream, { subjects_filter: stream.names.shardsFilter });
  const shards = Object.keys(info.state.subjects ?? {}).map((subject) => Number(subject.slice(subject.lastIndexOf(".") + 1)));
  await Promise.all(shards.map((shardIndex) => core.ready(stream, core.shard(stream.streamId, shardIndex))));
}

/**
 * JetStream's stream advisories: a log stream another node made starts this node's follower if it
 * uses the stream already; one another node deleted (dropStream) is forgotten here too.
 */
function followAdvisories(core: LogCore, ownDeletes: Map<string, number>): Subscription {
  const streamPrefix = `${core.ctx.prefix}-log-`;
  return core.ctx.nc.subscribe("$JS.EVENT.ADVISORY.STREAM.*.*", {
    callback: (error, message) => {
      if (error !== null || core.closed) return;
      const tokens = message.subject.split(".");
      const [action, name] = [tokens[4], tokens[5] ?? ""];
      if (!name.startsWith(streamPrefix)) return;
      const streamId = name.slice(streamPrefix.length);
      // Our own dropStream forgot the stream already (counted off before anything else, so no count outlives its advisory).
      if (action === "DELETED" && takeOwnDelete(ownDeletes, name)) return;
      const stream = core.streams.get(streamId);
      if (stream === undefined) return;
      if (action === "CREATED" && !stream.follower.running) void stream.follower.start();
      // Another node's dropStream: forget the stream unless an append here made it again.
      if (action === "DELETED") void streamExists(core.ctx, name).then((exists) => exists || core.streams.get(streamId) !== stream || core.forget(streamId), () => {});
    },
  });
}

/** Counts off one of this node's deletes of JetStream stream `name`; false if there was none. */
function takeOwnDelete(ownDeletes: Map<string, number>, name: string): boolean {
  const count = ownDeletes.get(name);
  if (count === undefined) return false;
  if (count > 1) ownDeletes.set(name, count - 1);
  else ownDeletes.delete(name);
  return true;
}

/** A second handle on a NATS engine's logs (the storage case suite's `secondLogs`). */
export function secondNatsLogHandle(logs: LogStore): LogStore {
  if (!(logs instanceof NatsLogStoreImpl)) throw new Error("not the NATS engine's logs");
  return logs.secondHandle();
}
