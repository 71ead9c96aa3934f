/**
 * The shard logs' JetStream calls: names, the stream's creation, message gets and the
 * compare-and-set publish. Outcomes a caller handles (a conflict, a message that is not there, an
 * unknown publish outcome) are values; anything else is a failure value too, never a throw.
 *
 * Gets come two ways. Direct gets (`$JS.API.DIRECT.GET`) are answered by any replica — fast, spread
 * over the cluster, but a replica may lag the leader by what it has not applied yet (never a hole
 * in the middle: replicas apply in order). So a direct get that finds nothing where the log says a
 * message is, and every read of a tail a compare-and-set depends on, asks the stream's leader
 * (`STREAM.MSG.GET`), which has applied everything it acknowledged.
 */
import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamManager, type MsgHdrs, type StoredMsg, type StreamConfig } from "nats";
import type { NatsContext } from "./nats-context.js";
import { whilePlacing } from "./nats-placement.js";
import { header, parseHead, type MessageHead } from "./nats-log-format.js";

/** JetStream's dedup window: a publish retried after an unknown outcome within it lands once. */
export const duplicateWindowMs = 120_000;
/** How long one publish or get waits for JetStream's answer before the outcome is unknown. */
export const requestTimeoutMs = 5_000;

const wrongLastSequence = 10071;
const streamNotFound = 10059;
const noMessageFound = 10037;

export interface LogNames {
  stream: string;
  /** The filter matching every shard's subject (not the chunks'). */
  shardsFilter: string;
  subject(shardIndex: number): string;
  chunkSubject(shardIndex: number): string;
}

export function logNames(prefix: string, streamId: string): LogNames {
  if (!/^[0-9a-f]+$/.test(streamId)) throw new Error(`stream id ${JSON.stringify(streamId)} is not lowercase hex`);
  const base = `${prefix}.log.${streamId}`;
  return {
    stream: `${prefix}-log-${streamId}`,
    shardsFilter: `${base}.*`,
    subject: (shardIndex) => `${base}.${shardIndex}`,
    chunkSubject: (shardIndex) => `${base}.${shardIndex}.c`,
  };
}

/** The shard index a shard subject names (its last token). */
export function shardIndexOf(subject: string): number {
  return Number(subject.slice(subject.lastIndexOf(".") + 1));
}

export function streamConfig(ctx: NatsContext, streamId: string): Partial<StreamConfig> & { name: string } {
  const names = logNames(ctx.prefix, streamId);
  return {
    name: names.stream,
    subjects: [names.shardsFilter, `${names.shardsFilter}.c`],
    storage: StorageType.File,
    num_replicas: ctx.replicas,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    // No MaxAge: it would also remove a shard's last message, which carries the shard's end offset
    // (and its seal); retention is trimBefore's, which always keeps that message.
    max_age: 0,
    duplicate_window: nanos(duplicateWindowMs),
    allow_direct: true,
  };
}

function errorCode(error: unknown): number | undefined {
  return (error as { api_error?: { err_code?: number } } | undefined)?.api_error?.err_code;
}

function natsCode(error: unknown): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}

export function isNotFound(error: unknown): boolean {
  const code = errorCode(error);
  return code === streamNotFound || code === noMessageFound || natsCode(error) === "404";
}

/** Creates the Kinesis stream's JetStream stream if it is not there (idempotent across nodes). */
export async function ensureStream(ctx: NatsContext, streamId: string): Promise<void> {
  const config = streamConfig(ctx, streamId);
  try {
    await whilePlacing(ctx, `the shard-log stream ${config.name}`, () => ctx.jsm.streams.add(config));
  } catch (error) {
    // Another node created it first, perhaps with other replicas: it is there, which is all we need.
    if (await streamExists(ctx, config.name)) return;
    throw error;
  }
}

