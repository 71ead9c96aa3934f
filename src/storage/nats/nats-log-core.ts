/**
 * One node's shard-log state, shared by every LogStore handle it gives out (nats-logs.ts): the
 * Kinesis streams it follows, each with its shards' states and its follower, and a bounded cache
 * of message bodies that readers of the same records (fan-out consumers, Lambda, Firehose) share.
 */
import type { NatsContext } from "./nats-context.js";
import { decodeChunkList } from "./nats-log-format.js";
import { ensureStream, getExisting, leaderGet, logNames, type FetchedMessage, type GetQuery, type LogNames } from "./nats-log-jetstream.js";
import { StreamFollower } from "./nats-log-follower.js";
import { ShardState } from "./nats-log-shard.js";

export interface NatsLogsOptions {
  /** Messages indexed per shard (offset → sequence); older offsets are found by probing. */
  indexEntriesMax?: number;
  /** Bytes of message bodies kept for readers, over all shards. */
  cacheBytesMax?: number;
}

export const defaultIndexEntriesMax = 4096;
export const defaultCacheBytesMax = 16 * 1024 * 1024;

export class StreamLog {
  readonly shards = new Map<number, ShardState>();
  readonly follower: StreamFollower;
  /** Resolves once the JetStream stream exists (made by this node if need be). */
  created: Promise<void> | undefined;

  constructor(
    readonly streamId: string,
    readonly names: LogNames,
    core: LogCore,
  ) {
    this.follower = new StreamFollower(core.ctx, names, (shardIndex, head) => {
      if (core.streams.get(streamId) === this) core.shard(streamId, shardIndex).observe(head);
    });
  }
}

/** Message bodies by stream and sequence, least recently used first out, bounded in bytes. */
class MessageCache {
  private readonly entries = new Map<string, FetchedMessage>();
  private bytes = 0;

  constructor(private readonly bytesMax: number) {}

  get(key: string): FetchedMessage | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, message: FetchedMessage): void {
    if (message.body.length > this.bytesMax / 8 || this.entries.has(key)) return;
    this.entries.set(key, message);
    this.bytes += message.body.length;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.bytesMax) break;
      this.entries.delete(oldest);
      this.bytes -= entry.body.length;
    }
  }

  dropStream(stream: string): void {
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(stream + "/")) continue;
      this.entries.delete(key);
      this.bytes -= entry.body.length;
    }
  }
}

export class LogCore {
  readonly streams = new Map<string, StreamLog>();
  closed = false;
  /** Counts since open: messages stored by this node's appends and seals, and conflicts they met. */
  readonly counters = { publishes: 0, conflicts: 0 };
  /** Distinguishes this process's Msg-Ids from a restarted node's with the same node id. */
  readonly incarnation: string;
  readonly indexEntriesMax: number;
  private readonly cache: MessageCache;
  private readonly fetching = new Map<string, Promise<FetchedMessage | undefined>>();
  private chunkIds = 0;

  constructor(
    readonly ctx: NatsContext,
    options: NatsLogsOptions = {},
  ) {
    this.incarnation = `${ctx.nodeId}.${ctx.random.bytes(6).toString("hex")}`;
    this.indexEntriesMax = options.indexEntriesMax ?? defaultIndexEntriesMax;
    this.cache = new MessageCache(options.cacheBytesMax ?? defaultCacheBytesMax);
  }

  /** The largest message body the connection's server takes, less room for headers. */
  inlineBytesMax(): number {
    const maxPayload = this.ctx.nc.info?.max_payload ?? 1024 * 1024;
    return maxPayload - 4096;
  }

  /** A number for a chunk's Msg-Id, unique in this incarnation. */
  nextChunkId(): number {
    return ++this.chunkIds;
  }

  stream(streamId: string): StreamLog {
    let stream = this.streams.get(streamId);
    if (stream === undefined) {
      stream = new StreamLog(streamId, logNames(this.ctx.prefix, streamId), this);
      this.streams.set(streamId, stream);
      if (!this.closed) void stream.follower.start();
    }
    return stream;
  }

