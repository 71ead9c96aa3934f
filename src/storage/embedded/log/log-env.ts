/**
 * What every part of the log shares: the fs port, the bounded caches, the logger and the tuning
 * options.
 */
import type { FsPort } from "../fs-port.js";
import type { FsyncPolicy } from "../fsync-policy.js";
import type { Clock } from "../../../util/clock.js";
import type { Logger } from "../../../util/logger.js";
import type { HandleCache } from "./handle-cache.js";
import type { SealedCache } from "./sealed-segments.js";

export interface LogOptions {
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  /** A segment rolls when the next batch would take it past this size. */
  segmentBytesMax: number;
  /** A segment rolls when the next batch arrives this long after its first record. */
  segmentAgeMsMax: number;
  /** Bytes of frames between sparse index entries: the most a lookup scans. */
  indexIntervalBytes: number;
  /** The active segment's index is checkpointed after this many new bytes: the most recovery scans. */
  checkpointIntervalBytes: number;
  /** Bytes read per disk read when scanning. */
  readChunkBytes: number;
  /** Read handles kept open across all segments. */
  openFilesMax: number;
  /** Loaded indexes of sealed segments kept in memory. */
  sealedIndexesMax: number;
}

export const defaultLogOptions: Omit<LogOptions, "fsync"> = {
  fsyncIntervalMs: 1000,
  segmentBytesMax: 64 * 1024 * 1024,
  segmentAgeMsMax: 60 * 60 * 1000,
  indexIntervalBytes: 8 * 1024,
  checkpointIntervalBytes: 8 * 1024 * 1024,
  readChunkBytes: 256 * 1024,
  openFilesMax: 256,
  sealedIndexesMax: 128,
};

export interface LogEnv {
  fs: FsPort;
  clock: Clock;
  logger: Logger;
  options: LogOptions;
  handles: HandleCache;
  sealed: SealedCache;
}
