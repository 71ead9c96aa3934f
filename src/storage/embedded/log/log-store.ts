/**
 * All shard logs under `<dataDir>/logs`: `logs/<streamId>/<shardIndex>/<segments>`. The stream id
 * is lowercase hex and the shard index a decimal integer, both checked, so names a client chooses
 * never reach a path (no traversal, no case or Unicode collisions).
 */
import type { AppendRecord, LogStore, LogWatch, ReadLimits, ShardLog } from "../../types.js";
import { removeTree } from "../fs-port.js";
import { assert } from "../../../util/assert.js";
import { EmbeddedShardLog } from "./shard-log.js";
import { recoverShard } from "./shard-recovery.js";
import type { LogEnv } from "./log-env.js";
import type { Timer } from "../../../util/clock.js";

const streamIdPattern = /^[0-9a-f]{1,64}$/;
const shardDirPattern = /^(0|[1-9]\d{0,7})$/;
const shardIndexMax = 2 ** 24 - 1;
/** Shards recovered at the same time at startup. */
const recoveryConcurrency = 8;

export function isValidStreamId(streamId: string): boolean {
  return streamIdPattern.test(streamId);
}

export class EmbeddedLogStore implements LogStore {
  private readonly logs = new Map<string, EmbeddedShardLog>();
  private syncTimer: Timer | undefined;
  private closed = false;
  private trashCounter = 0;

  private constructor(
    private readonly env: LogEnv,
    private readonly logsDir: string,
    private readonly trashDir: string,
  ) {}

  /**
   * Opens every shard of the streams the catalog knows (checking only each shard's tail) and
   * removes the logs of streams it does not know (a drop interrupted by a crash).
   */
  static async open(env: LogEnv, logsDir: string, trashDir: string, knownStreamIds: ReadonlySet<string>): Promise<EmbeddedLogStore> {
    const store = new EmbeddedLogStore(env, logsDir, trashDir);
    await env.fs.mkdir(logsDir);
    await env.fs.mkdir(trashDir);
    for (const entry of await env.fs.readdir(trashDir)) await removeTree(env.fs, `${trashDir}/${entry.name}`);
    const shardDirs: { streamId: string; shardIndex: number }[] = [];
    for (const streamEntry of await env.fs.readdir(logsDir)) {
      const streamId = streamEntry.name;
      if (!streamEntry.isDirectory || !isValidStreamId(streamId)) {
        env.logger.warn({ dir: logsDir, name: streamId }, "ignoring an entry the log did not write");
        continue;
      }
      if (!knownStreamIds.has(streamId)) {
        env.logger.info({ streamId }, "removing the logs of a stream the catalog no longer has");
        await store.removeStreamDir(streamId);
        continue;
      }
      for (const shardEntry of await env.fs.readdir(`${logsDir}/${streamId}`)) {
        if (shardEntry.isDirectory && shardDirPattern.test(shardEntry.name)) shardDirs.push({ streamId, shardIndex: Number(shardEntry.name) });
      }
    }
    let next = 0;
    const worker = async () => {
      while (next < shardDirs.length) {
        const { streamId, shardIndex } = shardDirs[next++]!;
        const dir = store.shardDir(streamId, shardIndex);
        const log = new EmbeddedShardLog(env, dir, store.parentDirs(streamId), await recoverShard(env, dir));
        store.logs.set(`${streamId}/${shardIndex}`, log);
      }
    };
    await Promise.all(Array.from({ length: recoveryConcurrency }, worker));
    if (env.options.fsync === "interval") {
      // On the injected clock (a ManualClock drives it in tests); never what keeps the process alive.
      store.syncTimer = env.clock.setInterval(() => store.syncInBackground(), env.options.fsyncIntervalMs, { unref: true });
    }
    return store;
  }

  shard(streamId: string, shardIndex: number): ShardLog {
    assert(isValidStreamId(streamId), "stream ids are lowercase hex");
    assert(Number.isSafeInteger(shardIndex) && shardIndex >= 0 && shardIndex <= shardIndexMax, "shard index out of range");
    const key = `${streamId}/${shardIndex}`;
    let log = this.logs.get(key);
    if (!log) {
      log = new EmbeddedShardLog(this.env, this.shardDir(streamId, shardIndex), this.parentDirs(streamId), { segmentBases: [], active: undefined });
      if (this.closed) log.markClosed();
      this.logs.set(key, log);
    }
    return log;
  }

  async dropStream(streamId: string): Promise<void> {
    assert(isValidStreamId(streamId), "stream ids are lowercase hex");
    const dropping: EmbeddedShardLog[] = [];
    for (const [key, log] of this.logs) {
      if (!key.startsWith(`${streamId}/`)) continue;
      this.logs.delete(key);
      dropping.push(log);
    }
    await Promise.all(dropping.map((log) => log.drop()));
    await this.removeStreamDir(streamId);
  }

  /**
   * A second handle on these logs, made by the engine: shard logs of its own that read, append to
   * and announce the same shards. The data-directory lock allows one engine per directory, so this
   * is as far apart as two handles on the embedded engine's data get (docs/architecture.md).
   */
  secondHandle(): LogStore {
    return {
      shard: (streamId, shardIndex) => new ShardLogHandle(this.shard(streamId, shardIndex)),
      dropStream: (streamId) => this.dropStream(streamId),
    };
  }

  /** Makes everything durable and closes every file. */
  async close(): Promise<void> {
    this.closed = true;
    this.env.clock.clearTimer(this.syncTimer);
    await Promise.all([...this.logs.values()].map((log) => log.close()));
    await this.env.handles.closeAll();
  }

  private shardDir(streamId: string, shardIndex: number): string {
    return `${this.logsDir}/${streamId}/${shardIndex}`;
  }

  private parentDirs(streamId: string): string[] {
    return [`${this.logsDir}/${streamId}`, this.logsDir];
  }

  /** Moves the stream's directory to the trash (one durable rename), then deletes it. */
  private async removeStreamDir(streamId: string): Promise<void> {
    const streamDir = `${this.logsDir}/${streamId}`;
    this.env.handles.forgetUnder(`${streamDir}/`);
    this.env.sealed.forgetUnder(`${streamDir}/`);
    if (!(await this.env.fs.exists(streamDir))) return;
    const trashPath = `${this.trashDir}/${streamId}.${this.env.clock.nowMs()}.${this.trashCounter++}`;
    await this.env.fs.rename(streamDir, trashPath);
    await this.env.fs.syncDir(this.logsDir);
    await removeTree(this.env.fs, trashPath);
  }

  private syncInBackground(): void {
    for (const log of this.logs.values()) if (log.hasUnsyncedBytes()) void log.syncInBackground();
  }
}

/** A second handle's shard log: its own object, over the shard the store holds. */
class ShardLogHandle implements ShardLog {
  constructor(private readonly log: ShardLog) {}
  append(records: readonly AppendRecord[], arrivalMs: number) {
    return this.log.append(records, arrivalMs);
  }
  read(fromOffset: number, limits: ReadLimits) {
    return this.log.read(fromOffset, limits);
  }
  offsetAtTime(timestampMs: number) {
    return this.log.offsetAtTime(timestampMs);
  }
  startOffset() {
    return this.log.startOffset();
  }
  endOffset() {
    return this.log.endOffset();
  }
  trimBefore(cutoffMs: number) {
    return this.log.trimBefore(cutoffMs);
  }
  watch(listener: (endOffset: number) => void): LogWatch {
    return this.log.watch(listener);
  }
}
