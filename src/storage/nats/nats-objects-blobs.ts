/**
 * Blob bytes on NATS JetStream (docs/formats/nats.md "Objects"): one stream, `<prefix>-blobs`
 * (file storage, the engine's replicas, direct gets allowed), on the subjects `<prefix>.blob.>`:
 *
 *   <prefix>.blob.<blobId>.<n>     chunk n (from 0) of the blob: bytes [n·chunkBytes, (n+1)·chunkBytes)
 *   <prefix>.blob.<blobId>.end     written last, empty, header Tributary-Blob-Size: the blob is complete
 *
 * One subject per chunk lets a ranged read start at the chunk it needs (a get of that subject's
 * last message) instead of streaming from the start, which a JetStream object store (one subject
 * for all of an object's chunks) cannot: a read of the last MiB of a 64 MiB object reads one MiB.
 * Writes stream: at most `publishesInFlightMax` chunks are held, waiting for their acks; reads
 * hold at most `readAheadChunks` chunks. A blob goes with one purge of `<prefix>.blob.<blobId>.>`.
 */
import { headers, type JetStreamManager, type JetStreamPublishOptions, type NatsError, type StoredMsg } from "nats";
import type { BlobOutcome, BlobRef, StorageFailure } from "../types.js";
import type { NatsContext } from "./nats-context.js";
import { whilePlacing } from "./nats-placement.js";

/** Bytes per chunk (fixed: a read finds chunk n of any blob by it). Well below NATS's default 1 MiB payload. */
export const blobChunkBytes = 256 * 1024;
/** Chunks published and not yet acknowledged, per blob write (2 MiB). */
const publishesInFlightMax = 8;
/** Chunks fetched ahead of the one a read yields. */
const readAheadChunks = 4;
const sizeHeader = "Tributary-Blob-Size";
const requestTimeoutMs = 30_000;

/** The manager's direct gets (nats.js has them on its manager without declaring them on the interface). */
interface DirectGets {
  getMessage(stream: string, query: { last_by_subj: string }): Promise<StoredMsg>;
}

export function blobsStreamName(prefix: string): string {
  return `${prefix}-blobs`;
}

export class BlobStream {
  readonly stream: string;
  private readonly subjectPrefix: string;

  private constructor(private readonly ctx: NatsContext) {
    this.stream = blobsStreamName(ctx.prefix);
    this.subjectPrefix = `${ctx.prefix}.blob.`;
  }

  /** Creates the stream if it is not there (nodes racing to create it make one). */
  static async open(ctx: NatsContext): Promise<BlobStream> {
    const maxPayload = ctx.nc.info?.max_payload ?? 1024 * 1024;
    if (maxPayload < blobChunkBytes + 4096) {
      throw new Error(`the NATS server's max_payload (${maxPayload} bytes) is below the ${blobChunkBytes + 4096} bytes a blob chunk needs`);
    }
    const blobs = new BlobStream(ctx);
    const config = {
      name: blobs.stream,
      subjects: [`${blobs.subjectPrefix}>`],
      num_replicas: ctx.replicas,
      allow_direct: true,
      description: "Tributary object bytes (docs/formats/nats.md)",
    };
    try {
      await ctx.jsm.streams.info(blobs.stream);
    } catch {
      try {
        await whilePlacing(ctx, `the blob stream ${blobs.stream}`, () => ctx.jsm.streams.add(config));
      } catch (error) {
        // Another node made it meanwhile: use theirs.
        await ctx.jsm.streams.info(blobs.stream).catch(() => Promise.reject(error));
      }
    }
    return blobs;
  }

  /** Publishes `source` as blob `blobId`, chunk by chunk; removes what it wrote if it fails. */
  async write(blobId: string, source: AsyncIterable<Uint8Array>): Promise<BlobOutcome> {
    const acks: Promise<unknown>[] = [];
    /** The first failure of NATS's (as opposed to the source's, which is the caller's to see). */
    let natsFailure: unknown;
    const published = (subject: string, bytes: Uint8Array | undefined, options: Partial<JetStreamPublishOptions> = {}) => {
      const ack = this.ctx.js.publish(subject, bytes, { timeout: requestTimeoutMs, ...options }).catch((error: unknown) => {
        natsFailure ??= error;
        throw error;
      });
      // Handled from the start: an ack may fail while the loop waits on the source, before anyone awaits it.
      ack.catch(() => undefined);
      return ack;
    };
    let chunkIndex = 0;
    let sizeBytes = 0;
    let chunk = Buffer.allocUnsafe(blobChunkBytes);
    let filled = 0;
    const flush = async (): Promise<void> => {
      acks.push(published(`${this.subjectPrefix}${blobId}.${chunkIndex++}`, chunk.subarray(0, filled)));
      chunk = Buffer.allocUnsafe(blobChunkBytes);
      filled = 0;
      // Bounded memory: wait for the oldest acknowledgement before reading on.
      if (acks.length >= publishesInFlightMax) await acks.shift();
    };
    try {
      for await (const piece of source) {
        for (let at = 0; at < piece.length; ) {
          const take = Math.min(piece.length - at, blobChunkBytes - filled);
          chunk.set(piece.subarray(at, at + take), filled);
          filled += take;
          at += take;
          if (filled === blobChunkBytes) await flush();
        }
        sizeBytes += piece.length;
      }
      if (filled > 0) await flush();
      // The end marker goes out behind the last chunks without waiting for their acks (one round
      // trip less for a small blob): one connection's publishes reach the stream in order, and if
      // any chunk is refused the whole blob is purged below.
      const end = headers();
      end.set(sizeHeader, String(sizeBytes));
      acks.push(published(`${this.subjectPrefix}${blobId}.end`, undefined, { headers: end }));
      await Promise.all(acks);
      return { ok: true, blob: { blobId, sizeBytes } };
    } catch (error) {
      await Promise.allSettled(acks);
      await this.purge(blobId).catch(() => undefined);
      if (natsFailure !== undefined) return { ok: false, failure: this.failureOf(natsFailure) };
      // The source failed (a client gone mid-upload): its error is the caller's.
      throw error;
    }
  }