export async function streamExists(ctx: NatsContext, name: string): Promise<boolean> {
  try {
    await ctx.jsm.streams.info(name);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** A message as a get returns it: its head and its body (a buffer of its own). */
export interface FetchedMessage {
  head: MessageHead;
  body: Buffer;
}

export type GetQuery = { seq: number } | { last_by_subj: string } | { seq: number; next_by_subj: string };

function fetched(h: MsgHdrs | undefined, seq: number, data: Uint8Array): FetchedMessage {
  const head = parseHead(h, seq, data.length);
  if (head === undefined) throw new Error(`message ${seq} is not a shard log message (format ${formatOf(h)})`);
  // A buffer of our own: the client's may be a view into its read buffer.
  return { head, body: Buffer.from(data) };
}

function formatOf(h: MsgHdrs | undefined): string {
  return h?.get(header.log) || "none";
}

/** The part of nats.js's DirectStreamAPI used here (the package does not export the type). */
interface DirectStreamAPI {
  getMessage(stream: string, query: GetQuery): Promise<StoredMsg>;
}

/** The client's direct get API: its JetStreamManager has one, though the type does not say so (nats 2.29). */
function directApi(ctx: NatsContext): DirectStreamAPI {
  const direct = (ctx.jsm as JetStreamManager & { direct?: DirectStreamAPI }).direct;
  if (direct === undefined) throw new Error("the nats client has no direct get API");
  return direct;
}

/** A direct get (any replica); undefined when that replica has no such message. */
export async function directGet(ctx: NatsContext, stream: string, query: GetQuery): Promise<FetchedMessage | undefined> {
  try {
    const message = await directApi(ctx).getMessage(stream, query);
    return fetched(message.header, message.seq, message.data);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** A get from the stream's leader; undefined when there is no such message (or no stream). */
export async function leaderGet(ctx: NatsContext, stream: string, query: GetQuery): Promise<FetchedMessage | undefined> {
  try {
    const message = await ctx.jsm.streams.getMessage(stream, query);
    return fetched(message.header, message.seq, message.data);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * The Msg-Id and sequence of the subject's first message after `seq`, from the leader: whether a
 * publish whose answer was lost landed. (A clustered stream checks the expected last sequence
 * before duplicates, so resending such a publish meets a conflict, not a duplicate's answer.)
 */
export async function leaderMsgIdAfter(ctx: NatsContext, stream: string, subject: string, seq: number): Promise<{ seq: number; msgId: string } | undefined> {
  try {
    const query: GetQuery = { seq: seq + 1, next_by_subj: subject };
    const message = await ctx.jsm.streams.getMessage(stream, query);
    return { seq: message.seq, msgId: message.header.get(header.msgId) };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** A direct get that asks the leader when the replica that answered has not got the message yet. */
export async function getExisting(ctx: NatsContext, stream: string, query: GetQuery): Promise<FetchedMessage | undefined> {
  return (await directGet(ctx, stream, query)) ?? (await leaderGet(ctx, stream, query));
}

export type PublishOutcome =
  | { kind: "ok"; seq: number }
  | { kind: "conflict" }
  /** Nobody answered in time, or no JetStream stream took it: the message may or may not be stored. */
  | { kind: "unknown"; error: unknown }
  | { kind: "failed"; error: unknown };

/**
 * Publishes under Nats-Expected-Last-Subject-Sequence = `expectedLastSeq` (0: the subject holds no
 * message). The Msg-Id makes a retry of the same message idempotent: JetStream checks duplicates
 * before the expected sequence, so a retry of a message that landed answers its sequence.
 */
export async function publishAfter(ctx: NatsContext, subject: string, body: Uint8Array, h: MsgHdrs, expectedLastSeq: number, msgId: string): Promise<PublishOutcome> {
  h.set(header.msgId, msgId);
  h.set(header.expectedLastSubjectSequence, String(expectedLastSeq));
  return publish(ctx, subject, body, h);
}

export async function publish(ctx: NatsContext, subject: string, body: Uint8Array, h: MsgHdrs): Promise<PublishOutcome> {
  try {
    const ack = await ctx.js.publish(subject, body, { headers: h, timeout: requestTimeoutMs });
    return { kind: "ok", seq: ack.seq };
  } catch (error) {
    if (errorCode(error) === wrongLastSequence) return { kind: "conflict" };
    const code = natsCode(error);
    if (code === "503" || code === "TIMEOUT" || code === "DISCONNECT" || code === "CONNECTION_REFUSED") return { kind: "unknown", error };
    return { kind: "failed", error };
  }
}
