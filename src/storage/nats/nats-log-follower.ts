/**
 * A Kinesis stream's follower: one ephemeral push consumer per JetStream stream, headers only,
 * that first delivers the last message of every shard's subject and then every message any node
 * appends. It is how a node keeps its shards' tails current (ShardLog's synchronous endOffset)
 * and announces other nodes' appends to its watchers.
 *
 * An ordered consumer of our own: R1, in memory, no acks, flow control and idle heartbeats. A gap
 * in the consumer's sequence, a heartbeat missed three times over (its server went) or the
 * consumer's loss makes it again from the stream sequence after the last one delivered, so nothing
 * is skipped. (nats.js's ordered consumer keeps retrying its re-creation after it is stopped or
 * its connection closed, which a server's parts must not do.) Its messages carry only headers and
 * Nats-Msg-Size, a few dozen bytes each.
 */
import { AckPolicy, DeliverPolicy, createInbox, nanos, type ConsumerConfig, type Msg, type Subscription } from "nats";
import { systemClock, type Timer } from "../../util/clock.js";
import type { NatsContext } from "./nats-context.js";
import { parseHead, type MessageHead } from "./nats-log-format.js";
import { shardIndexOf, streamExists, type LogNames } from "./nats-log-jetstream.js";

/** The consumer's idle heartbeat; three missed make the follower start over. */
const heartbeatMs = 2000;
/** How long the server keeps the consumer once nobody listens (a node that died). */
const inactiveThresholdMs = 60_000;
/** The longest wait between tries to follow again. */
const retryBackoffMsMax = 2000;

export class StreamFollower {
  private subscription: Subscription | undefined;
  private consumerName: string | undefined;
  private starting: Promise<boolean> | undefined;
  private watchdog: Timer | undefined;
  private stopped = false;
  /** Stream sequence of the last message delivered (0: none yet: start with each subject's last). */
  private lastStreamSeq = 0;
  private lastConsumerSeq = 0;
  private lastHeardMs = 0;
  /** Bumped at every (re)start: messages of an older consumer are ignored. */
  private generation = 0;

  constructor(
    private readonly ctx: NatsContext,
    private readonly names: LogNames,
    private readonly onHead: (shardIndex: number, head: MessageHead) => void,
  ) {}

  get running(): boolean {
    return this.subscription !== undefined && !this.stopped;
  }

  /** Starts following; false if the JetStream stream does not exist (yet). */
  start(): Promise<boolean> {
    if (this.stopped || this.subscription !== undefined) return Promise.resolve(true);
    this.starting ??= this.begin().finally(() => (this.starting = undefined));
    return this.starting;
  }

  stop(): void {
    this.stopped = true;
    this.end();
  }

  private async begin(): Promise<boolean> {
    try {
      if (!(await streamExists(this.ctx, this.names.stream))) return false;
      if (this.stopped) return true;
      const generation = ++this.generation;
      const inbox = createInbox();
      const subscription = this.ctx.nc.subscribe(inbox, { callback: (error, message) => error === null && this.take(generation, message) });
      this.subscription = subscription;
      this.lastConsumerSeq = 0;
      this.lastHeardMs = systemClock.nowMs();
      const config: Partial<ConsumerConfig> = {
        deliver_subject: inbox,
        ack_policy: AckPolicy.None,
        headers_only: true,
        filter_subject: this.names.shardsFilter,
        flow_control: true,
        idle_heartbeat: nanos(heartbeatMs),
        mem_storage: true,
        num_replicas: 1,
        inactive_threshold: nanos(inactiveThresholdMs),
        ...(this.lastStreamSeq === 0 ? { deliver_policy: DeliverPolicy.LastPerSubject } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.lastStreamSeq + 1 }),
      };
      const info = await this.ctx.jsm.consumers.add(this.names.stream, config);
      this.consumerName = info.name;
      if (this.stopped) this.end();
      else this.watchdog ??= systemClock.setInterval(() => this.check(), heartbeatMs, { unref: true });
      return true;
    } catch (error) {
      this.ctx.logger.debug({ err: error, stream: this.names.stream }, "shard log follower not started");
      this.end();
      return false;
    }
  }

  private take(generation: number, message: Msg): void {
    if (this.stopped || generation !== this.generation) return;
    this.lastHeardMs = systemClock.nowMs();
    if (message.data.length === 0 && message.headers?.code === 100) {
      // Flow control asks for an answer; a heartbeat may carry a stalled flow control's subject.
      if (message.reply) message.respond();
      const stalled = message.headers.get("Nats-Consumer-Stalled");
      if (stalled) this.ctx.nc.publish(stalled);
      return;
    }
    const position = ackPosition(message.reply);
    if (position === undefined) return;
    if (position.consumerSeq !== this.lastConsumerSeq + 1) {
      this.again();
      return;
    }
    this.lastConsumerSeq = position.consumerSeq;
    this.lastStreamSeq = position.streamSeq;
    const head = parseHead(message.headers, position.streamSeq, 0);
    if (head === undefined) {
      this.ctx.logger.warn({ stream: this.names.stream, subject: message.subject, seq: position.streamSeq }, "a message on a shard log subject is not a shard log message");
      return;
    }
    this.onHead(shardIndexOf(message.subject), head);
  }

  private check(): void {
    if (this.stopped || this.starting !== undefined) return;
    if (this.subscription === undefined || systemClock.nowMs() - this.lastHeardMs > 3 * heartbeatMs) this.again();
  }

  /** Starts over now (the connection reconnected: a consumer on the server it lost is gone with it). */
  restart(): void {
    if (this.running) this.again();
  }

  /** Starts over from the message after the last one delivered (the stream may be gone: then it stays ended). */
  private again(): void {
    this.end();
    if (this.stopped) return;
    void (async () => {
      for (let attempt = 0; !this.stopped && !this.ctx.nc.isClosed(); attempt++) {
        if (await this.start()) return;
        if (!(await streamExists(this.ctx, this.names.stream).catch(() => true))) return;
        await systemClock.sleep(Math.min(retryBackoffMsMax, 50 * 2 ** attempt), { unref: true });
      }
    })();
  }

  private end(): void {
    this.generation++;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.dropConsumer();
    if (this.stopped) {
      systemClock.clearTimer(this.watchdog);
      this.watchdog = undefined;
    }
  }

  private dropConsumer(): void {
    const name = this.consumerName;
    this.consumerName = undefined;
    if (name === undefined || this.ctx.nc.isClosed()) return;
    // Best effort: one nobody listens to goes by itself after inactiveThresholdMs.
    this.ctx.jsm.consumers.delete(this.names.stream, name).catch(() => {});
  }
}

/**
 * The stream and consumer sequences in a push message's reply subject:
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<streamSeq>.<consumerSeq>.<time>.<pending>`, or with a
 * domain and account hash after `$JS.ACK` (and a token more at the end) on newer servers.
 */
function ackPosition(reply: string | undefined): { streamSeq: number; consumerSeq: number } | undefined {
  if (!reply?.startsWith("$JS.ACK.")) return undefined;
  const tokens = reply.split(".");
  const at = tokens.length === 9 ? 5 : tokens.length >= 11 ? 7 : -1;
  if (at < 0) return undefined;
  const streamSeq = Number(tokens[at]);
  const consumerSeq = Number(tokens[at + 1]);
  return Number.isSafeInteger(streamSeq) && Number.isSafeInteger(consumerSeq) ? { streamSeq, consumerSeq } : undefined;
}