  /** The blob's bytes in [startByte, endByteExclusive), a chunk at a time; throws if the blob is gone. */
  async *read(blob: BlobRef, startByte: number, endByteExclusive: number): AsyncIterable<Buffer> {
    const end = Math.min(endByteExclusive, blob.sizeBytes);
    if (startByte >= end) return;
    const first = Math.floor(startByte / blobChunkBytes);
    const last = Math.floor((end - 1) / blobChunkBytes);
    const fetches: Promise<Buffer>[] = [];
    let next = first;
    const fetchMore = () => {
      while (next <= last && fetches.length < readAheadChunks) {
        const fetch = this.chunk(blob, next++);
        // Handled from the start: a fetch ahead may fail while an earlier one is awaited.
        fetch.catch(() => undefined);
        fetches.push(fetch);
      }
    };
    for (let index = first; index <= last; index++) {
      fetchMore();
      const bytes = await fetches.shift()!;
      const chunkStart = index * blobChunkBytes;
      yield bytes.subarray(Math.max(startByte, chunkStart) - chunkStart, Math.min(end, chunkStart + bytes.length) - chunkStart);
    }
  }

  /** Removes every message of the blob. */
  async purge(blobId: string): Promise<void> {
    await this.ctx.jsm.streams.purge(this.stream, { filter: `${this.subjectPrefix}${blobId}.>` });
  }

  /**
   * Ids of the blobs in the stream with the time their last message was stored: complete ones
   * (with an end marker) and ones still being written or abandoned (a chunk 0 and no end).
   */
  async list(): Promise<{ complete: string[]; incomplete: string[] }> {
    const ids = async (last: string) => {
      const info = await this.ctx.jsm.streams.info(this.stream, { subjects_filter: `${this.subjectPrefix}*.${last}` });
      return Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(this.subjectPrefix.length, subject.lastIndexOf(".")));
    };
    const complete = await ids("end");
    const done = new Set(complete);
    const incomplete = (await ids("0")).filter((blobId) => !done.has(blobId));
    return { complete, incomplete };
  }

  /** When the blob's end marker (or, `incomplete`, its first chunk) was stored; undefined if gone. */
  async storedAtMs(blobId: string, incomplete: boolean): Promise<number | undefined> {
    try {
      const message = await this.ctx.jsm.streams.getMessage(this.stream, { last_by_subj: `${this.subjectPrefix}${blobId}.${incomplete ? "0" : "end"}` });
      return message.time.getTime();
    } catch {
      return undefined;
    }
  }

  failureOf(error: unknown): StorageFailure {
    const natsError = error as Partial<NatsError>;
    if (natsError.code === "CONNECTION_CLOSED" || natsError.code === "CONNECTION_DRAINING") return { kind: "closed", message: "the engine is closed", cause: error };
    const message = natsError.api_error?.description ?? (error as Error).message ?? String(error);
    const kind = /insufficient resources|maximum bytes|storage/i.test(message) ? "no-space" : "io";
    return { kind, message: `blob stream ${this.stream}: ${message}`, cause: error };
  }

  /**
   * Chunk `index` of the blob: a direct get (any current replica answers), then, if that finds
   * nothing (a replica not yet caught up), a get from the stream's leader.
   */
  private async chunk(blob: BlobRef, index: number): Promise<Buffer> {
    const subject = `${this.subjectPrefix}${blob.blobId}.${index}`;
    let message: { data: Uint8Array } | undefined;
    try {
      message = await (this.ctx.jsm as JetStreamManager & { direct: DirectGets }).direct.getMessage(this.stream, { last_by_subj: subject });
    } catch {
      message = await this.ctx.jsm.streams.getMessage(this.stream, { last_by_subj: subject }).catch((error: unknown): StoredMsg | undefined => {
        if ((error as NatsError).api_error?.err_code === 10037 || /no message found/i.test((error as Error).message)) return undefined;
        throw error;
      });
    }
    if (message === undefined) throw new Error(`blob ${blob.blobId} is gone (released): chunk ${index} is not in ${this.stream}`);
    const expected = Math.min(blobChunkBytes, blob.sizeBytes - index * blobChunkBytes);
    if (message.data.length !== expected) throw new Error(`blob ${blob.blobId}: chunk ${index} holds ${message.data.length} bytes, not ${expected}`);
    return Buffer.from(message.data.buffer, message.data.byteOffset, message.data.length);
  }
}
