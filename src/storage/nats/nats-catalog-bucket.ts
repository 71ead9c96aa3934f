/**
 * The catalog bucket's JetStream calls (docs/formats/nats.md "Catalog"): creating the bucket,
 * the deployment's secret, and writes — a publish to the key's subject with its expectation and a
 * message id, sent again when its answer is lost — with the read of a key's last message that
 * decides what a refusal means.
 */
import { headers, type JetStreamPublishOptions, type KV, type NatsError } from "nats";
import type { NatsContext } from "./nats-context.js";
import { secretKey } from "./nats-catalog-keys.js";
import { whilePlacing } from "./nats-placement.js";

const secretBytes = 32;
/** JetStream's "wrong last sequence" error: a compare-and-set that met another revision. */
const wrongLastSequenceCode = 10071;
/** A write whose answer was lost is sent again (same message id) this many times in all, waiting a little longer each time. */
const publishAttemptsMax = 5;
const publishRetryDelayMs = 250;
const empty = new Uint8Array(0);

/** A key's last message as the stream's leader has it: its revision, whether it is a value (not a delete marker), its message id. */
export interface LastMessage {
  revision: number;
  live: boolean;
  msgId: string | undefined;
}

/** Opens (creating if needed) the bucket, retrying while its replicas cannot be placed. */
export function openCatalogBucket(ctx: NatsContext, bucket: string): Promise<KV> {
  return whilePlacing(ctx, `the catalog bucket ${bucket}`, () =>
    ctx.js.views.kv(bucket, {
      history: 1,
      replicas: ctx.replicas,
      // Reads that matter (a conflict's revision, the secret) go to the stream's leader, never to a lagging replica.
      allow_direct: false,
      description: "Tributary catalog (docs/formats/nats.md)",
    }),
  );
}

/** The deployment's secret: read, or made by the first node (a creation that expects no message; the loser reads the winner's). */
export async function loadOrCreateSecret(kv: KV, ctx: NatsContext): Promise<Buffer> {
  const existing = await kv.get(secretKey);
  if (existing !== null && existing.operation === "PUT" && existing.value.length === secretBytes) return Buffer.from(existing.value);
  try {
    await kv.create(secretKey, ctx.random.bytes(secretBytes));
  } catch (error) {
    // Another node made it first (the secret is made once, cluster-wide): read theirs.
    if ((error as NatsError).api_error?.err_code !== wrongLastSequenceCode) throw error;
  }
  const stored = await kv.get(secretKey);
  if (stored === null || stored.operation !== "PUT" || stored.value.length !== secretBytes) {
    throw new Error(`the catalog bucket's secret is missing or not ${secretBytes} bytes`);
  }
  return Buffer.from(stored.value);
}

/** Writes to one bucket's keys: each with its own message id (`<nodeId>-<n>`). */
export class CatalogWriter {
  /** Writes published through this writer. */
  private published = 0;
  private readonly subjectPrefix: string;

  constructor(
    private readonly ctx: NatsContext,
    private readonly bucket: string,
    private readonly isClosed: () => boolean,
  ) {
    this.subjectPrefix = `$KV.${bucket}.`;
  }

  /**
   * One write to the bucket's stream. `expectedLast`: the key's last stream sequence it must have
   * (0: none at all); a write refused for that answers `{ok: false}`.
   *
   * A publish whose answer is lost (a timeout, a connection dropped, a leader election) may or may
   * not have landed: it is sent again, unchanged, with the same Nats-Msg-Id. Unconditional, the
   * stream's duplicate window answers the original's sequence. With an expectation, a clustered
   * stream checks the expectation first and refuses a write that did land: so a refusal after a
   * lost answer looks at the key's last message, and if that carries our message id, it is ours.
   */
  async publish(key: string, value: Uint8Array | undefined, expectedLast: number | undefined): Promise<{ ok: true; revision: number } | { ok: false }> {
    const msgId = `${this.ctx.nodeId}-${++this.published}`;
    const options: Partial<JetStreamPublishOptions> = { msgID: msgId };
    if (value === undefined) {
      const marker = headers();
      marker.set("KV-Operation", "DEL");
      options.headers = marker;
    }
    if (expectedLast !== undefined) options.expect = { lastSubjectSequence: expectedLast };
    for (let attempt = 1; ; attempt++) {
      try {
        const ack = await this.ctx.js.publish(this.subjectPrefix + key, value ?? empty, options);
        return { ok: true, revision: ack.seq };
      } catch (error) {
        const apiError = (error as NatsError).api_error;
        if (apiError?.err_code === wrongLastSequenceCode) {
          if (attempt === 1) return { ok: false };
          const last = await this.lastOf(key);
          return last?.msgId === msgId ? { ok: true, revision: last.revision } : { ok: false };
        }
        // JetStream answered (an API error): the answer stands. Otherwise it may not have seen it.
        if (apiError !== undefined || this.isClosed() || attempt >= publishAttemptsMax) throw error;
        this.ctx.logger.warn({ bucket: this.bucket, key, attempt, err: (error as Error).message }, "a catalog write's answer was lost; sending it again");
        await this.ctx.clock.sleep(publishRetryDelayMs * attempt, { unref: true });
      }
    }
  }

  /** The key's last message as the stream's leader has it: its revision, whether it is a value (not a delete marker), its message id. */
  async lastOf(key: string): Promise<LastMessage | undefined> {
    try {
      const message = await this.ctx.jsm.streams.getMessage(`KV_${this.bucket}`, { last_by_subj: this.subjectPrefix + key });
      const operation = message.header.get("KV-Operation");
      return { revision: message.seq, live: operation !== "DEL" && operation !== "PURGE", msgId: message.header.get("Nats-Msg-Id") || undefined };
    } catch (error) {
      if ((error as NatsError).code === "404") return undefined;
      throw error;
    }
  }
}