  /** The shard's state, made (and its tail loaded) on first use. */
  shard(streamId: string, shardIndex: number): ShardState {
    if (!Number.isInteger(shardIndex) || shardIndex < 0) throw new Error(`shard index ${shardIndex} is not a non-negative integer`);
    const stream = this.stream(streamId);
    let state = stream.shards.get(shardIndex);
    if (state === undefined) {
      state = new ShardState(streamId, shardIndex, this.indexEntriesMax);
      stream.shards.set(shardIndex, state);
      state.ready = this.load(stream, state);
    }
    return state;
  }

  /** Makes the JetStream stream if need be (once per stream, again after a failure) and follows it. */
  async create(stream: StreamLog): Promise<void> {
    stream.created ??= ensureStream(this.ctx, stream.streamId).then(
      async () => {
        if (!stream.follower.running && !this.closed) await stream.follower.start();
      },
      (error: unknown) => {
        stream.created = undefined;
        throw error;
      },
    );
    return stream.created;
  }

  /** Forgets a stream (dropped here or elsewhere): its states are marked dropped, its follower stopped. */
  forget(streamId: string): void {
    const stream = this.streams.get(streamId);
    if (stream === undefined) return;
    this.streams.delete(streamId);
    stream.follower.stop();
    for (const state of stream.shards.values()) state.dropped = true;
    this.cache.dropStream(stream.names.stream);
  }

  /** Reads the shard's tail and first message from the stream's leader. */
  private async load(stream: StreamLog, state: ShardState): Promise<void> {
    const subject = stream.names.subject(state.shardIndex);
    try {
      const [last, first] = await Promise.all([leaderGet(this.ctx, stream.names.stream, { last_by_subj: subject }), leaderGet(this.ctx, stream.names.stream, { seq: 1, next_by_subj: subject })]);
      if (first !== undefined) {
        state.setFirst(first.head);
        state.remember(first.head);
      }
      if (last !== undefined) state.observe(last.head);
    } catch (error) {
      // A later use loads again; meanwhile the shard looks as this node last knew it.
      this.ctx.logger.warn({ err: error, stream: stream.names.stream, shard: state.shardIndex }, "could not read a shard log's tail");
      state.loadFailed = true;
    }
  }

  /** Waits for the shard's tail; loads it again if the last try failed. */
  async ready(stream: StreamLog, state: ShardState): Promise<void> {
    await state.ready;
    if (!state.loadFailed) return;
    state.loadFailed = false;
    state.ready = this.load(stream, state);
    await state.ready;
  }

  /**
   * A message by sequence, with its body whole (chunks joined), from the cache or JetStream;
   * undefined if it is not there (trimmed, or its stream dropped).
   */
  message(stream: StreamLog, seq: number): Promise<FetchedMessage | undefined> {
    return this.fetch(stream, { seq }, `${stream.names.stream}/${seq}`);
  }

  /** The first message of the shard at or after `seq` (a probe); cached by its own sequence. */
  async nextMessage(stream: StreamLog, shardIndex: number, seq: number): Promise<FetchedMessage | undefined> {
    const message = await getExisting(this.ctx, stream.names.stream, { seq, next_by_subj: stream.names.subject(shardIndex) });
    if (message === undefined) return undefined;
    return this.whole(stream, message);
  }

  private fetch(stream: StreamLog, query: GetQuery, key: string): Promise<FetchedMessage | undefined> {
    const cached = this.cache.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.fetching.get(key);
    if (pending === undefined) {
      pending = getExisting(this.ctx, stream.names.stream, query)
        .then((message) => (message === undefined ? undefined : this.whole(stream, message)))
        .finally(() => this.fetching.delete(key));
      this.fetching.set(key, pending);
    }
    return pending;
  }

  /** Joins a chunked message's chunks into its body; caches the result. */
  private async whole(stream: StreamLog, message: FetchedMessage): Promise<FetchedMessage> {
    let whole = message;
    if (message.head.chunks > 0) {
      const seqs = decodeChunkList(message.body, message.head.chunks);
      const chunks = await Promise.all(seqs.map((seq) => getExisting(this.ctx, stream.names.stream, { seq })));
      const missing = chunks.findIndex((chunk) => chunk === undefined);
      if (missing >= 0) throw new Error(`shard log message ${message.head.seq}: chunk ${seqs[missing]} is missing`);
      whole = { head: message.head, body: Buffer.concat(chunks.map((chunk) => chunk!.body)) };
    }
    this.cache.set(`${stream.names.stream}/${message.head.seq}`, whole);
    return whole;
  }
}

