/**
 * Creating a replicated JetStream stream (a KV bucket, the blob stream, a shard-log stream) needs
 * every replica's server to be seen as online by the meta leader. Right after a cluster forms, or
 * while a server restarts or a starved machine is late with its heartbeats, the creation fails
 * ("no suitable peers for placement", "JetStream system temporarily unavailable", "insufficient
 * resources") although it will succeed a moment later. Such a creation is tried again for a while
 * before it fails; any other error fails at once.
 */
import type { NatsContext } from "./nats-context.js";

/** How long a creation keeps trying while JetStream cannot place its replicas. */
export const placementWaitMs = 60_000;
const placementRetryDelayMs = 500;
const transientPlacement = /no suitable peers|peer offline|temporarily unavailable|insufficient resources|no metadata leader|jetstream not (?:enabled|ready)/i;

/**
 * Also transient while JetStream elects leaders (a server just died or restarted): a request to
 * its API that times out or finds no responder. Creating or binding a bucket or stream is
 * idempotent, so asking again is safe.
 */
const transientCodes = new Set(["TIMEOUT", "503"]);

export function isTransientPlacementError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return (typeof code === "string" && transientCodes.has(code)) || transientPlacement.test((error as Error | undefined)?.message ?? "");
}

/** Runs `create`, again every half second while it fails for placement, for at most `waitMs`. */
export async function whilePlacing<T>(ctx: Pick<NatsContext, "clock" | "logger">, what: string, create: () => Promise<T>, waitMs = placementWaitMs): Promise<T> {
  const deadlineMs = ctx.clock.nowMs() + waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (error) {
      if (!isTransientPlacementError(error) || ctx.clock.nowMs() + placementRetryDelayMs > deadlineMs) throw error;
      if (attempt === 1) ctx.logger.warn({ what, err: (error as Error).message }, "JetStream cannot place the replicas yet; trying again");
      await ctx.clock.sleep(placementRetryDelayMs, { unref: true });
    }
  }
}
